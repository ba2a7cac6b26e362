import { useCallback } from 'react';
import { api } from '../api/client';
import { asDeadlineStatus, asRunStatus } from '../api/types';
import type { ListQuery, ProcessRun, Tag } from '../api/types';
import { useNav } from '../hooks/useNav';
import { useNow } from '../hooks/useNow';
import { useResource } from '../hooks/useResource';
import { formatNumber } from '../lib/format';
import { offsetOf, parseProcessParam, processParam } from '../lib/nav';
import { formatSort, parseSort } from '../lib/sort';
import type { SortState } from '../lib/sort';
import { addTagToFilter, cleanTagFilter } from '../lib/tags';
import { Async } from './Async';
import { EmptyState } from './EmptyState';
import { Pagination } from './Pagination';
import { RunFilters } from './RunFilters';
import { RunTable } from './RunTable';

interface Props {
  title: string;
  /** Fixed name for the per-name page; the dashboard uses the f_name filter instead. */
  fixedName?: string;
  limit?: number;
}

/** Filters, run table and pagination over GET /processes/, all driven by the URL. */
export function RunList({ title, fixedName, limit = 50 }: Props) {
  const nav = useNav();
  const { params } = nav;
  const now = useNow();
  const sort = parseSort(params.sort);
  const offset = offsetOf(params);
  const query: ListQuery = {
    name: fixedName ?? params.f_name,
    status: asRunStatus(params.status),
    deadlineStatus: asDeadlineStatus(params.deadlineStatus),
    tags: cleanTagFilter(params.tags),
    sort_by: params.sort ? formatSort(sort) : undefined,
    limit,
    offset,
  };
  const key = JSON.stringify(query);
  const runs = useResource(key, (signal) => api.listRuns(query, signal));
  const filtered = Boolean(params.f_name || params.status || params.deadlineStatus || params.tags);

  const onSort = useCallback((next: SortState) => nav.update({ sort: formatSort(next), offset: null }), [nav]);
  const onOpen = useCallback((run: ProcessRun) => nav.update({ process: processParam(run) }), [nav]);
  const onTag = useCallback(
    (tag: Tag) => nav.update({ tags: addTagToFilter(nav.params.tags ?? '', tag), offset: null }),
    [nav],
  );

  return (
    <section className="card" data-testid="run-list">
      <div className="card__head">
        <h2>{title}</h2>
        {runs.data ? (
          <span className="muted" data-testid="run-total">
            {formatNumber(runs.data.total)}
            {runs.data.total_exact ? '' : '+'} {runs.data.total === 1 && runs.data.total_exact ? 'run' : 'runs'}
          </span>
        ) : null}
      </div>
      <RunFilters key={`${params.f_name ?? ''}|${params.tags ?? ''}`} showName={!fixedName} />
      <Async resource={runs} loadingLabel="Loading runs…">
        {(page) =>
          page.data.length === 0 ? (
            <EmptyState title={offset > 0 ? 'No runs on this page' : filtered ? 'No runs match these filters' : 'No runs yet'}>
              {offset > 0 ? (
                <button type="button" className="btn btn--small" onClick={() => nav.update({ offset: null })}>
                  Back to the first page
                </button>
              ) : filtered ? (
                'Try removing a filter.'
              ) : (
                <>
                  Start a run with <code>POST /processes/{'{name}'}</code> or the “New run” button.
                </>
              )}
            </EmptyState>
          ) : (
            <>
              <RunTable
                runs={page.data}
                now={now}
                sort={sort}
                onSort={onSort}
                onOpen={onOpen}
                onTag={onTag}
                showName={!fixedName}
                selected={parseProcessParam(params.process)}
              />
              <Pagination
                offset={page.offset}
                limit={limit}
                count={page.data.length}
                total={page.total}
                hasMore={page.has_more}
                exact={page.total_exact}
                onChange={(next) => nav.update({ offset: next ? String(next) : null })}
              />
            </>
          )
        }
      </Async>
    </section>
  );
}
