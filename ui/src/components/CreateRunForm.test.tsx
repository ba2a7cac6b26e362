import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockFetch } from '../test/fetchMock';
import { emptyPage, emptySummary, emptyTags, sampleRun } from '../test/fixtures';
import { renderApp } from '../test/render';

const base = {
  '/health': { body: { status: 'UP' } },
  '/analytics/summary': { body: emptySummary },
  '/analytics/tags': { body: emptyTags },
  'GET /processes/': { body: emptyPage },
};

describe('create run form', () => {
  it('opens from the header, posts the run and opens its detail', async () => {
    const { calls } = mockFetch({
      ...base,
      'POST /processes/billing': { status: 201, body: { ...sampleRun, name: 'billing', id: 'inv-001' } },
      'GET /processes/billing/inv-001': { body: { ...sampleRun, name: 'billing', id: 'inv-001' } },
    });
    renderApp();
    await userEvent.click(screen.getByTestId('new-run-button'));
    expect(window.location.search).toBe('?new=1');
    await userEvent.type(screen.getByTestId('create-name'), 'billing');
    await userEvent.type(screen.getByTestId('create-id'), 'inv-001');
    await userEvent.selectOptions(screen.getByTestId('create-deadline-mode'), 'none');
    await userEvent.click(screen.getByTestId('tag-add'));
    await userEvent.type(screen.getByTestId('tag-key'), 'country');
    await userEvent.type(screen.getByTestId('tag-value'), 'DE');
    await userEvent.type(screen.getByTestId('create-context'), '{{"a": 1}');
    await userEvent.click(screen.getByTestId('create-submit'));

    await waitFor(() => expect(window.location.search).toBe('?process=billing/inv-001'));
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.url).toBe('/processes/billing');
    expect(post.body).toEqual({ id: 'inv-001', tags: [{ key: 'country', value: 'DE' }], context: { a: 1 } });
    expect(await screen.findByTestId('run-detail')).toBeInTheDocument();
    expect(screen.queryByTestId('create-run')).not.toBeInTheDocument();
  });

  it('checks fields before sending anything', async () => {
    const { calls } = mockFetch(base);
    renderApp('?new=1');
    await userEvent.type(screen.getByTestId('create-name'), 'bad name');
    await userEvent.type(screen.getByTestId('create-id'), 'ab');
    await userEvent.click(screen.getByTestId('create-submit'));
    expect(screen.getByText('Letters, digits, "-" and "_" only.')).toBeInTheDocument();
    expect(screen.getByText('Between 3 and 50 characters.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('shows the server message when the run exists already', async () => {
    mockFetch({
      ...base,
      'POST /processes/billing': { status: 409, body: { error: 'PROCESS_ALREADY_EXISTS', message: "Active process already exists: name='billing', id='inv-001'" } },
    });
    renderApp('?name=billing&new=1');
    expect(screen.getByTestId('create-name')).toHaveValue('billing');
    await userEvent.type(screen.getByTestId('create-id'), 'inv-001');
    await userEvent.click(screen.getByTestId('create-submit'));
    expect(await screen.findByText("Active process already exists: name='billing', id='inv-001'")).toBeInTheDocument();
    expect(window.location.search).toBe('?name=billing&new=1');
  });
});
