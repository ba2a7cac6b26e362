import type { DeadlineStatus } from '../api/types';
import { DEADLINE_LABELS } from '../lib/status';

export function DeadlineBadge({ status }: { status: DeadlineStatus | null }) {
  if (!status) {
    return (
      <span className="faint" data-testid="deadline-status">
        no deadline
      </span>
    );
  }
  return (
    <span className={`badge badge--${status}`} data-testid="deadline-status" data-status={status}>
      {DEADLINE_LABELS[status]}
    </span>
  );
}
