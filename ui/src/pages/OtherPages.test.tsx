import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockFetch } from '../test/fetchMock';
import { emptyPage, emptySummary, emptyTags } from '../test/fixtures';
import { renderApp } from '../test/render';

const empty = {
  '/health': { body: { status: 'UP' } },
  '/analytics/summary': { body: emptySummary },
  '/analytics/tags': { body: emptyTags },
  '/analytics/names': { body: emptyPage },
  '/processes/': { body: emptyPage },
};

const names = {
  data: [
    { name: 'billing', total: 10, active: 2, failed: 1, overdue: 1, completed: 7, completed_on_time: 5, completed_late: 2, last_started_at: 1752900000 },
    { name: 'kyc' },
  ],
  total: 2,
  limit: 50,
  offset: 0,
  has_more: false,
};

describe('names, tags and metrics pages', () => {
  it.each([
    ['?page=names', 'page-names', 'No processes yet'],
    ['?page=tags', 'page-tags', 'No tagged runs in this period'],
    ['?page=metrics', 'page-metrics', 'No processes yet'],
  ])('%s renders with empty data', async (search, testId, emptyText) => {
    mockFetch(empty);
    renderApp(search);
    expect(screen.getByTestId(testId)).toBeInTheDocument();
    expect((await screen.findAllByText(emptyText)).length).toBeGreaterThan(0);
    await waitFor(() => expect(screen.queryAllByTestId('loading')).toHaveLength(0));
  });

  it('survives bodies that omit every optional field', async () => {
    mockFetch({ ...empty, '/analytics/names': { body: {} }, '/analytics/tags': { body: {} }, '/analytics/summary': { body: {} } });
    renderApp('?page=metrics');
    expect(await screen.findByTestId('chart-status')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryAllByTestId('loading')).toHaveLength(0));
  });

  it('lists names with links to their pages', async () => {
    mockFetch({ ...empty, '/analytics/names': { body: names } });
    renderApp('?page=names');
    const rows = await screen.findAllByTestId('names-row');
    expect(rows).toHaveLength(2);
    await userEvent.click(screen.getAllByTestId('names-link')[0]!);
    expect(window.location.search).toBe('?name=billing');
    expect(await screen.findByTestId('page-name')).toBeInTheDocument();
  });

  it('draws the metrics charts from analytics data', async () => {
    mockFetch({ ...empty, '/analytics/names': { body: names }, '/analytics/summary': { body: { ...emptySummary, total: 10, active: 2, completed: 7, failed: 1 } } });
    renderApp('?page=metrics');
    expect(await screen.findByTestId('chart-names-bars')).toBeInTheDocument();
    expect(screen.getAllByTestId('chart-row')).toHaveLength(2);
    expect(screen.getByTestId('chart-status')).toHaveTextContent('Active (2)');
  });

  it('navigates between pages with the header and the back button', async () => {
    mockFetch(empty);
    renderApp();
    await userEvent.click(screen.getByTestId('nav-tags'));
    expect(window.location.search).toBe('?page=tags');
    expect(screen.getByTestId('page-tags')).toBeInTheDocument();
    await userEvent.click(screen.getByTestId('nav-metrics'));
    expect(screen.getByTestId('page-metrics')).toBeInTheDocument();
    window.history.back();
    await waitFor(() => expect(screen.getByTestId('page-tags')).toBeInTheDocument());
  });
});
