import { vi } from 'vitest';

export interface MockResponse {
  status?: number;
  body?: unknown;
  /** Raw text instead of JSON. */
  text?: string;
  contentType?: string;
}

export type Route = MockResponse | ((url: string, init: RequestInit) => MockResponse);

export interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function toResponse(r: MockResponse): Response {
  const status = r.status ?? 200;
  if (status === 204) return new Response(null, { status });
  const text = r.text ?? (r.body === undefined ? '' : JSON.stringify(r.body));
  return new Response(text, { status, headers: { 'Content-Type': r.contentType ?? 'application/json' } });
}

/**
 * Replaces fetch. Routes are matched by "METHOD path-prefix" or "path-prefix" (any method); the
 * longest matching prefix wins. Unmatched requests fail the way an unreachable server does.
 */
export function mockFetch(routes: Record<string, Route>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = { ...((init.headers as Record<string, string> | undefined) ?? {}) };
    calls.push({ url, method, headers, body: init.body ? JSON.parse(String(init.body)) : undefined });
    const path = url.split('?')[0] ?? url;
    let best: { len: number; route: Route } | null = null;
    for (const [key, route] of Object.entries(routes)) {
      const [m, p] = key.includes(' ') ? key.split(' ', 2) : [null, key];
      if (m && m !== method) continue;
      if (p && (path === p || path.startsWith(p)) && (!best || p.length > best.len)) best = { len: p.length, route };
    }
    if (!best) throw new TypeError('Failed to fetch');
    const r = typeof best.route === 'function' ? best.route(url, init) : best.route;
    return toResponse(r);
  });
  vi.stubGlobal('fetch', fn);
  return { fn, calls };
}
