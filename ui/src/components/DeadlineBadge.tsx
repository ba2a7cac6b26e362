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
  if (run.status === 'FAILED') {
    // Failing is never "on time": say which side of the deadline it failed on, in neutral colours.
    const side = status === 'COMPLETED_LATE' ? 'after' : 'before';
    return (
      <span className="badge badge--FAILED" data-testid="deadline-status" data-status={`FAILED_${side.toUpperCase()}`}>
        Failed {side} deadline
      </span>
    );
  }
  return (
    <span className={`badge badge--${status}`} data-testid="deadline-status" data-status={status}>
      {DEADLINE_LABELS[status]}
    </span>
  );
}
