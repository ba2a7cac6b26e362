import type { DeadlineStatus, RunStatus } from '../api/types';
import { DEADLINE_LABELS, STATUS_LABELS } from '../lib/status';

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge badge--${status}`} data-testid="run-status" data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}

export function DeadlineBadge({ status }: { status: DeadlineStatus | null }) {
  if (!status) return <span className="faint" data-testid="deadline-status">no deadline</span>;
  return (
    <span className={`badge badge--${status}`} data-testid="deadline-status" data-status={status}>
      {DEADLINE_LABELS[status]}
    </span>
  );
}
