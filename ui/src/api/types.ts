/**
 * Wire types of the ToTrackIt HTTP API, taken from the schema that openapi-typescript generates
 * from the server's OpenAPI document (`schema.d.ts`, see README "API types"). All timestamps are
 * integer epoch seconds. Nothing here restates a field: a change on the server shows up as a type
 * error in the UI once the schema is regenerated.
 */
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type RunStatus = Schemas['Status'];
export type DeadlineStatus = Schemas['DeadlineStatus'];
export type Tag = Schemas['Tag'];
export type DurationStats = Schemas['DurationStats'];
export type TagImpactEntry = Schemas['TagImpactEntry'];
export type TagAnalytics = Schemas['TagImpactResponse'];
export type Summary = Schemas['SummaryResponse'];
export type NameRollup = Schemas['NameRollup'];
export type NewRunRequest = Schemas['NewProcessRequest'];
export type CompleteRequest = Schemas['CompleteRequest'];
export type ErrorDetail = Schemas['FieldErrorBody'];

/** A process run after normalisation: every field present, arrays and objects never missing. */
export type ProcessRun = Schemas['ProcessResponse'];

/** A page of runs; `total_exact` false means the server capped the count at a lower bound. */
export type ProcessPage = Schemas['ProcessPage'];
export type NameRollupPage = Schemas['NameRollupPage'];

type QueryOf<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } }
  ? NonNullable<Q>
  : never;

/** The query parameters of `GET /processes/`, `/analytics/tags` and `/analytics/names`. */
export type ListQuery = QueryOf<'/processes'>;
export type TagAnalyticsQuery = QueryOf<'/analytics/tags'>;
export type NamesQuery = QueryOf<'/analytics/names'>;

/** The part of `GET /health` the header shows; the document declares no schema for its body. */
export interface Health {
  status: string;
  version: string | null;
}

// Records keyed by the enums, so a value added on the server fails to compile until it is listed.
const RUN_STATUS_KEYS: Record<RunStatus, true> = { ACTIVE: true, COMPLETED: true, FAILED: true };
const DEADLINE_STATUS_KEYS: Record<DeadlineStatus, true> = {
  ON_TRACK: true,
  MISSED: true,
  COMPLETED_ON_TIME: true,
  COMPLETED_LATE: true,
};

export const RUN_STATUSES = Object.keys(RUN_STATUS_KEYS) as readonly RunStatus[];
export const DEADLINE_STATUSES = Object.keys(DEADLINE_STATUS_KEYS) as readonly DeadlineStatus[];

/** A status filter from the URL, read as the server reads it (any case, `-` for `_`); a value
 * that is no status is dropped rather than sent. */
export function asRunStatus(value: string | undefined): RunStatus | undefined {
  return pick(RUN_STATUSES, value);
}

export function asDeadlineStatus(value: string | undefined): DeadlineStatus | undefined {
  return pick(DEADLINE_STATUSES, value);
}

function pick<T extends string>(allowed: readonly T[], value: string | undefined): T | undefined {
  const canonical = value?.trim().toUpperCase().replace(/-/g, '_');
  return allowed.find((member) => member === canonical);
}

/** The `sort_by` fields the server accepts, each a field of the run. */
export const SORT_FIELDS = [
  'started_at',
  'completed_at',
  'deadline',
  'name',
  'status',
  'duration',
] as const satisfies readonly (keyof ProcessRun)[];
export type SortField = (typeof SORT_FIELDS)[number];
