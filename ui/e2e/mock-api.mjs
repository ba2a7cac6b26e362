// In-memory implementation of the ToTrackIt HTTP API contract (processes, analytics, health),
// for running the UI and its end-to-end tests before or without the real server.
// Black-box only: the tests never call anything here that the real API does not have.

import { names, summary, tagAnalytics } from './mock-analytics.mjs';

const NAME_RE = /^[a-zA-Z0-9_-]+$/;
const DEADLINE_STATUSES = ['ON_TRACK', 'MISSED', 'COMPLETED_ON_TIME', 'COMPLETED_LATE'];
const SORT_FIELDS = ['started_at', 'completed_at', 'deadline', 'name', 'status', 'duration'];

export class HttpError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const nowF = () => Date.now() / 1000;
const floor = Math.floor;

function deadlineStatus(row, now) {
  if (row.deadline == null || row.status === 'FAILED') return null;
  if (row.status === 'ACTIVE') return now > row.deadline ? 'MISSED' : 'ON_TRACK';
  return row.completed_at <= row.deadline ? 'COMPLETED_ON_TIME' : 'COMPLETED_LATE';
}

export function toResponse(row, now = nowF()) {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    deadline_status: deadlineStatus(row, now),
    started_at: floor(row.started_at),
    completed_at: row.completed_at == null ? null : floor(row.completed_at),
    deadline: row.deadline,
    tags: row.tags,
    context: row.context,
    duration: floor(row.completed_at ?? now) - floor(row.started_at),
  };
}

function intParam(query, key, def, min, max) {
  const raw = query.get(key);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
    throw new HttpError(400, 'VALIDATION_ERROR', 'Request validation failed', [
      { field: key, message: max === undefined ? `must be >= ${min}` : `must be between ${min} and ${max}`, rejected_value: raw },
    ]);
  }
  return n;
}

export function parseTagFilter(text) {
  const byKey = new Map();
  for (const piece of (text ?? '').split(',')) {
    const t = piece.trim();
    const i = t.indexOf(':');
    if (i < 0) continue;
    const key = t.slice(0, i).trim();
    if (!key) continue;
    byKey.delete(key);
    byKey.set(key, t.slice(i + 1).trim());
  }
  return [...byKey.entries()];
}

function parseSort(raw) {
  if (!raw) return { field: 'started_at', dir: 'desc' };
  const [first] = raw.split(',');
  const [f, d] = first.split(':');
  const dir = d === undefined || d.toLowerCase() === 'asc' ? 'asc' : 'desc';
  const field = SORT_FIELDS.includes(f.trim().toLowerCase()) ? f.trim().toLowerCase() : 'started_at';
  return { field, dir };
}

export class MockStore {
  constructor() {
    this.rows = [];
    this.seq = 0;
  }

  find(name, id) {
    const matches = this.rows.filter((r) => r.name === name && r.id === id);
    return matches.find((r) => r.status === 'ACTIVE') ?? matches.sort((a, b) => b.started_at - a.started_at)[0];
  }

