import type { DeadlineStatus, ProcessRun, RunStatus } from '../api/types';

export const STATUS_LABELS: Record<RunStatus, string> = {
  ACTIVE: 'Active',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
};

export const DEADLINE_LABELS: Record<DeadlineStatus, string> = {
  ON_TRACK: 'On track',
  MISSED: 'Missed',
  COMPLETED_ON_TIME: 'On time',
  COMPLETED_LATE: 'Late',
};

/** Colours (see styles.css): outcome names used as CSS modifiers and chart fills. */
export const OUTCOME_COLORS = {
  on_track: '#15803d',
  overdue: '#dc2626',
  completed_late: '#d97706',
  completed_on_time: '#0d9488',
  failed: '#7f1d1d',
  active: '#2563eb',
  neutral: '#64748b',
} as const;

export type Outcome = keyof typeof OUTCOME_COLORS;

export const OUTCOME_LABELS: Record<Outcome, string> = {
  on_track: 'On track',
  overdue: 'Overdue',
  completed_late: 'Completed late',
  completed_on_time: 'Completed on time',
  failed: 'Failed',
  active: 'Active',
  neutral: 'Other',
};

/**
 * The deadline status to show for a run. The server computes it for ACTIVE and COMPLETED runs and
 * sends null for FAILED ones even when they have a deadline (contract 2.1), so a FAILED run is
 * judged here the way the server judges a COMPLETED one: finished at or before the deadline is on
 * time. (The wire has whole seconds; the server compares finer timestamps, so a finish within the
 * deadline's second counts as on time here.) Null only when the run has no deadline.
 */
export function shownDeadlineStatus(run: ProcessRun): DeadlineStatus | null {
  if (run.deadline_status !== null || run.deadline === null) return run.deadline_status;
  if (run.status !== 'FAILED' || run.completed_at === null) return null;
  return run.completed_at <= run.deadline ? 'COMPLETED_ON_TIME' : 'COMPLETED_LATE';
}
