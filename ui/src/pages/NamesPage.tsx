import { api } from '../api/client';
import { Async } from '../components/Async';
import { EmptyState } from '../components/EmptyState';
import { NamesTable } from '../components/NamesTable';
import { Pagination } from '../components/Pagination';
import { useNav } from '../hooks/useNav';
import { useNow } from '../hooks/useNow';
import { useResource } from '../hooks/useResource';
import { offsetOf } from '../lib/nav';

const LIMIT = 50;

/** By-name rollups over the whole history, busiest names first. */
export function NamesPage() {
  const nav = useNav();
  const now = useNow();
  const offset = offsetOf(nav.params);
  const names = useResource(`names|${offset}`, (signal) => api.names({ limit: LIMIT, offset }, signal));

  return (
    <div className="main" data-testid="page-names">
      <div className="page-head">
        <div>
          <h1>Processes</h1>
          <div className="page-head__sub">Every process name with its counts over all time</div>
        </div>
      </div>
      <section className="card">
        <Async resource={names} loadingLabel="Loading process names…">
          {(page) =>
            page.data.length === 0 ? (
              <EmptyState title={offset > 0 ? 'No names on this page' : 'No processes yet'}>
                Names appear here once a run is started with <code>POST /processes/{'{name}'}</code>.
              </EmptyState>
            ) : (
              <>
                <NamesTable rows={page.data} now={now} />
                <Pagination
                  offset={page.offset}
                  limit={LIMIT}
                  count={page.data.length}
                  total={page.total}
                  hasMore={page.has_more}
                  onChange={(next) => nav.update({ offset: next ? String(next) : null })}
                />
              </>
            )
          }
        </Async>
      </section>
    </div>
  );
}
