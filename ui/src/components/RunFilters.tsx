import { useState } from 'react';
import { DEADLINE_STATUSES, RUN_STATUSES } from '../api/types';
import { useNav } from '../hooks/useNav';
import { DEADLINE_LABELS, STATUS_LABELS } from '../lib/status';
import { cleanTagFilter } from '../lib/tags';

interface Props {
  /** Hides the name filter (the per-name page fixes the name). */
  showName?: boolean;
}

/** Filters of the run list, kept in the URL (f_name, status, deadlineStatus, tags). */
export function RunFilters({ showName = true }: Props) {
  const nav = useNav();
  const { params } = nav;
  const [name, setName] = useState(params.f_name ?? '');
  const [tags, setTags] = useState(params.tags ?? '');
  const active = Boolean(params.f_name || params.status || params.deadlineStatus || params.tags);

  const apply = (patch: Record<string, string | null>) => nav.update({ ...patch, offset: null });

  return (
    <form
      className="filters"
      data-testid="run-filters"
      onSubmit={(e) => {
        e.preventDefault();
        apply({ f_name: showName ? name.trim() : null, tags: cleanTagFilter(tags) ?? null });
      }}
    >
      {showName ? (
        <label className="field">
          <span className="field__label">Name</span>
          <input
            className="input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="exact name"
            data-testid="filter-name"
          />
        </label>
      ) : null}
      <label className="field">
        <span className="field__label">Status</span>
        <select
          className="select"
          value={params.status ?? ''}
          onChange={(e) => apply({ status: e.target.value })}
          data-testid="filter-status"
        >
          <option value="">Any status</option>
          {RUN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field__label">Deadline</span>
        <select
          className="select"
          value={params.deadlineStatus ?? ''}
          onChange={(e) => apply({ deadlineStatus: e.target.value })}
          data-testid="filter-deadline-status"
        >
          <option value="">Any deadline status</option>
          {DEADLINE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {DEADLINE_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="field field--grow">
        <span className="field__label">Tags</span>
        <input
          className="input"
          value={tags}
          onChange={(e) => setTags(e.target.value)}
          placeholder="country:DE,channel:web"
          data-testid="filter-tags"
        />
      </label>
      <button type="submit" className="btn btn--primary" data-testid="filter-apply">
        Apply
      </button>
      {active ? (
        <button
          type="button"
          className="btn btn--ghost"
          data-testid="filter-clear"
          onClick={() => {
            setName('');
            setTags('');
            apply({ f_name: null, status: null, deadlineStatus: null, tags: null });
          }}
        >
          Clear
        </button>
      ) : null}
    </form>
  );
}
