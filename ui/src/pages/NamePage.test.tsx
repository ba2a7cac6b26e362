import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockFetch } from '../test/fetchMock';
import { emptyPage, emptyTags, sampleRun } from '../test/fixtures';
import { renderApp } from '../test/render';

const analytics = {
  window_hours: 24,
  generated_at: 1752900000,
  total_processes: 10,
  problem_processes: 3,
  duration: { count: 7, avg_seconds: 2100.4, p50_seconds: 1800, p90_seconds: 4500, p99_seconds: 7260.5 },
  tags: [
    {
      key: 'country',
      value: 'DE',
      overdue: 2,
      on_track: 0,
      completed_late: 1,
      completed_on_time: 1,
      failed: 0,
      total: 4,
      problems: 3,
      duration: { count: 2, avg_seconds: 4000, p50_seconds: 4000, p90_seconds: 4500, p99_seconds: 4590 },
    },
    { key: 'country', value: 'FR', overdue: 0, on_track: 3, completed_late: 0, completed_on_time: 3, failed: 0, total: 6, problems: 0 },
  ],
};

describe('per-name page', () => {
  it('shows totals, p50/p90/p99 and the per-tag table for ?name=NAME', async () => {
    const { calls } = mockFetch({
      '/health': { body: { status: 'UP' } },
      '/analytics/tags': { body: analytics },
      '/processes/': { body: { data: [sampleRun], total: 1, limit: 20, offset: 0, has_more: false } },
    });
    renderApp('?name=account-activation');
    expect(await screen.findByTestId('name-title')).toHaveTextContent('account-activation');
    expect(await screen.findByTestId('latency-p50')).toHaveTextContent('30m');
    expect(screen.getByTestId('latency-p90')).toHaveTextContent('1h 15m');
    expect(screen.getByTestId('latency-p99')).toHaveTextContent('2h 1m');
    expect(screen.getByTestId('name-total')).toHaveTextContent('10');
    expect(screen.getByTestId('name-problems')).toHaveTextContent('3');
    const rows = screen.getAllByTestId('tag-impact-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByTestId('tag-p90')).toHaveTextContent('1h 15m');
    expect(within(rows[1]!).getByTestId('tag-p90')).toHaveTextContent('—');
    expect(calls.some((c) => c.url === '/analytics/tags?name=account-activation&window_hours=24')).toBe(true);
    expect(calls.some((c) => c.url.startsWith('/processes/?name=account-activation&limit=20'))).toBe(true);
  });

  it('switches the period and keeps it in the URL', async () => {
    const { calls } = mockFetch({ '/analytics/tags': { body: analytics }, '/processes/': { body: emptyPage }, '/health': { body: {} } });
    renderApp('?name=billing');
    await userEvent.click(await screen.findByTestId('period-168'));
    await waitFor(() => expect(window.location.search).toBe('?name=billing&window=168'));
    await waitFor(() => expect(calls.some((c) => c.url === '/analytics/tags?name=billing&window_hours=168')).toBe(true));
    await userEvent.click(screen.getByTestId('period-1'));
    await waitFor(() => expect(calls.some((c) => c.url === '/analytics/tags?name=billing&window_hours=1')).toBe(true));
    expect(screen.getByTestId('period-1')).toHaveAttribute('aria-pressed', 'true');
  });

  it('handles a name without data: no duration, tags: []', async () => {
    mockFetch({ '/analytics/tags': { body: emptyTags }, '/processes/': { body: emptyPage }, '/health': { body: {} } });
    renderApp('?name=quiet');
    expect(await screen.findByTestId('latency-empty')).toBeInTheDocument();
    expect(screen.getByText('No tagged runs in this period')).toBeInTheDocument();
    expect(await screen.findByText('No runs yet')).toBeInTheDocument();
  });
});
