import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockFetch } from '../test/fetchMock';
import { emptyPage, emptySummary, emptyTags, runFixture, sampleRun } from '../test/fixtures';
import { renderApp } from '../test/render';

function routes(overrides: Record<string, unknown> = {}) {
  return {
    '/health': { body: { status: 'UP' } },
    '/analytics/summary': { body: { ...emptySummary, total: 3, active: 2, overdue: 1 } },
    '/analytics/tags': { body: emptyTags },
    '/processes/': { body: { data: [sampleRun], total: 1, limit: 50, offset: 0, has_more: false } },
    ...overrides,
  } as Parameters<typeof mockFetch>[0];
}

describe('dashboard', () => {
  it('shows a loading state, then the counts and the runs', async () => {
    mockFetch(routes());
    renderApp();
    expect(screen.getAllByTestId('loading').length).toBeGreaterThan(0);
    const row = await screen.findByTestId('run-row');
    expect(row).toHaveAttribute('data-run-id', 'run-001');
    expect(within(row).getByTestId('run-status')).toHaveTextContent('Active');
    expect(within(row).getByTestId('deadline-status')).toHaveTextContent('On track');
    expect(within(screen.getByTestId('summary-overdue')).getByTestId('stat-value')).toHaveTextContent('1');
    expect(await screen.findByTestId('health-status')).toHaveAttribute('data-state', 'up');
  });

  it('shows empty states for data: [] and tags: []', async () => {
    mockFetch(routes({ '/processes/': { body: emptyPage }, '/analytics/summary': { body: emptySummary } }));
    renderApp();
    expect(await screen.findByText('No runs yet')).toBeInTheDocument();
    expect(await screen.findByText(/No tagged run is overdue/)).toBeInTheDocument();
  });

  it('does not crash when the server omits data, tags and optional fields', async () => {
    mockFetch(
      routes({
        '/processes/': { body: { total: 0, limit: 50, offset: 0, has_more: false } },
        '/analytics/tags': { body: { window_hours: 24, total_processes: 0, problem_processes: 0 } },
        '/analytics/summary': { body: {} },
      }),
    );
    renderApp();
    expect(await screen.findByText('No runs yet')).toBeInTheDocument();
    expect(within(screen.getByTestId('summary-total')).getByTestId('stat-value')).toHaveTextContent('0');
  });

  it('renders sparse runs without optional fields', async () => {
    mockFetch(routes({ '/processes/': { body: { data: [{ id: 'r-9', name: 'billing', status: 'FAILED', started_at: 1752900000 }], total: 1 } } }));
    renderApp();
    const row = await screen.findByTestId('run-row');
    expect(within(row).getByTestId('deadline-status')).toHaveTextContent('no deadline');
  });

  it('shows the deadline and deadline status of a FAILED run, which the server sends as null', async () => {
    const failed = (id: string, completed_at: number) =>
      runFixture({ id, status: 'FAILED', deadline_status: null, deadline: 1752903600, completed_at });
    const page = { ...emptyPage, data: [failed('early', 1752901000), failed('late', 1752905000)], total: 2 };
    mockFetch(routes({ '/processes/': { body: page } }));
    renderApp();
    const rows = await screen.findAllByTestId('run-row');
    const [early, late] = rows.map((row) => within(row).getByTestId('deadline-status'));
    expect(early).toHaveTextContent('Failed before deadline');
    expect(early).toHaveAttribute('data-status', 'FAILED_BEFORE');
    expect(late).toHaveTextContent('Failed after deadline');
    expect(late).toHaveAttribute('data-status', 'FAILED_AFTER');
    expect(within(rows[0]!).getByTestId('run-deadline')).not.toHaveTextContent('—');
  });

  it('explains an unreachable server', async () => {
    mockFetch({});
    renderApp();
    expect((await screen.findAllByText('Cannot reach the server')).length).toBeGreaterThan(0);
    expect(await screen.findByTestId('health-status')).toHaveAttribute('data-state', 'unreachable');
  });

  it('marks a capped total as a lower bound', async () => {
    mockFetch(routes({ '/processes/': { body: { data: [sampleRun], total: 10000, limit: 50, offset: 0, has_more: true, total_exact: false } } }));
    renderApp();
    expect(await screen.findByTestId('run-total')).toHaveTextContent('10,000+ runs');
    expect(screen.getByTestId('page-info')).toHaveTextContent('1–1 of 10,000+');
  });

  it('sends filters, sort and paging to the server and keeps them in the URL', async () => {
    const { calls } = mockFetch(routes({ '/processes/': { body: { data: [sampleRun], total: 120, limit: 50, offset: 0, has_more: true } } }));
    renderApp('?status=ACTIVE');
    await screen.findByTestId('run-row');
    expect(calls.some((c) => c.url.includes('/processes/?status=ACTIVE'))).toBe(true);

    await userEvent.type(screen.getByTestId('filter-tags'), 'country:DE');
    await userEvent.click(screen.getByTestId('filter-apply'));
    await waitFor(() => expect(window.location.search).toBe('?status=ACTIVE&tags=country:DE'));

    await userEvent.click(screen.getByTestId('sort-deadline'));
    await waitFor(() => expect(window.location.search).toContain('sort=deadline:desc'));

    await userEvent.click(await screen.findByTestId('page-next'));
    await waitFor(() => expect(window.location.search).toContain('offset=50'));
    const last = calls.filter((c) => c.url.startsWith('/processes/?')).at(-1)!;
    expect(Object.fromEntries(new URLSearchParams(last.url.split('?')[1]))).toMatchObject({
      status: 'ACTIVE',
      tags: 'country:DE',
      sort_by: 'deadline:desc',
      limit: '50',
      offset: '50',
    });
  });

  it('never sends a tag filter piece with an empty key or value', async () => {
    const { calls } = mockFetch(routes());
    renderApp('?tags=channel:');
    await screen.findByTestId('run-row');
    expect(calls.filter((c) => c.url.startsWith('/processes/')).map((c) => c.url)).toEqual(['/processes/?limit=50&offset=0']);

    await userEvent.clear(screen.getByTestId('filter-tags'));
    await userEvent.type(screen.getByTestId('filter-tags'), 'country:DE,channel:,:web');
    await userEvent.click(screen.getByTestId('filter-apply'));
    await waitFor(() => expect(window.location.search).toBe('?tags=country:DE'));
    const last = calls.filter((c) => c.url.startsWith('/processes/?')).at(-1)!;
    expect(new URLSearchParams(last.url.split('?')[1]).get('tags')).toBe('country:DE');
  });

  it('opens the run detail when a row is clicked, and closes it with the back button', async () => {
    mockFetch(routes({ '/processes/account-activation/run-001': { body: sampleRun } }));
    renderApp();
    await userEvent.click(await screen.findByTestId('run-row'));
    expect(window.location.search).toBe('?process=account-activation/run-001');
    expect(await screen.findByTestId('run-detail')).toBeInTheDocument();
    window.history.back();
    await waitFor(() => expect(screen.queryByTestId('run-detail')).not.toBeInTheDocument());
  });
});
