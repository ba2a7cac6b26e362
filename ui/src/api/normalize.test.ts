import { describe, expect, it } from 'vitest';
import {
  normalizeNameRollup,
  normalizeNamePage,
  normalizeProcessPage,
  normalizeRun,
  normalizeSummary,
  normalizeTagAnalytics,
  normalizeTagEntry,
} from './normalize';

describe('normalizeRun', () => {
  it('fills every optional field of a sparse run (original server omits nulls and empties)', () => {
    expect(normalizeRun({ id: 'r1', name: 'n', status: 'FAILED', started_at: 10, duration: 5 })).toEqual({
      id: 'r1',
      name: 'n',
      status: 'FAILED',
      deadline_status: null,
      started_at: 10,
      completed_at: null,
      deadline: null,
      tags: [],
      context: {},
      duration: 5,
    });
  });

  it('accepts explicit nulls', () => {
    const run = normalizeRun({ id: 'r', name: 'n', status: 'ACTIVE', deadline_status: null, tags: null, context: null, deadline: null });
    expect(run.tags).toEqual([]);
    expect(run.context).toEqual({});
    expect(run.deadline).toBeNull();
  });

  it('drops unknown enum values and malformed tags', () => {
    const run = normalizeRun({ status: 'WEIRD', deadline_status: 'SOON', tags: [{ key: 'a', value: 'b' }, 'x', { value: 'no key' }], context: [1] });
    expect(run.status).toBe('ACTIVE');
    expect(run.deadline_status).toBeNull();
    expect(run.tags).toEqual([{ key: 'a', value: 'b' }]);
    expect(run.context).toEqual({});
  });

  it('never throws on garbage', () => {
    for (const v of [undefined, null, 1, 'x', []]) expect(() => normalizeRun(v)).not.toThrow();
  });
});

describe('page normalisation', () => {
  it('treats a missing data list as empty', () => {
    expect(normalizeProcessPage({ total: 0, limit: 20, offset: 0, has_more: false })).toEqual({
      data: [],
      total: 0,
      limit: 20,
      offset: 0,
      has_more: false,
      total_exact: true,
    });
  });

  it('keeps a capped total flagged as a lower bound', () => {
    expect(normalizeProcessPage({ data: [], total: 10000, total_exact: false }).total_exact).toBe(false);
  });

  it('derives has_more when absent', () => {
    const page = normalizeProcessPage({ data: [{}, {}], total: 5, offset: 0 });
    expect(page.has_more).toBe(true);
    expect(page.limit).toBe(2);
  });

  it('normalises name rollup pages, which carry no total_exact', () => {
    const page = normalizeNamePage({ data: [{ name: 'billing' }], total: 1, limit: 50, offset: 0, has_more: false });
    expect(page.data[0]).toMatchObject({ name: 'billing', total: 0 });
    expect(page).not.toHaveProperty('total_exact');
  });
});

describe('analytics normalisation', () => {
  it('gives tags [] and duration null for an empty tag analytics answer', () => {
    expect(normalizeTagAnalytics({ window_hours: 24, generated_at: 1, total_processes: 0, problem_processes: 0 })).toEqual({
      window_hours: 24,
      generated_at: 1,
      total_processes: 0,
      problem_processes: 0,
      duration: null,
      tags: [],
    });
  });

  it('keeps duration stats and computes missing entry totals', () => {
    const entry = normalizeTagEntry({ key: 'country', value: 'DE', overdue: 1, completed_late: 2, failed: 1, on_track: 3 });
    expect(entry.total).toBe(7);
    expect(entry.problems).toBe(4);
    expect(entry.duration).toBeNull();
    const withStats = normalizeTagEntry({ key: 'k', value: 'v', duration: { count: 2, avg_seconds: 200, p50_seconds: 200, p90_seconds: 280, p99_seconds: 298 } });
    expect(withStats.duration?.p90_seconds).toBe(280);
  });

  it('zeroes a summary with missing counters', () => {
    const s = normalizeSummary({});
    expect(s.total).toBe(0);
    expect(s.generated_at).toBe(0);
    expect(s.failed_24h).toBe(0);
  });

  it('fills name rollups', () => {
    expect(normalizeNameRollup({ name: 'billing', total: 3 })).toMatchObject({ name: 'billing', total: 3, overdue: 0, last_started_at: 0 });
  });
});
