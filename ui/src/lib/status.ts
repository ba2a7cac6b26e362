import type { DeadlineStatus, RunStatus } from '../api/types';

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
