import type { SortField } from '../api/types';
import { nextSort } from '../lib/sort';
import type { SortState } from '../lib/sort';

interface Props {
  field: SortField;
  label: string;
  sort: SortState;
  onSort: (next: SortState) => void;
  className?: string;
}

export function SortHeader({ field, label, sort, onSort, className }: Props) {
  const active = sort.field === field;
  const arrow = active ? (sort.dir === 'asc' ? '▲' : '▼') : '';
  return (
    <th className={className} aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        className={active ? 'sort-btn sort-btn--active' : 'sort-btn'}
        onClick={() => onSort(nextSort(sort, field))}
        data-testid={`sort-${field}`}
      >
        {label} <span aria-hidden="true">{arrow}</span>
      </button>
    </th>
  );
}
