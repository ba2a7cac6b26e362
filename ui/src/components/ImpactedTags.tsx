import { api } from '../api/client';
import type { Tag } from '../api/types';
import { useResource } from '../hooks/useResource';
import { formatNumber, formatPercent } from '../lib/format';
import { Async } from './Async';
import { EmptyState } from './EmptyState';
import { Link } from './Link';
import { TagChip } from './TagChip';

const LIMIT = 8;

/** Tags whose runs are overdue, late or failed in the last 24 h, worst first. */
export function ImpactedTags({ onTag }: { onTag: (tag: Tag) => void }) {
  const tags = useResource('impacted-tags', (signal) => api.tagAnalytics({ window_hours: 24 }, signal));
  return (
    <section className="card" data-testid="impacted-tags">
      <div className="card__head">
        <h2>Impacted tags</h2>
        <Link to={{ page: 'tags' }} testId="impacted-tags-all">
          All tags →
        </Link>
      </div>
      <Async resource={tags} loadingLabel="Loading tags…">
        {(data) => {
          const impacted = data.tags.filter((t) => t.problems > 0).slice(0, LIMIT);
          if (impacted.length === 0) {
            return (
              <EmptyState title="No impacted tags">
                No tagged run is overdue, late or failed in the last 24 h.
              </EmptyState>
            );
          }
          return (
            <ul className="impact-list">
              {impacted.map((t) => (
                <li key={`${t.key}=${t.value}`} data-testid="impacted-tag">
                  <TagChip tag={{ key: t.key, value: t.value }} onClick={onTag} />
                  <span className="muted" title="overdue + late + failed, of all runs with this tag">
                    <b style={{ color: 'var(--missed)' }}>{formatNumber(t.problems)}</b> of {formatNumber(t.total)} (
                    {formatPercent(t.problems, t.total)})
                  </span>
                </li>
              ))}
            </ul>
          );
        }}
      </Async>
      <div className="faint" style={{ padding: '8px 16px', borderTop: '1px solid var(--border)' }}>
        Last 24 h · problems = overdue + late + failed
      </div>
    </section>
  );
}
