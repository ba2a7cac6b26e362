import type { Tag } from '../api/types';

interface Props {
  tag: Tag;
  onClick?: (tag: Tag) => void;
}

/** A key=value chip; clicking it usually filters the run list by that tag. */
export function TagChip({ tag, onClick }: Props) {
  return (
    <button
      type="button"
      className="tag-chip"
      title={onClick ? `Filter by ${tag.key}:${tag.value}` : undefined}
      onClick={(e) => {
        e.stopPropagation();
        onClick?.(tag);
      }}
      data-testid="tag-chip"
    >
      {tag.key}=<b>{tag.value}</b>
    </button>
  );
}
