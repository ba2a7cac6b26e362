import { useState } from 'react';
import { api } from '../api/client';
import type { Tag } from '../api/types';
import { Async } from '../components/Async';
import { EmptyState } from '../components/EmptyState';
import { LatencyStats } from '../components/LatencyStats';
import { PeriodPicker } from '../components/PeriodPicker';
import { TagImpactTable } from '../components/TagImpactTable';
import { useNav } from '../hooks/useNav';
import { useResource } from '../hooks/useResource';
import { formatNumber, formatPercent, formatWindow } from '../lib/format';
import { windowOf } from '../lib/nav';

/** What do the late runs have in common? Per-tag impact and latency, optionally for one name. */
export function TagsPage() {
  const nav = useNav();
  const hours = windowOf(nav.params);
  const name = nav.params.f_name ?? '';
  const [draft, setDraft] = useState(name);
  const tags = useResource(`tags|${name}|${hours}`, (signal) =>
    api.tagAnalytics({ name: name || undefined, window_hours: hours }, signal),
  );
  const onTag = (tag: Tag) => nav.go({ tags: `${tag.key}:${tag.value}`, ...(name ? { f_name: name } : {}) });

  return (
    <div className="main" data-testid="page-tags">
      <div className="page-head">
        <div>
          <h1>Tags</h1>
          <div className="page-head__sub">
            Outcomes and latency per tag: active runs plus runs finished in the last {formatWindow(hours)}
          </div>
        </div>
        <div className="row">
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              nav.update({ f_name: draft.trim() || null });
            }}
          >
            <input
              className="input"
              placeholder="All names"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              data-testid="tags-name-filter"
              aria-label="Process name"
            />
            <button type="submit" className="btn">
              Filter
            </button>
          </form>
          <PeriodPicker hours={hours} onChange={(h) => nav.update({ window: h === 24 ? null : String(h) })} />
        </div>
      </div>
      <Async resource={tags} loadingLabel="Loading tag analytics…">
        {(data) => (
          <>
            <section className="card">
              <div className="card__head">
                <h2>{name ? `${name}: overall` : 'Overall'}</h2>
                <span className="muted" data-testid="tags-overall">
                  {formatNumber(data.problem_processes)} problems of {formatNumber(data.total_processes)} runs (
                  {formatPercent(data.problem_processes, data.total_processes)})
                </span>
              </div>
              <div className="card__body">
                <LatencyStats stats={data.duration} />
              </div>
            </section>
            <section className="card">
              <div className="card__head">
                <h2>By tag</h2>
                <span className="faint">worst first · click a tag to list its runs</span>
              </div>
              {data.tags.length === 0 ? (
                <EmptyState title="No tagged runs in this period">
                  Add <code>tags</code> such as <code>country=DE</code> when starting runs to compare groups here.
                </EmptyState>
              ) : (
                <TagImpactTable entries={data.tags} onTag={onTag} />
              )}
            </section>
          </>
        )}
      </Async>
    </div>
  );
}
