import { describe, expect, it, vi } from 'vitest';
import { mockFetch } from '../test/fetchMock';
import { API_KEY_STORAGE, setApiKey, UNAUTHORIZED_EVENT } from './apiKey';
import { api, buildQuery, runPath } from './client';
import { ApiError } from './errors';

describe('api client URLs', () => {
  it('lists runs on the relative /processes/ route with a query string', async () => {
    const { calls } = mockFetch({ '/processes/': { body: { data: [], total: 0, limit: 50, offset: 0, has_more: false } } });
    await api.listRuns({ name: 'billing', status: 'ACTIVE', tags: 'country:DE,channel:web', sort_by: 'deadline:asc', limit: 50, offset: 100 });
    const url = calls[0]!.url;
    expect(url.startsWith('/processes/?')).toBe(true);
    const params = new URLSearchParams(url.split('?')[1]);
    expect(Object.fromEntries(params)).toEqual({
      name: 'billing',
      status: 'ACTIVE',
      tags: 'country:DE,channel:web',
      sort_by: 'deadline:asc',
      limit: '50',
      offset: '100',
    });
  });

  it('leaves out empty query values', () => {
    expect(buildQuery({ a: '', b: undefined, c: null, d: 0, e: 'x' })).toBe('?d=0&e=x');
    expect(buildQuery({})).toBe('');
  });

  it('encodes name and id in run paths', () => {
    expect(runPath('billing', 'order 42/a')).toBe('/processes/billing/order%2042%2Fa');
  });

  it('calls the analytics endpoints with relative URLs', async () => {
    const { calls } = mockFetch({ '/analytics/': { body: {} } });
    await api.summary();
    await api.tagAnalytics({ name: 'billing', window_hours: 168 });
    await api.names({ limit: 20, offset: 40 });
    expect(calls.map((c) => c.url)).toEqual([
      '/analytics/summary',
      '/analytics/tags?name=billing&window_hours=168',
      '/analytics/names?limit=20&offset=40',
    ]);
  });

  it('sends the JSON bodies of create, complete, fail and delete', async () => {
    const { calls } = mockFetch({
      'POST /processes/': { status: 201, body: { id: 'run-1', name: 'billing', status: 'ACTIVE' } },
      'PUT /processes/': { body: { id: 'run-1', name: 'billing', status: 'COMPLETED' } },
      'DELETE /processes/': { status: 204 },
    });
    await api.createRun('billing', { id: 'run-1', deadline: 1752903600, tags: [{ key: 'country', value: 'DE' }], context: {} });
    await api.finishRun('billing', 'run-1', 'COMPLETED');
    await api.finishRun('billing', 'run-1', 'FAILED');
    await expect(api.deleteRun('billing', 'run-1')).resolves.toBeUndefined();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /processes/billing',
      'PUT /processes/billing/run-1/complete',
      'PUT /processes/billing/run-1/complete',
      'DELETE /processes/billing/run-1',
    ]);
    expect(calls[0]!.body).toEqual({ id: 'run-1', deadline: 1752903600, tags: [{ key: 'country', value: 'DE' }], context: {} });
    expect(calls[0]!.headers['Content-Type']).toBe('application/json');
    expect(calls[1]!.body).toEqual({ status: 'COMPLETED' });
    expect(calls[2]!.body).toEqual({ status: 'FAILED' });
  });
});

describe('api key', () => {
  it('sends no X-API-KEY when none is stored', async () => {
    const { calls } = mockFetch({ '/analytics/summary': { body: {} } });
    await api.summary();
    expect(calls[0]!.headers['X-API-KEY']).toBeUndefined();
  });

  it('sends the stored key as X-API-KEY on every request', async () => {
    setApiKey('  secret-key ');
    expect(window.localStorage.getItem(API_KEY_STORAGE)).toBe('secret-key');
    const { calls } = mockFetch({ '/': { body: {} } });
    await api.summary();
    await api.listRuns({});
    await api.health();
    expect(calls.map((c) => c.headers['X-API-KEY'])).toEqual(['secret-key', 'secret-key', 'secret-key']);
  });

  it('forgets the key when set to an empty string', () => {
    setApiKey('abc');
    setApiKey('');
    expect(window.localStorage.getItem(API_KEY_STORAGE)).toBeNull();
  });
});

