import { describe, expect, it } from 'vitest';
import { DEFAULT_SORT, formatSort, nextSort, parseSort } from './sort';

describe('sort_by', () => {
  it('defaults to started_at desc', () => {
    expect(parseSort(undefined)).toEqual(DEFAULT_SORT);
    expect(parseSort('')).toEqual(DEFAULT_SORT);
  });

  it('reads field:dir like the server (no dir is asc, unknown dir is desc, first item only)', () => {
    expect(parseSort('deadline:asc')).toEqual({ field: 'deadline', dir: 'asc' });
    expect(parseSort('name')).toEqual({ field: 'name', dir: 'asc' });
    expect(parseSort('Duration:DOWN')).toEqual({ field: 'duration', dir: 'desc' });
    expect(parseSort('name:asc,started_at:desc')).toEqual({ field: 'name', dir: 'asc' });
  });

  it('toggles the direction of the current column and starts new columns sensibly', () => {
    expect(nextSort({ field: 'deadline', dir: 'asc' }, 'deadline')).toEqual({ field: 'deadline', dir: 'desc' });
    expect(nextSort(DEFAULT_SORT, 'name')).toEqual({ field: 'name', dir: 'asc' });
    expect(nextSort(DEFAULT_SORT, 'duration')).toEqual({ field: 'duration', dir: 'desc' });
    expect(formatSort({ field: 'status', dir: 'asc' })).toBe('status:asc');
  });
});
