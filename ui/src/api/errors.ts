import type { ErrorDetail } from './types';
import { asObject } from './normalize';

/**
 * network: no answer, or a proxy answered that the API is down.
 * unauthorized: HTTP 401, the server wants an X-API-KEY.
 * http: any other error answer from the API.
 * bad-response: a success status whose body is not the expected JSON.
 */
export type ApiErrorKind = 'network' | 'unauthorized' | 'http' | 'bad-response';

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number;
  readonly code: string | null;
  readonly details: ErrorDetail[];
  readonly path: string;

  constructor(opts: {
    kind: ApiErrorKind;
    message: string;
    status?: number;
    code?: string | null;
    details?: ErrorDetail[];
    path: string;
  }) {
    super(opts.message);
    this.name = 'ApiError';
    this.kind = opts.kind;
    this.status = opts.status ?? 0;
    this.code = opts.code ?? null;
    this.details = opts.details ?? [];
    this.path = opts.path;
  }
}

export interface ParsedError {
  code: string | null;
  message: string | null;
  details: ErrorDetail[];
}

function parseDetails(value: unknown): ErrorDetail[] {
  if (!Array.isArray(value)) return [];
  return value.map((d) => {
    const o = asObject(d);
    return {
      field: typeof o.field === 'string' ? o.field : '',
      message: typeof o.message === 'string' ? o.message : '',
      rejected_value: o.rejected_value,
    };
  });
}

/**
 * Reads both error shapes the API family uses: the custom
 * `{error, message, timestamp, path, details?}` and the framework default
 * `{message, _embedded: {errors: [{message}]}}`.
 */
export function parseErrorBody(body: unknown): ParsedError {
  const o = asObject(body);
  const message = typeof o.message === 'string' && o.message ? o.message : null;
  if (typeof o.error === 'string' && o.error) {
    return { code: o.error, message: message ?? o.error, details: parseDetails(o.details) };
  }
  const embedded = asObject(o._embedded);
  const errors = Array.isArray(embedded.errors) ? embedded.errors : [];
  const first = asObject(errors[0]);
  if (typeof first.message === 'string' && first.message) {
    return { code: null, message: first.message, details: [] };
  }
  return { code: null, message, details: parseDetails(o.details) };
}

export function errorFromResponse(status: number, body: unknown, path: string): ApiError {
  const parsed = parseErrorBody(body);
  if (status === 401) {
    return new ApiError({
      kind: 'unauthorized',
      status,
      code: parsed.code ?? 'UNAUTHORIZED',
      message: parsed.message ?? 'This server requires an API key.',
      path,
    });
  }
  const noJson = body === undefined || body === null || typeof body !== 'object';
  if (parsed.message === null && noJson && status >= 500) {
    return new ApiError({
      kind: 'network',
      status,
      message: `The server answered HTTP ${status} without a JSON body: a proxy in front of the API could not reach it.`,
      path,
    });
  }
  return new ApiError({
    kind: 'http',
    status,
    code: parsed.code,
    message: parsed.message ?? `The server answered HTTP ${status}.`,
    details: parsed.details,
    path,
  });
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
