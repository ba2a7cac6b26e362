import { formatDateTime, formatDateTimeFull, formatRelative } from '../lib/format';

interface Props {
  epoch: number | null;
  now: number;
  /** Shows the relative time in red when it lies in the past (an overdue deadline). */
  warnIfPast?: boolean;
  testId?: string;
}

/** A human date with its relative time underneath ("in 5m", "12m ago"). */
export function TimeCell({ epoch, now, warnIfPast = false, testId }: Props) {
  if (epoch === null) return <span className="faint" data-testid={testId}>—</span>;
  const late = warnIfPast && epoch < now;
  return (
    <span className="cell-time" title={formatDateTimeFull(epoch)} data-testid={testId}>
      <time dateTime={new Date(epoch * 1000).toISOString()}>{formatDateTime(epoch, now)}</time>
      <span className={late ? 'cell-time__rel cell-time__rel--late' : 'cell-time__rel'}>
        {formatRelative(epoch, now)}
      </span>
    </span>
  );
}
