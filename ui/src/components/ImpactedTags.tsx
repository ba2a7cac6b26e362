import { api } from '../api/client';
import type { Tag } from '../api/types';
import { useResource } from '../hooks/useResource';
import { formatNumber, formatPercent } from '../lib/format';
import { Async } from './Async';
import { Link } from './Link';
import { TagChip } from './TagChip';

const LIMIT = 10;

/** Tags whose runs are overdue, late or failed in the last 24 h, worst first. */
export function ImpactedTags({ onTag }: { onTag: (tag: Tag) => void }) {
  const tags = useResource('impacted-tags', (signal) => api.tagAnalytics({ window_hours: 24 }, signal));
  return (
    <section className="card" data-testid="impacted-tags">
      <div className="card__head">
        <div>
          <h2>Impacted tags</h2>
          <div className="faint">Last 24 h · problems = overdue + late + failed, of all runs with the tag</div>
        </div>
        <Link to={{ page: 'tags' }} testId="impacted-tags-all">
          All tags →
        </Link>
      </div>
      <Async resource={tags} loadingLabel="Loading tags…">
        {(data) => {
          const impacted = data.tags.filter((t) => t.problems > 0).slice(0, LIMIT);
          if (impacted.length === 0) {
            return (
              <div className="impact-strip muted" data-testid="empty-state">
                No tagged run is overdue, late or failed in the last 24 h.
              </div>
            );
          }
          return (
            <div className="impact-strip">
              {impacted.map((t) => (
                <span className="impact-item" key={`${t.key}=${t.value}`} data-testid="impacted-tag">
                  <TagChip tag={{ key: t.key, value: t.value }} onClick={onTag} />
                  <span className="muted">
                    <b style={{ color: 'var(--missed)' }}>{formatNumber(t.problems)}</b>/{formatNumber(t.total)} ·{' '}
                    {formatPercent(t.problems, t.total)}
                  </span>
                </span>
              ))}
            </div>
          );
        }}
      </Async>
    </section>
  );
}
