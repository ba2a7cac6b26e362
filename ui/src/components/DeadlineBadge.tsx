import type { ProcessRun } from '../api/types';
import { DEADLINE_LABELS, shownDeadlineStatus } from '../lib/status';

/** The run's deadline status; "no deadline" only for a run that has none. */
export function DeadlineBadge({ run }: { run: ProcessRun }) {
  if (run.deadline === null) {
    return (
      <span className="faint" data-testid="deadline-status">
        no deadline
      </span>
    );
  }
  const status = shownDeadlineStatus(run);
  if (!status) {
    return (
      <span className="faint" data-testid="deadline-status">
        —
      </span>
    );
  }
  const failed = run.status === 'FAILED';
  return (
    <span
      className={`badge badge--${status}`}
      data-testid="deadline-status"
      data-status={status}
      title={failed ? `Failed ${status === 'COMPLETED_LATE' ? 'after' : 'before'} its deadline` : undefined}
    >
      {DEADLINE_LABELS[status]}
    </span>
  );
}
