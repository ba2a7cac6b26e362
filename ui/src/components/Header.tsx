import { useNav } from '../hooks/useNav';
import { isPlainClick } from '../lib/dom';
import type { PageKey, Params } from '../lib/nav';
import { pageOf } from '../lib/nav';
import { HealthIndicator } from './HealthIndicator';
import { openApiKeyDialog } from './apiKeyEvents';

const TABS: ReadonlyArray<{ key: PageKey; label: string; page: string | null }> = [
  { key: 'dashboard', label: 'Dashboard', page: null },
  { key: 'names', label: 'Processes', page: 'names' },
  { key: 'tags', label: 'Tags', page: 'tags' },
  { key: 'metrics', label: 'Metrics', page: 'metrics' },
];

export function Header({ hasApiKey }: { hasApiKey: boolean }) {
  const nav = useNav();
  const current = pageOf(nav.params);
  return (
    <header className="header">
      <div className="header__inner">
        <a
          className="brand"
          href="/"
          onClick={(e) => {
            if (!isPlainClick(e)) return;
            e.preventDefault();
            nav.go({});
          }}
        >
          <svg className="brand__mark" viewBox="0 0 32 32" aria-hidden="true">
            <circle cx="16" cy="16" r="14" fill="#0f766e" />
            <path d="M16 8v8l6 4" stroke="#fff" strokeWidth="3" fill="none" strokeLinecap="round" />
          </svg>
          ToTrackIt
        </a>
        <nav className="nav" aria-label="Pages">
          {TABS.map((tab) => {
            const params: Params = tab.page ? { page: tab.page } : {};
            const active = current === tab.key || (tab.key === 'names' && current === 'name');
            return (
              <a
                key={tab.key}
                href={tab.page ? `/?page=${tab.page}` : '/'}
                className={active ? 'nav__link nav__link--active' : 'nav__link'}
                aria-current={active ? 'page' : undefined}
                data-testid={`nav-${tab.key}`}
                onClick={(e) => {
                  if (!isPlainClick(e)) return;
                  e.preventDefault();
                  nav.go(params);
                }}
              >
                {tab.label}
              </a>
            );
          })}
        </nav>
        <div className="header__tools">
          <HealthIndicator />
          <button type="button" className="btn btn--small" onClick={openApiKeyDialog} data-testid="api-key-button">
            {hasApiKey ? 'API key ✓' : 'API key'}
          </button>
          <button
            type="button"
            className="btn btn--primary btn--small"
            onClick={() => nav.update({ new: '1' })}
            data-testid="new-run-button"
          >
            + New run
          </button>
        </div>
      </div>
    </header>
  );
}
