import type { ProcessRun } from '../api/types';
import { formatDuration, formatRelative } from '../lib/format';
import { DeadlineBadge } from './DeadlineBadge';
import { StatusBadge } from './StatusBadge';
import { TagChip } from './TagChip';
import { TimeCell } from './TimeCell';

function deadlineNote(run: ProcessRun, now: number): string | null {
  if (run.deadline === null) return null;
  if (run.status === 'ACTIVE') {
    const left = run.deadline - now;
    return left >= 0 ? `${formatDuration(left)} left` : `overdue by ${formatDuration(-left)}`;
  }
  if (run.completed_at !== null) {
    const margin = run.deadline - run.completed_at;
    return margin >= 0 ? `finished ${formatDuration(margin)} before the deadline` : `finished ${formatDuration(-margin)} after the deadline`;
  }
  return null;
}

/** The fields of one run as a definition list. */
export function RunDetails({ run, now }: { run: ProcessRun; now: number }) {
  const note = deadlineNote(run, now);
  const contextKeys = Object.keys(run.context);
  return (
    <>
      <dl className="kv" data-testid="run-fields">
        <dt>Status</dt>
        <dd className="row">
          <StatusBadge status={run.status} />
          <DeadlineBadge run={run} />
        </dd>
        <dt>Started</dt>
        <dd>
          <TimeCell epoch={run.started_at} now={now} testId="detail-started" />
        </dd>
        <dt>Deadline</dt>
        <dd>
          <TimeCell epoch={run.deadline} now={now} warnIfPast={run.status === 'ACTIVE'} testId="detail-deadline" />
          {note ? <div className="faint" data-testid="detail-deadline-note">{note}</div> : null}
        </dd>
        <dt>{run.status === 'FAILED' ? 'Failed' : 'Completed'}</dt>
        <dd>
          <TimeCell epoch={run.completed_at} now={now} testId="detail-completed" />
        </dd>
        <dt>Duration</dt>
        <dd data-testid="detail-duration">
          {formatDuration(run.duration)}
          {run.status === 'ACTIVE' ? (
            <span className="faint"> · running since {formatRelative(run.started_at, now)}</span>
          ) : null}
        </dd>
        <dt>Tags</dt>
        <dd>
          {run.tags.length === 0 ? (
            <span className="faint">none</span>
          ) : (
            <div className="chips" data-testid="detail-tags">
              {run.tags.map((t, i) => (
                <TagChip key={`${t.key}-${i}`} tag={t} />
              ))}
            </div>
          )}
        </dd>
      </dl>
      <div>
        <h3 style={{ marginBottom: 6 }}>Context</h3>
        {contextKeys.length === 0 ? (
          <span className="faint">No context was stored with this run.</span>
        ) : (
          <pre className="json" data-testid="detail-context">
            {JSON.stringify(run.context, null, 2)}
          </pre>
        )}
      </div>
    </>
  );
}
