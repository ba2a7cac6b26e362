import { api } from '../api/client';
import type { Tag } from '../api/types';
import { Async } from '../components/Async';
import { EmptyState } from '../components/EmptyState';
import { LatencyStats } from '../components/LatencyStats';
import { Link } from '../components/Link';
import { NameTotals } from '../components/NameTotals';
import { PeriodPicker } from '../components/PeriodPicker';
import { RunList } from '../components/RunList';
import { TagImpactTable } from '../components/TagImpactTable';
import { useNav } from '../hooks/useNav';
import { useResource } from '../hooks/useResource';
import { formatWindow } from '../lib/format';
import { windowOf } from '../lib/nav';
import { addTagToFilter } from '../lib/tags';

/** Everything about one process name: totals, latency, per-tag impact and recent runs. */
export function NamePage({ name }: { name: string }) {
  const nav = useNav();
  const hours = windowOf(nav.params);
  const analytics = useResource(`name-tags|${name}|${hours}`, (signal) =>
    api.tagAnalytics({ name, window_hours: hours }, signal),
  );
  const onTag = (tag: Tag) => nav.update({ tags: addTagToFilter(nav.params.tags ?? '', tag), offset: null });

  return (
    <div className="main" data-testid="page-name">
      <div className="page-head">
        <div>
          <div className="faint">
            <Link to={{ page: 'names' }}>Processes</Link> /
          </div>
          <h1 data-testid="name-title">{name}</h1>
          <div className="page-head__sub">Active runs, plus runs finished in the last {formatWindow(hours)}</div>
        </div>
        <div className="row">
          <PeriodPicker hours={hours} onChange={(h) => nav.update({ window: h === 24 ? null : String(h) })} />
          <button type="button" className="btn btn--primary" onClick={() => nav.update({ new: '1' })} data-testid="name-new-run">
            + New {name} run
          </button>
        </div>
      </div>
      <Async resource={analytics} loadingLabel="Loading analytics…">
        {(data) => (
          <>
            <NameTotals data={data} />
            <section className="card">
              <div className="card__head">
                <h2>Latency</h2>
                <span className="faint">completed runs, {formatWindow(hours)}</span>
              </div>
              <div className="card__body">
                <LatencyStats stats={data.duration} />
              </div>
            </section>
            <section className="card">
              <div className="card__head">
                <h2>Impact and latency by tag</h2>
                <span className="faint">click a tag to filter the runs below</span>
              </div>
              {data.tags.length === 0 ? (
                <EmptyState title="No tagged runs in this period">
                  Runs started with <code>tags</code> show up here, with their outcomes and percentiles.
                </EmptyState>
              ) : (
                <TagImpactTable entries={data.tags} onTag={onTag} />
              )}
            </section>
          </>
        )}
      </Async>
      <RunList title="Recent runs" fixedName={name} limit={20} />
    </div>
  );
}
