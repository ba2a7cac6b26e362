import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { App } from '../App';
import { ToastProvider } from '../components/Toast';
import { NavProvider } from '../hooks/useNav';
import { RefreshProvider } from '../hooks/useRefresh';

/** Renders inside the app's providers, with the URL set to `search` and no auto-refresh. */
export function renderWithProviders(ui: ReactElement, search = '') {
  window.history.replaceState(null, '', `/${search}`);
  return render(
    <NavProvider>
      <RefreshProvider intervalMs={0}>
        <ToastProvider>{ui}</ToastProvider>
      </RefreshProvider>
    </NavProvider>,
  );
}

export function renderApp(search = '') {
  return renderWithProviders(<App />, search);
}