describe('api errors', () => {
  it('reads the custom error shape with details', async () => {
    mockFetch({
      'POST /processes/': {
        status: 400,
        body: {
          error: 'VALIDATION_ERROR',
          message: 'Request validation failed',
          timestamp: 1752900000,
          path: '/processes/billing',
          details: [{ field: 'id', message: 'Process ID must be between 3 and 50 characters', rejected_value: 'ab' }],
        },
      },
    });
    const err = await api.createRun('billing', { id: 'ab', tags: [], context: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.kind).toBe('http');
    expect(e.status).toBe(400);
    expect(e.code).toBe('VALIDATION_ERROR');
    expect(e.message).toBe('Request validation failed');
    expect(e.details).toEqual([{ field: 'id', message: 'Process ID must be between 3 and 50 characters', rejected_value: 'ab' }]);
  });

  it('reads the framework shape {message, _embedded.errors[0].message}', async () => {
    mockFetch({
      '/processes/': {
        status: 500,
        body: {
          message: 'Internal Server Error',
          _embedded: { errors: [{ message: "Internal Server Error: Process not found: name='a', id='b'" }] },
          _links: { self: { href: '/processes/a/b' } },
        },
      },
    });
    const e = (await api.getRun('a', 'b').catch((x: unknown) => x)) as ApiError;
    expect(e.kind).toBe('http');
    expect(e.message).toBe("Internal Server Error: Process not found: name='a', id='b'");
  });

  it('turns 401 into an unauthorized error and tells the app', async () => {
    mockFetch({ '/processes/': { status: 401, body: { error: 'UNAUTHORIZED', message: 'Missing or invalid X-API-KEY header', path: '/processes' } } });
    const listener = vi.fn();
    window.addEventListener(UNAUTHORIZED_EVENT, listener);
    const e = (await api.listRuns({}).catch((x: unknown) => x)) as ApiError;
    window.removeEventListener(UNAUTHORIZED_EVENT, listener);
    expect(e.kind).toBe('unauthorized');
    expect(e.message).toBe('Missing or invalid X-API-KEY header');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('reports an unreachable server as a network error', async () => {
    mockFetch({});
    const e = (await api.summary().catch((x: unknown) => x)) as ApiError;
    expect(e.kind).toBe('network');
    expect(e.message).toMatch(/cannot reach the server/i);
  });

  it('reports a proxy answer without JSON as a network error', async () => {
    mockFetch({ '/analytics/summary': { status: 502, text: '<html>Bad Gateway</html>', contentType: 'text/html' } });
    const e = (await api.summary().catch((x: unknown) => x)) as ApiError;
    expect(e.kind).toBe('network');
    expect(e.status).toBe(502);
  });

  it('keeps a JSON 500 as an API error with its message', async () => {
    mockFetch({ '/analytics/summary': { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', message: 'An unexpected error occurred. Please try again later.' } } });
    const e = (await api.summary().catch((x: unknown) => x)) as ApiError;
    expect(e.kind).toBe('http');
    expect(e.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('flags a success answer that is not JSON (an SPA fallback instead of the API)', async () => {
    mockFetch({ '/analytics/summary': { text: '<!doctype html><html></html>', contentType: 'text/html' } });
    const e = (await api.summary().catch((x: unknown) => x)) as ApiError;
    expect(e.kind).toBe('bad-response');
    expect(e.message).toContain('text/html');
  });

  it('reads a 503 health answer as DOWN rather than an outage', async () => {
    mockFetch({ '/health': { status: 503, body: { status: 'DOWN', components: {} } } });
    await expect(api.health()).resolves.toEqual({ status: 'DOWN', version: null });
  });
});
