import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { App } from '../App';
import { ToastProvider } from '../components/Toast';
import { NavProvider } from '../hooks/useNav';
import { RefreshProvider } from '../hooks/useRefresh';

/** Renders inside the app's providers, with the URL set to `search` and no auto-refresh. */
export function renderWithProviders(ui: ReactElement, search = '') {
  window.history.replaceState(null, '', `/${search}`);
  return render(
    <NavProvider>
      <RefreshProvider intervalMs={0}>
        <ToastProvider>{ui}</ToastProvider>
      </RefreshProvider>
    </NavProvider>,
  );
}

export function renderApp(search = '') {
  return renderWithProviders(<App />, search);
}

export const sampleRun = {
  id: 'run-001',
  name: 'account-activation',
  status: 'ACTIVE',
  deadline_status: 'ON_TRACK',
  started_at: 1752900000,
  deadline: 1752903600,
  tags: [{ key: 'country', value: 'DE' }],
  context: { customerId: 'C1234' },
  duration: 42,
};

export const emptyPage = { data: [], total: 0, limit: 50, offset: 0, has_more: false };

export const emptySummary = {
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

export const emptyTags = { window_hours: 24, generated_at: 1752900000, total_processes: 0, problem_processes: 0, tags: [] };
