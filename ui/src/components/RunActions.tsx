import { useState } from 'react';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import type { ProcessRun } from '../api/types';
import { useRefresh } from '../hooks/useRefresh';
import { ErrorState } from './ErrorState';
import { useToast } from './Toast';

interface Props {
  run: ProcessRun;
  onDeleted: () => void;
}

type Busy = null | 'COMPLETED' | 'FAILED' | 'DELETE';

/** Complete / fail (PUT .../complete) and delete (DELETE) with an inline confirmation. */
export function RunActions({ run, onDeleted }: Props) {
  const { refresh } = useRefresh();
  const notify = useToast();
  const [busy, setBusy] = useState<Busy>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const finish = async (status: 'COMPLETED' | 'FAILED') => {
    setBusy(status);
    setError(null);
    try {
      await api.finishRun(run.name, run.id, status);
      notify(status === 'COMPLETED' ? `Run ${run.id} completed` : `Run ${run.id} marked as failed`);
      refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    setBusy('DELETE');
    setError(null);
    try {
      await api.deleteRun(run.name, run.id);
      notify(`Run ${run.id} deleted`);
      onDeleted();
      refresh();
    } catch (err) {
      setError(err);
      notify(describeError(err), { error: true });
    } finally {
      setBusy(null);
      setConfirmDelete(false);
    }
  };

  const active = run.status === 'ACTIVE';
  return (
    <div>
      <div className="actions" data-testid="run-actions">
        {active ? (
          <>
            <button type="button" className="btn btn--success" disabled={busy !== null} onClick={() => finish('COMPLETED')} data-testid="action-complete">
              {busy === 'COMPLETED' ? 'Completing…' : '✓ Complete'}
            </button>
            <button type="button" className="btn btn--danger" disabled={busy !== null} onClick={() => finish('FAILED')} data-testid="action-fail">
              {busy === 'FAILED' ? 'Failing…' : '✕ Fail'}
            </button>
          </>
        ) : null}
        {confirmDelete ? (
          <>
            <span className="muted" style={{ alignSelf: 'center' }}>
              Delete this run for good?
            </span>
            <button type="button" className="btn btn--danger-solid" disabled={busy !== null} onClick={remove} data-testid="action-delete-confirm">
              {busy === 'DELETE' ? 'Deleting…' : 'Yes, delete'}
            </button>
            <button type="button" className="btn" onClick={() => setConfirmDelete(false)} data-testid="action-delete-cancel">
              Cancel
            </button>
          </>
        ) : (
          <button type="button" className="btn" disabled={busy !== null} onClick={() => setConfirmDelete(true)} data-testid="action-delete">
            Delete
          </button>
        )}
      </div>
      {error ? <ErrorState error={error} title="The action failed" /> : null}
    </div>
  );
}
