import { api } from '../api/client';
import { ApiError } from '../api/errors';
import { useResource } from '../hooks/useResource';

/** A dot and a word for GET /health: UP, DEGRADED, DOWN, unknown, or unreachable. */
export function HealthIndicator() {
  const health = useResource('health', (signal) => api.health(signal));
  let state = 'checking';
  let label = 'Checking…';
  if (health.error instanceof ApiError && health.error.kind !== 'network') {
    // The server answered, just not with a health report (for example 404 or 401).
    state = 'unknown';
    label = 'Health unknown';
  } else if (health.error) {
    state = 'unreachable';
    label = 'Server unreachable';
  } else if (health.data) {
    state = health.data.status.toLowerCase();
    label = `Server ${health.data.status}`;
  }
  const title = health.data?.version ? `API version ${health.data.version}` : undefined;
  return (
    <span className={`health health--${state}`} data-testid="health-status" data-state={state} title={title}>
      <span className="health__dot" aria-hidden="true" />
      {label}
    </span>
  );
}
