import { useEffect } from 'react';
import { api } from '../api/client';
import { useNav } from '../hooks/useNav';
import { useNow } from '../hooks/useNow';
import { useResource } from '../hooks/useResource';
import type { RunRef } from '../lib/nav';
import { hrefFor, processParam } from '../lib/nav';
import { Async } from './Async';
import { Link } from './Link';
import { RunActions } from './RunActions';
import { RunDetails } from './RunDetails';

/** Slide-over panel for one run, opened from the list or by the deep link ?process=NAME/ID. */
export function RunDetailPanel({ target }: { target: RunRef }) {
  const nav = useNav();
  const now = useNow(5000);
  const run = useResource(`run|${target.name}|${target.id}`, (signal) => api.getRun(target.name, target.id, signal));
  const close = () => nav.update({ process: null });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') nav.update({ process: null });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [nav]);

  const deepLink = `${window.location.origin}${hrefFor({ process: processParam(target) })}`;
  return (
    <>
      <div className="backdrop" onClick={close} />
      <aside className="drawer" role="dialog" aria-label={`Run ${target.id}`} data-testid="run-detail">
        <div className="drawer__head">
          <div>
            <div className="faint">
              <Link to={{ name: target.name }} testId="detail-name-link">
                {target.name}
              </Link>
            </div>
            <h2 className="drawer__title mono" data-testid="detail-id">
              {target.id}
            </h2>
          </div>
          <button type="button" className="btn btn--ghost" onClick={close} aria-label="Close" data-testid="detail-close">
            ✕
          </button>
        </div>
        <div className="drawer__body">
          <Async resource={run} loadingLabel="Loading run…" errorTitle="Cannot show this run">
            {(data) => (
              <>
                <RunDetails run={data} now={now} />
                <RunActions run={data} onDeleted={close} />
              </>
            )}
          </Async>
          <div className="faint">
            Link to this run:{' '}
            <a href={deepLink} className="mono" data-testid="detail-deep-link" style={{ wordBreak: 'break-all' }}>
              {deepLink}
            </a>
          </div>
        </div>
      </aside>
    </>
  );
}
