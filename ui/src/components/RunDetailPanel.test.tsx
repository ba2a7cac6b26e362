import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockFetch } from '../test/fetchMock';
import type { Call } from '../test/fetchMock';
import { emptyPage, emptySummary, emptyTags, runFixture, sampleRun } from '../test/fixtures';
import { renderApp } from '../test/render';

const base = {
  '/health': { body: { status: 'UP' } },
  '/analytics/summary': { body: emptySummary },
  '/analytics/tags': { body: emptyTags },
  '/processes/': { body: emptyPage },
};

function lastCall(calls: Call[], method: string): Call | undefined {
  return calls.filter((c) => c.method === method).at(-1);
}

describe('run detail panel', () => {
  it('opens from the deep link ?process=NAME/ID, decoding + as a space', async () => {
    const run = { ...sampleRun, id: 'order 42' };
    const { calls } = mockFetch({ ...base, '/processes/account-activation/order%2042': { body: run } });
    renderApp('?process=account-activation/order+42');
    const panel = await screen.findByTestId('run-detail');
    expect(within(panel).getByTestId('detail-id')).toHaveTextContent('order 42');
    await within(panel).findByTestId('run-fields');
    expect(calls.some((c) => c.url === '/processes/account-activation/order%2042')).toBe(true);
    expect(within(panel).getByTestId('detail-tags')).toHaveTextContent('country=DE');
    expect(within(panel).getByTestId('detail-context')).toHaveTextContent('"customerId": "C1234"');
    expect(within(panel).getByTestId('detail-duration')).toHaveTextContent('42s');
    expect(within(panel).getByTestId('detail-started')).toHaveTextContent(/19 Jul.*, 04:40 UTC/);
  });

  it('shows the deadline status of a FAILED run with a deadline', async () => {
    const run = runFixture({ status: 'FAILED', deadline_status: null, deadline: 1752903600, completed_at: 1752905000 });
    mockFetch({ ...base, '/processes/account-activation/run-001': { body: run } });
    renderApp('?process=account-activation/run-001');
    const panel = await screen.findByTestId('run-detail');
    await within(panel).findByTestId('run-fields');
    expect(within(panel).getByTestId('deadline-status')).toHaveTextContent('Failed after deadline');
    expect(within(panel).getByTestId('detail-deadline')).not.toHaveTextContent('—');
    expect(within(panel).getByTestId('detail-deadline-note')).toHaveTextContent('finished 23m 20s after the deadline');
  });

  it('shows 404 as a readable error', async () => {
    mockFetch({
      ...base,
      '/processes/billing/nope': { status: 404, body: { error: 'PROCESS_NOT_FOUND', message: "Process not found: name='billing', id='nope'" } },
    });
    renderApp('?process=billing/nope');
    expect(await screen.findByText("Process not found: name='billing', id='nope'")).toBeInTheDocument();
    expect(screen.getByText('Cannot show this run')).toBeInTheDocument();
  });

  it('flags a malformed deep link instead of crashing', async () => {
    mockFetch(base);
    renderApp('?process=just-a-name');
    expect(await screen.findByTestId('bad-process-link')).toHaveTextContent('?process=just-a-name');
  });

  it('completes and fails a run through PUT .../complete', async () => {
    const { calls } = mockFetch({ ...base, '/processes/account-activation/run-001': { body: sampleRun } });
    renderApp('?process=account-activation/run-001');
    await userEvent.click(await screen.findByTestId('action-complete'));
    await waitFor(() => expect(lastCall(calls, 'PUT')?.body).toEqual({ status: 'COMPLETED' }));
    expect(lastCall(calls, 'PUT')?.url).toBe('/processes/account-activation/run-001/complete');
    expect(await screen.findByTestId('toast')).toHaveTextContent('Run run-001 completed');

    await userEvent.click(await screen.findByTestId('action-fail'));
    await waitFor(() => expect(lastCall(calls, 'PUT')?.body).toEqual({ status: 'FAILED' }));
  });

  it('shows a 409 from complete', async () => {
    mockFetch({
      ...base,
      'GET /processes/account-activation/run-001': { body: sampleRun },
      'PUT /processes/account-activation/run-001/complete': {
        status: 409,
        body: { error: 'PROCESS_ALREADY_COMPLETED', message: "Process is already completed: name='account-activation', id='run-001'" },
      },
    });
    renderApp('?process=account-activation/run-001');
    await userEvent.click(await screen.findByTestId('action-complete'));
    expect(await screen.findByText(/Process is already completed/)).toBeInTheDocument();
  });

  it('deletes after confirmation and closes the panel', async () => {
    const { calls } = mockFetch({
      ...base,
      'GET /processes/account-activation/run-001': { body: { ...sampleRun, status: 'COMPLETED', completed_at: 1752900100 } },
      'DELETE /processes/account-activation/run-001': { status: 204 },
    });
    renderApp('?process=account-activation/run-001');
    expect(await screen.findByTestId('action-delete')).toBeInTheDocument();
    expect(screen.queryByTestId('action-complete')).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId('action-delete'));
    expect(lastCall(calls, 'DELETE')).toBeUndefined();
    await userEvent.click(screen.getByTestId('action-delete-confirm'));
    await waitFor(() => expect(screen.queryByTestId('run-detail')).not.toBeInTheDocument());
    expect(lastCall(calls, 'DELETE')?.url).toBe('/processes/account-activation/run-001');
    expect(window.location.search).toBe('');
  });
});
