/**
 * API answers for unit tests, typed from the generated schema (`components['schemas']`), so a
 * fixture cannot drift from what the server sends: a renamed or new required field fails tsc.
 */
import type { components } from '../api/schema';

type Schemas = components['schemas'];

export const sampleRun: Schemas['ProcessResponse'] = {
  id: 'run-001',
  name: 'account-activation',
  status: 'ACTIVE',
  deadline_status: 'ON_TRACK',
  started_at: 1752900000,
  completed_at: null,
  deadline: 1752903600,
  tags: [{ key: 'country', value: 'DE' }],
  context: { customerId: 'C1234' },
  duration: 42,
};

/** A run built from `sampleRun` with the given fields replaced. */
export function runFixture(fields: Partial<Schemas['ProcessResponse']> = {}): Schemas['ProcessResponse'] {
  return { ...sampleRun, ...fields };
}

export const emptyPage: Schemas['ProcessPage'] = {
  data: [],
  total: 0,
  limit: 50,
  offset: 0,
  has_more: false,
  total_exact: true,
};

export const emptySummary: Schemas['SummaryResponse'] = {
  generated_at: 1752900000,
  total: 0,
  active: 0,
  completed: 0,
  failed: 0,
  overdue: 0,
  on_track: 0,
  completed_on_time: 0,
  completed_late: 0,
  completed_24h: 0,
  completed_on_time_24h: 0,
  failed_24h: 0,
};

export const emptyTags: Schemas['TagImpactResponse'] = {
  window_hours: 24,
  generated_at: 1752900000,
  total_processes: 0,
  problem_processes: 0,
  duration: null,
  tags: [],
};
