/**
 * The only module that talks HTTP. Every URL is relative, so the UI works behind any origin or
 * proxy that routes /processes, /analytics and /health to the API.
 */
import { getApiKey, UNAUTHORIZED_EVENT } from './apiKey';
import { ApiError, errorFromResponse } from './errors';
import {
  normalizeNamePage,
  normalizeProcessPage,
  normalizeRun,
  normalizeSummary,
  normalizeTagAnalytics,
  asObject,
} from './normalize';
import type {
  CompleteRequest,
  Health,
  ListQuery,
  NameRollupPage,
  NamesQuery,
  NewRunRequest,
  ProcessPage,
  ProcessRun,
  RunStatus,
  Summary,
  TagAnalytics,
  TagAnalyticsQuery,
} from './types';

type QueryValue = string | number | undefined | null;

export function buildQuery(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function runPath(name: string, id: string): string {
  return `/processes/${encodeURIComponent(name)}/${encodeURIComponent(id)}`;
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
}

export async function request(path: string, opts: RequestOptions = {}): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const key = getApiKey();
  if (key) headers['X-API-KEY'] = key;

  let response: Response;
  try {
    response = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError({ kind: 'network', message: 'Cannot reach the server.', path });
  }

  if (response.status === 204) return undefined;
  const text = await response.text();
  let body: unknown = undefined;
  let parsed = true;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      parsed = false;
    }
  }
  if (!response.ok) {
    const error = errorFromResponse(response.status, body, path);
    if (error.kind === 'unauthorized') window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    throw error;
  }
  if (!parsed) {
    const type = response.headers.get('Content-Type') ?? 'unknown type';
    throw new ApiError({
      kind: 'bad-response',
      status: response.status,
      message: `Expected JSON from ${path} but got ${type}. Check that the API, not a static site, answers this path.`,
      path,
    });
  }
  return body;
}

export const api = {
  listRuns(query: ListQuery, signal?: AbortSignal): Promise<ProcessPage> {
    const path = `/processes/${buildQuery({ ...query })}`;
    return request(path, { signal }).then(normalizeProcessPage);
  },
  getRun(name: string, id: string, signal?: AbortSignal): Promise<ProcessRun> {
    return request(runPath(name, id), { signal }).then(normalizeRun);
  },
  createRun(name: string, body: NewRunRequest): Promise<ProcessRun> {
    return request(`/processes/${encodeURIComponent(name)}`, { method: 'POST', body }).then(normalizeRun);
  },
  finishRun(name: string, id: string, status: Exclude<RunStatus, 'ACTIVE'>): Promise<ProcessRun> {
    const body: CompleteRequest = { status };
    return request(`${runPath(name, id)}/complete`, { method: 'PUT', body }).then(normalizeRun);
  },
  deleteRun(name: string, id: string): Promise<void> {
    return request(runPath(name, id), { method: 'DELETE' }).then(() => undefined);
  },
  summary(signal?: AbortSignal): Promise<Summary> {
    return request('/analytics/summary', { signal }).then(normalizeSummary);
  },
  tagAnalytics(params: TagAnalyticsQuery, signal?: AbortSignal): Promise<TagAnalytics> {
    return request(`/analytics/tags${buildQuery(params)}`, { signal }).then(normalizeTagAnalytics);
  },
  names(params: NamesQuery, signal?: AbortSignal): Promise<NameRollupPage> {
    return request(`/analytics/names${buildQuery(params)}`, { signal }).then(normalizeNamePage);
  },
  async health(signal?: AbortSignal): Promise<Health> {
    try {
      const body = asObject(await request('/health', { signal }));
      return { status: String(body.status ?? 'UNKNOWN'), version: typeof body.version === 'string' ? body.version : null };
    } catch (err) {
      // DOWN is served as 503 with the health body; that is an answer, not an outage.
      if (err instanceof ApiError && err.kind === 'http' && err.status === 503) return { status: 'DOWN', version: null };
      throw err;
    }
  },
};
