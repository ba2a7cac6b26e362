/**
 * Turns loosely shaped API payloads into the schema's types (see types.ts). Older servers omit
 * empty arrays, empty objects and null scalars, so every field gets a safe default here; fields the
 * schema declares non-null and that every server sends (started_at, duration, generated_at) fall
 * back to 0 only for a malformed body.
 */
import type {
  DeadlineStatus,
  DurationStats,
  NameRollup,
  NameRollupPage,
  ProcessPage,
  ProcessRun,
  RunStatus,
  Summary,
  Tag,
  TagAnalytics,
  TagImpactEntry,
} from './types';
import { DEADLINE_STATUSES, RUN_STATUSES } from './types';

type Json = Record<string, unknown>;

export function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fallback;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function normalizeTags(value: unknown): Tag[] {
  return list(value)
    .map(asObject)
    .filter((t) => 'key' in t)
    .map((t) => ({ key: str(t.key), value: str(t.value) }));
}

export function normalizeRun(value: unknown): ProcessRun {
  const o = asObject(value);
  const status = RUN_STATUSES.includes(o.status as RunStatus) ? (o.status as RunStatus) : 'ACTIVE';
  const ds = DEADLINE_STATUSES.includes(o.deadline_status as DeadlineStatus)
    ? (o.deadline_status as DeadlineStatus)
    : null;
  return {
    id: str(o.id),
    name: str(o.name),
    status,
    deadline_status: ds,
    started_at: num(o.started_at),
    completed_at: numOrNull(o.completed_at),
    deadline: numOrNull(o.deadline),
    tags: normalizeTags(o.tags),
    context: asObject(o.context),
    duration: num(o.duration),
  };
}

function pageOf<T>(o: Json, item: (v: unknown) => T) {
  const data = list(o.data).map(item);
  const offset = num(o.offset);
  const total = num(o.total, data.length);
  const hasMore = typeof o.has_more === 'boolean' ? o.has_more : offset + data.length < total;
  return { data, total, limit: num(o.limit, data.length), offset, has_more: hasMore };
}

export function normalizeProcessPage(value: unknown): ProcessPage {
  const o = asObject(value);
  return { ...pageOf(o, normalizeRun), total_exact: o.total_exact !== false };
}

export function normalizeNamePage(value: unknown): NameRollupPage {
  return pageOf(asObject(value), normalizeNameRollup);
}

export function normalizeDuration(value: unknown): DurationStats | null {
  if (value === null || value === undefined) return null;
  const o = asObject(value);
  if (!('count' in o) && !('p50_seconds' in o)) return null;
  return {
    count: num(o.count),
    avg_seconds: num(o.avg_seconds),
    p50_seconds: num(o.p50_seconds),
    p90_seconds: num(o.p90_seconds),
    p99_seconds: num(o.p99_seconds),
  };
}

export function normalizeTagEntry(value: unknown): TagImpactEntry {
  const o = asObject(value);
  const overdue = num(o.overdue);
  const late = num(o.completed_late);
  const failed = num(o.failed);
  const onTrack = num(o.on_track);
  const onTime = num(o.completed_on_time);
  return {
    key: str(o.key),
    value: str(o.value),
    overdue,
    on_track: onTrack,
    completed_late: late,
    completed_on_time: onTime,
    failed,
    total: num(o.total, overdue + late + failed + onTrack + onTime),
    problems: num(o.problems, overdue + late + failed),
    duration: normalizeDuration(o.duration),
  };
}

export function normalizeTagAnalytics(value: unknown): TagAnalytics {
  const o = asObject(value);
  return {
    window_hours: num(o.window_hours, 24),
    generated_at: num(o.generated_at),
    total_processes: num(o.total_processes),
    problem_processes: num(o.problem_processes),
    duration: normalizeDuration(o.duration),
    tags: list(o.tags).map(normalizeTagEntry),
  };
}

export function normalizeSummary(value: unknown): Summary {
  const o = asObject(value);
  return {
    generated_at: num(o.generated_at),
    total: num(o.total),
    active: num(o.active),
    completed: num(o.completed),
    failed: num(o.failed),
    overdue: num(o.overdue),
    on_track: num(o.on_track),
    completed_on_time: num(o.completed_on_time),
    completed_late: num(o.completed_late),
    completed_24h: num(o.completed_24h),
    completed_on_time_24h: num(o.completed_on_time_24h),
    failed_24h: num(o.failed_24h),
  };
}

export function normalizeNameRollup(value: unknown): NameRollup {
  const o = asObject(value);
  return {
    name: str(o.name),
    total: num(o.total),
    active: num(o.active),
    failed: num(o.failed),
    overdue: num(o.overdue),
    completed: num(o.completed),
    completed_on_time: num(o.completed_on_time),
    completed_late: num(o.completed_late),
    last_started_at: num(o.last_started_at),
  };
}
