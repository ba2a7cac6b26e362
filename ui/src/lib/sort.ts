import type { SortField } from '../api/types';

export interface SortState {
  field: string;
  dir: 'asc' | 'desc';
}

export const DEFAULT_SORT: SortState = { field: 'started_at', dir: 'desc' };

/** Reads `field:dir` as the server does: no direction means asc, anything but asc means desc. */
export function parseSort(value: string | undefined): SortState {
  if (!value) return DEFAULT_SORT;
  const [field = '', dir] = value.split(',')[0]!.split(':');
  if (!field.trim()) return DEFAULT_SORT;
  return { field: field.trim().toLowerCase(), dir: dir === undefined || dir.toLowerCase() === 'asc' ? 'asc' : 'desc' };
}

export function nextSort(current: SortState, field: SortField): SortState {
  if (current.field === field) return { field, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { field, dir: field === 'name' || field === 'status' ? 'asc' : 'desc' };
}

export function formatSort(sort: SortState): string {
  return `${sort.field}:${sort.dir}`;
}
