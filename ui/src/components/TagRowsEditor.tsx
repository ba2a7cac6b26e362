import type { Tag } from '../api/types';
import { MAX_TAGS } from '../lib/runForm';

interface Props {
  tags: Tag[];
  onChange: (tags: Tag[]) => void;
}

/** Editable key/value rows for a run's tags. */
export function TagRowsEditor({ tags, onChange }: Props) {
  const set = (i: number, patch: Partial<Tag>) => onChange(tags.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  return (
    <div className="field" data-testid="tag-editor">
      <span className="field__label">Tags</span>
      {tags.map((tag, i) => (
        <div className="tag-row" key={i}>
          <input
            className="input"
            placeholder="key, e.g. country"
            value={tag.key}
            onChange={(e) => set(i, { key: e.target.value })}
            aria-label={`Tag ${i + 1} key`}
            data-testid="tag-key"
          />
          <input
            className="input"
            placeholder="value, e.g. DE"
            value={tag.value}
            onChange={(e) => set(i, { value: e.target.value })}
            aria-label={`Tag ${i + 1} value`}
            data-testid="tag-value"
          />
          <button type="button" className="btn btn--ghost" onClick={() => onChange(tags.filter((_, j) => j !== i))} aria-label={`Remove tag ${i + 1}`}>
            ✕
          </button>
        </div>
      ))}
      <div>
        <button
          type="button"
          className="btn btn--small"
          disabled={tags.length >= MAX_TAGS}
          onClick={() => onChange([...tags, { key: '', value: '' }])}
          data-testid="tag-add"
        >
          + Add tag
        </button>
      </div>
    </div>
  );
}