  create(name, body, path) {
    if (!name || name.length > 100) throw new HttpError(400, 'INVALID_ARGUMENT', 'Process name cannot exceed 100 characters');
    if (!NAME_RE.test(name)) throw new HttpError(400, 'VALIDATION_ERROR', 'Request validation failed', [{ field: 'name', message: 'must match "^[a-zA-Z0-9_-]+$"', rejected_value: name }]);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'VALIDATION_ERROR', 'Request body is required');
    const id = typeof body.id === 'string' ? body.id : '';
    if (id.trim().length === 0 || id.length < 3 || id.length > 50) {
      throw new HttpError(400, 'VALIDATION_ERROR', 'Request validation failed', [{ field: 'id', message: 'Process ID must be between 3 and 50 characters', rejected_value: body.id ?? null }]);
    }
    const now = nowF();
    let deadline = null;
    if (body.deadline !== undefined && body.deadline !== null) {
      if (!Number.isInteger(body.deadline) || body.deadline <= 0) throw new HttpError(400, 'INVALID_ARGUMENT', 'Deadline must be a positive timestamp');
      if (body.deadline < now - 60) throw new HttpError(400, 'INVALID_ARGUMENT', 'Deadline cannot be in the past');
      deadline = body.deadline;
    }
    const tags = Array.isArray(body.tags) ? body.tags : [];
    if (tags.length > 20) throw new HttpError(400, 'INVALID_ARGUMENT', 'Cannot have more than 20 tags per process');
    for (const t of tags) {
      if (!t || typeof t.key !== 'string' || !t.key.trim()) throw new HttpError(400, 'INVALID_ARGUMENT', 'Tag key cannot be null or empty');
      if (typeof t.value !== 'string' || !t.value.trim()) throw new HttpError(400, 'INVALID_ARGUMENT', 'Tag value cannot be null or empty');
      if (t.key.length > 50) throw new HttpError(400, 'INVALID_ARGUMENT', 'Tag key cannot exceed 50 characters');
      if (t.value.length > 100) throw new HttpError(400, 'INVALID_ARGUMENT', 'Tag value cannot exceed 100 characters');
    }
    const context = body.context ?? {};
    if (typeof context !== 'object' || Array.isArray(context)) throw new HttpError(400, 'VALIDATION_ERROR', 'context must be a JSON object');
    if (this.rows.some((r) => r.name === name && r.id === id && r.status === 'ACTIVE')) {
      throw new HttpError(409, 'PROCESS_ALREADY_EXISTS', `Active process already exists: name='${name}', id='${id}'`);
    }
    void path;
    const row = { seq: ++this.seq, name, id, status: 'ACTIVE', started_at: now, completed_at: null, deadline, tags: tags.map((t) => ({ key: t.key, value: t.value })), context };
    this.rows.push(row);
    return row;
  }

  complete(name, id, body) {
    const status = body && typeof body === 'object' && body.status ? body.status : 'COMPLETED';
    if (status === 'ACTIVE') throw new HttpError(400, 'INVALID_ARGUMENT', 'Cannot complete process with ACTIVE status');
    if (status !== 'COMPLETED' && status !== 'FAILED') throw new HttpError(400, 'VALIDATION_ERROR', `Unknown status: ${status}`);
    const row = this.find(name, id);
    if (!row) throw new HttpError(404, 'PROCESS_NOT_FOUND', `Process not found: name='${name}', id='${id}'`);
    if (row.status !== 'ACTIVE') throw new HttpError(409, 'PROCESS_ALREADY_COMPLETED', `Process is already completed: name='${name}', id='${id}'`);
    row.status = status;
    row.completed_at = nowF();
    return row;
  }

  remove(name, id) {
    const row = this.find(name, id);
    if (!row) throw new HttpError(404, 'PROCESS_NOT_FOUND', `Process not found: name='${name}', id='${id}'`);
    this.rows = this.rows.filter((r) => r !== row);
  }

  list(query) {
    const limit = intParam(query, 'limit', 20, 1, 100);
    const offset = intParam(query, 'offset', 0, 0);
    const now = nowF();
    const status = query.get('status');
    if (status && !['ACTIVE', 'COMPLETED', 'FAILED'].includes(status.toUpperCase())) {
      throw new HttpError(400, 'VALIDATION_ERROR', 'Request validation failed', [{ field: 'status', message: 'invalid value', rejected_value: status }]);
    }
    const ds = query.get('deadlineStatus');
    if (ds && !DEADLINE_STATUSES.includes(ds.toUpperCase())) {
      throw new HttpError(400, 'VALIDATION_ERROR', 'Request validation failed', [{ field: 'deadlineStatus', message: 'invalid value', rejected_value: ds }]);
    }
    const tags = parseTagFilter(query.get('tags'));
    const before = query.get('deadlineBefore');
    const after = query.get('deadlineAfter');
    const runningMin = query.get('runningDurationMin');
    let rows = this.rows.filter((r) => {
      if (query.get('name') && r.name !== query.get('name')) return false;
      if (query.get('id') && r.id !== query.get('id')) return false;
      if (status && r.status !== status.toUpperCase()) return false;
      if (ds && deadlineStatus(r, now) !== ds.toUpperCase()) return false;
      if (before && !(r.deadline != null && r.deadline < Number(before))) return false;
      if (after && !(r.deadline != null && r.deadline > Number(after))) return false;
      if (runningMin && !(r.status === 'ACTIVE' && r.started_at <= now - Number(runningMin) * 60)) return false;
      return tags.every(([k, v]) => r.tags.some((t) => t.key === k && t.value === v));
    });
    const { field, dir } = parseSort(query.get('sort_by'));
    const keyOf = (r) => {
      if (field === 'duration') return (r.completed_at ?? now) - r.started_at;
      return r[field];
    };
    rows = [...rows].sort((a, b) => {
      const ka = keyOf(a);
      const kb = keyOf(b);
      if (ka == null && kb != null) return 1;
      if (kb == null && ka != null) return -1;
      if (ka != null && kb != null && ka !== kb) return (ka < kb ? -1 : 1) * (dir === 'asc' ? 1 : -1);
      return b.seq - a.seq;
    });
    const data = rows.slice(offset, offset + limit).map((r) => toResponse(r, now));
    return { data, total: rows.length, limit, offset, has_more: offset + data.length < rows.length };
  }

  tagAnalytics(query) {
    return tagAnalytics(this.rows, intParam(query, 'window_hours', 24, 1, 720), query.get('name'));
  }

  summary() {
    return summary(this.rows);
  }

  names(query) {
    return names(this.rows, intParam(query, 'limit', 20, 1, 100), intParam(query, 'offset', 0, 0));
  }
}
