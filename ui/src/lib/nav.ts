/**
 * Navigation state lives in the query string so every view can be deep-linked and the back button
 * works. Keys:
 *   page=names|tags|metrics   other pages (absent: dashboard, or the per-name page when name is set)
 *   name=NAME                 per-name page
 *   process=NAME/ID           run detail panel, over any page (split at the first "/")
 *   new=1                     create-run form
 *   f_name, status, deadlineStatus, tags, sort, offset   run list filters, sort and paging
 *   window=1|24|168|720       analytics period in hours
 */

export type PageKey = 'dashboard' | 'name' | 'names' | 'tags' | 'metrics';

export interface RunRef {
  name: string;
  id: string;
}

export type Params = Record<string, string>;

export const WINDOW_CHOICES: ReadonlyArray<{ hours: number; label: string }> = [
  { hours: 1, label: '1 h' },
  { hours: 24, label: '24 h' },
  { hours: 168, label: '7 d' },
  { hours: 720, label: '30 d' },
];

/** Form-decoding: "+" is a space, then percent escapes. Malformed escapes are kept as typed. */
export function decodeFormValue(raw: string): string {
  const spaced = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Parses the raw (still encoded) value of `process=`, splitting at the first "/". */
export function parseProcessParam(raw: string | null | undefined): RunRef | null {
  if (!raw) return null;
  let name: string;
  let id: string;
  const slash = raw.indexOf('/');
  if (slash >= 0) {
    name = decodeFormValue(raw.slice(0, slash));
    id = decodeFormValue(raw.slice(slash + 1));
  } else {
    const decoded = decodeFormValue(raw);
    const inner = decoded.indexOf('/');
    if (inner < 0) return null;
    name = decoded.slice(0, inner);
    id = decoded.slice(inner + 1);
  }
  return name && id ? { name, id } : null;
}

/** Raw key/value pairs of a query string, values still encoded. */
function rawPairs(search: string): Array<[string, string]> {
  const text = search.startsWith('?') ? search.slice(1) : search;
  return text
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? [decodeFormValue(part), ''] : [decodeFormValue(part.slice(0, eq)), part.slice(eq + 1)];
    });
}

/** Decoded params; `process` is kept raw so that its first "/" can be found. */
export function parseParams(search: string): Params {
  const params: Params = {};
  for (const [key, raw] of rawPairs(search)) {
    if (!key) continue;
    params[key] = key === 'process' ? raw : decodeFormValue(raw);
  }
  return params;
}

function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%2F/gi, '/');
}

export function processParam(ref: RunRef): string {
  return `${encodeURIComponent(ref.name)}/${encodeURIComponent(ref.id)}`;
}

/** Builds "?a=b&..." from params; an empty result is "" (the bare dashboard). */
export function buildSearch(params: Params): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === '') continue;
    parts.push(`${encodeURIComponent(key)}=${key === 'process' ? value : encodeValue(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Applies a patch: null or "" removes a key. */
export function patchParams(params: Params, patch: Record<string, string | null | undefined>): Params {
  const next: Params = { ...params };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined || value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}

export function pageOf(params: Params): PageKey {
  const page = params.page;
  if (page === 'names' || page === 'tags' || page === 'metrics') return page;
  if (params.name) return 'name';
  return 'dashboard';
}

export function windowOf(params: Params, fallback = 24): number {
  const hours = Number(params.window);
  return WINDOW_CHOICES.some((w) => w.hours === hours) ? hours : fallback;
}

export function offsetOf(params: Params): number {
  const offset = Number(params.offset);
  return Number.isInteger(offset) && offset > 0 ? offset : 0;
}

export function hrefFor(params: Params): string {
  return `/${buildSearch(params)}`;
}
