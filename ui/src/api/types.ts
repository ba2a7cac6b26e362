/** Wire types of the ToTrackIt HTTP API. All timestamps are integer epoch seconds. */

export type RunStatus = 'ACTIVE' | 'COMPLETED' | 'FAILED';
export type DeadlineStatus = 'ON_TRACK' | 'MISSED' | 'COMPLETED_ON_TIME' | 'COMPLETED_LATE';

export const RUN_STATUSES: readonly RunStatus[] = ['ACTIVE', 'COMPLETED', 'FAILED'];
export const DEADLINE_STATUSES: readonly DeadlineStatus[] = [
  'ON_TRACK',
  'MISSED',
  'COMPLETED_ON_TIME',
  'COMPLETED_LATE',
];
export const SORT_FIELDS = ['started_at', 'completed_at', 'deadline', 'name', 'status', 'duration'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

export interface Tag {
  key: string;
  value: string;
}

/** A process run after normalisation: optional fields are null, arrays and objects always present. */
export interface ProcessRun {
  id: string;
  name: string;
  status: RunStatus;
  deadline_status: DeadlineStatus | null;
  started_at: number | null;
  completed_at: number | null;
  deadline: number | null;
  tags: Tag[];
  context: Record<string, unknown>;
  duration: number | null;
}

export interface Page<T> {
  data: T[];
  total: number;
  limit: number;
  offset: number;
  has_more: boolean;
  /** False when the server capped the count: `total` is then a lower bound. */
  total_exact: boolean;
}

export interface DurationStats {
  count: number;
  avg_seconds: number;
  p50_seconds: number;
  p90_seconds: number;
  p99_seconds: number;
}

export interface TagImpactEntry {
  key: string;
  value: string;
  overdue: number;
  on_track: number;
  completed_late: number;
  completed_on_time: number;
  failed: number;
  total: number;
  problems: number;
  duration: DurationStats | null;
}

export interface TagAnalytics {
  window_hours: number;
  generated_at: number | null;
  total_processes: number;
  problem_processes: number;
  duration: DurationStats | null;
  tags: TagImpactEntry[];
}

export interface Summary {
  generated_at: number | null;
  total: number;
  active: number;
  completed: number;
  failed: number;
  overdue: number;
  on_track: number;
  completed_on_time: number;
  completed_late: number;
  completed_24h: number;
  completed_on_time_24h: number;
  failed_24h: number;
}

export interface NameRollup {
  name: string;
  total: number;
  active: number;
  failed: number;
  overdue: number;
  completed: number;
  completed_on_time: number;
  completed_late: number;
  last_started_at: number | null;
}

export interface Health {
  status: string;
  version: string | null;
}

export interface ListQuery {
  name?: string;
  id?: string;
  status?: string;
  deadlineStatus?: string;
  tags?: string;
  sort_by?: string;
  limit?: number;
  offset?: number;
}

export interface NewRunRequest {
  id: string;
  deadline?: number;
  tags: Tag[];
  context: Record<string, unknown>;
}

export interface ErrorDetail {
  field: string;
  message: string;
  rejected_value?: unknown;
}
