import type { RunStatus } from '../api/types';
import { STATUS_LABELS } from '../lib/status';

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge badge--${status}`} data-testid="run-status" data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}
