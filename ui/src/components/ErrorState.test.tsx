import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import { OPEN_API_KEY_EVENT } from './apiKeyEvents';
import { EmptyState } from './EmptyState';
import { ErrorState } from './ErrorState';
import { LoadingState } from './LoadingState';

describe('ErrorState', () => {
  it('explains what to check when the server cannot be reached', () => {
    render(<ErrorState error={new ApiError({ kind: 'network', message: 'Cannot reach the server.', path: '/analytics/summary' })} />);
    expect(screen.getByTestId('error-state')).toHaveAttribute('data-error-kind', 'network');
    expect(screen.getByText('Cannot reach the server')).toBeInTheDocument();
    expect(screen.getByText(/TOTRACKIT_API_URL/)).toBeInTheDocument();
    expect(screen.getByText('GET /health')).toBeInTheDocument();
  });

  it('asks for the API key on 401', async () => {
    const opened = vi.fn();
    window.addEventListener(OPEN_API_KEY_EVENT, opened);
    render(<ErrorState error={new ApiError({ kind: 'unauthorized', status: 401, message: 'Missing or invalid X-API-KEY header', path: '/processes/' })} />);
    expect(screen.getByText('API key required')).toBeInTheDocument();
    expect(screen.getByText('Missing or invalid X-API-KEY header')).toBeInTheDocument();
    await userEvent.click(screen.getByTestId('error-enter-api-key'));
    window.removeEventListener(OPEN_API_KEY_EVENT, opened);
    expect(opened).toHaveBeenCalledTimes(1);
  });

  it('shows the API message, the validation details and the code', () => {
    const error = new ApiError({
      kind: 'http',
      status: 400,
      code: 'VALIDATION_ERROR',
      message: 'Request validation failed',
      details: [{ field: 'id', message: 'Process ID must be between 3 and 50 characters', rejected_value: 'ab' }],
      path: '/processes/billing',
    });
    render(<ErrorState error={error} title="The server refused this run" />);
    expect(screen.getByText('The server refused this run')).toBeInTheDocument();
    expect(screen.getByTestId('error-message')).toHaveTextContent('Request validation failed');
    expect(screen.getByTestId('error-details')).toHaveTextContent('id Process ID must be between 3 and 50 characters');
    expect(screen.getByText(/VALIDATION_ERROR/)).toHaveTextContent('(HTTP 400)');
  });

  it('shows plain errors too', () => {
    render(<ErrorState error={new Error('kaputt')} />);
    expect(screen.getByTestId('error-message')).toHaveTextContent('kaputt');
  });
});

describe('simple states', () => {
  it('renders loading and empty states', () => {
    render(
      <>
        <LoadingState label="Loading runs…" />
        <EmptyState title="No runs yet">Start one.</EmptyState>
      </>,
    );
    expect(screen.getByTestId('loading')).toHaveTextContent('Loading runs…');
    expect(screen.getByTestId('empty-state')).toHaveTextContent('No runs yetStart one.');
  });
});
