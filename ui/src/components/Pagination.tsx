import { formatNumber } from '../lib/format';

interface Props {
  offset: number;
  limit: number;
  count: number;
  total: number;
  hasMore: boolean;
  /** False when the total is a lower bound. */
  exact?: boolean;
  onChange: (offset: number) => void;
}

export function Pagination({ offset, limit, count, total, hasMore, exact = true, onChange }: Props) {
  const of = `${formatNumber(total)}${exact ? '' : '+'}`;
  const first = count === 0 ? 0 : offset + 1;
  const last = offset + count;
  return (
    <div className="pagination" data-testid="pagination">
      <span className="muted" data-testid="page-info">
        {count === 0 ? `0 of ${of}` : `${formatNumber(first)}–${formatNumber(last)} of ${of}`}
      </span>
      <div className="row">
        <button
          type="button"
          className="btn btn--small"
          disabled={offset <= 0}
          onClick={() => onChange(Math.max(0, offset - limit))}
          data-testid="page-prev"
        >
          ← Previous
        </button>
        <button
          type="button"
          className="btn btn--small"
          disabled={!hasMore}
          onClick={() => onChange(offset + limit)}
          data-testid="page-next"
        >
          Next →
        </button>
      </div>
    </div>
  );
}
