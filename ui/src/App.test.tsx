import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockFetch } from './test/fetchMock';
import { emptyPage, emptySummary, emptyTags } from './test/fixtures';
import { renderApp } from './test/render';

describe('API key', () => {
  it('prompts for the key on 401 and retries with X-API-KEY', async () => {
    const { calls } = mockFetch({
      '/health': { body: { status: 'UP' } },
      '/analytics/summary': { body: emptySummary },
      '/analytics/tags': { body: emptyTags },
      '/processes/': (_url, init) => {
        const headers = (init.headers ?? {}) as Record<string, string>;
        return headers['X-API-KEY'] === 'k-123'
          ? { body: emptyPage }
          : { status: 401, body: { error: 'UNAUTHORIZED', message: 'Missing or invalid X-API-KEY header', path: '/processes/' } };
      },
    });
    renderApp();
    expect(await screen.findByTestId('api-key-dialog')).toBeInTheDocument();
    expect(screen.getByTestId('api-key-reason')).toHaveTextContent('401');
    expect(screen.getByText('API key required')).toBeInTheDocument();
    await userEvent.type(screen.getByTestId('api-key-input'), 'k-123');
    await userEvent.click(screen.getByTestId('api-key-save'));
    expect(window.localStorage.getItem('totrackit.apiKey')).toBe('k-123');
    expect(await screen.findByText('No runs yet')).toBeInTheDocument();
    await waitFor(() => expect(calls.filter((c) => c.url.startsWith('/processes/')).at(-1)?.headers['X-API-KEY']).toBe('k-123'));
    expect(screen.getByTestId('api-key-button')).toHaveTextContent('API key ✓');
  });

  it('opens the dialog from the header', async () => {
    mockFetch({ '/': { body: {} } });
    renderApp();
    await userEvent.click(screen.getByTestId('api-key-button'));
    expect(screen.getByTestId('api-key-dialog')).toBeInTheDocument();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByTestId('api-key-dialog')).not.toBeInTheDocument();
  });
});
