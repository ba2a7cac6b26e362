import { ApiError, describeError } from '../api/errors';
import { openApiKeyDialog } from './apiKeyEvents';

function Unreachable({ error }: { error: ApiError }) {
  return (
    <div className="state state--error" data-testid="error-state" data-error-kind="network" role="alert">
      <div className="state__title">Cannot reach the server</div>
      <div>{error.message}</div>
      <div>Check that:</div>
      <ul>
        <li>the ToTrackIt API is running and healthy (<code>GET /health</code>);</li>
        <li>this page is served by the API, or a proxy routes <code>/processes</code>, <code>/analytics</code> and <code>/health</code> to it;</li>
        <li>
          in development, the dev server proxies to the right address (<code>TOTRACKIT_API_URL</code>, default{' '}
          <code>http://localhost:8080</code>);
        </li>
        <li>your network or VPN allows the connection.</li>
      </ul>
    </div>
  );
}

function Unauthorized({ error }: { error: ApiError }) {
  return (
    <div className="state state--error" data-testid="error-state" data-error-kind="unauthorized" role="alert">
      <div className="state__title">API key required</div>
      <div>{error.message}</div>
      <div>
        This server protects its API with an <code>X-API-KEY</code>. Enter the key; it is stored in this browser only.
      </div>
      <div>
        <button type="button" className="btn btn--primary" onClick={openApiKeyDialog} data-testid="error-enter-api-key">
          Enter API key
        </button>
      </div>
    </div>
  );
}

/** Shows what went wrong and what to check, for any error a request can raise. */
export function ErrorState({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  if (error instanceof ApiError && error.kind === 'network') return <Unreachable error={error} />;
  if (error instanceof ApiError && error.kind === 'unauthorized') return <Unauthorized error={error} />;
  const api = error instanceof ApiError ? error : null;
  return (
    <div className="state state--error" data-testid="error-state" data-error-kind={api?.kind ?? 'unknown'} role="alert">
      <div className="state__title">{title}</div>
      <div data-testid="error-message">{describeError(error)}</div>
      {api && api.details.length > 0 ? (
        <ul data-testid="error-details">
          {api.details.map((d, i) => (
            <li key={i}>
              {d.field ? <code>{d.field}</code> : null} {d.message}
            </li>
          ))}
        </ul>
      ) : null}
      {api && (api.code || api.status) ? (
        <div className="faint">
          {api.code ?? 'HTTP'} {api.status ? `(HTTP ${api.status})` : ''} on <code>{api.path}</code>
        </div>
      ) : null}
    </div>
  );
}
