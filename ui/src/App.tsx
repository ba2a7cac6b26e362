import { useEffect, useRef, useState } from 'react';
import { API_KEY_EVENT, getApiKey, UNAUTHORIZED_EVENT } from './api/apiKey';
import { ApiKeyDialog } from './components/ApiKeyDialog';
import { CreateRunForm } from './components/CreateRunForm';
import { Header } from './components/Header';
import { RunDetailPanel } from './components/RunDetailPanel';
import { OPEN_API_KEY_EVENT } from './components/apiKeyEvents';
import { useNav } from './hooks/useNav';
import { useRefresh } from './hooks/useRefresh';
import { pageOf, parseProcessParam } from './lib/nav';
import { DashboardPage } from './pages/DashboardPage';
import { MetricsPage } from './pages/MetricsPage';
import { NamePage } from './pages/NamePage';
import { NamesPage } from './pages/NamesPage';
import { TagsPage } from './pages/TagsPage';

function Page() {
  const { params } = useNav();
  switch (pageOf(params)) {
    case 'name':
      return <NamePage key={params.name} name={params.name ?? ''} />;
    case 'names':
      return <NamesPage />;
    case 'tags':
      return <TagsPage />;
    case 'metrics':
      return <MetricsPage />;
    default:
      return <DashboardPage />;
  }
}

/** The app shell: header, current page, and the overlays the URL asks for. */
export function App() {
  const { params } = useNav();
  const { refresh } = useRefresh();
  const [hasKey, setHasKey] = useState(() => getApiKey() !== '');
  const [keyDialog, setKeyDialog] = useState<null | { reason: string | null }>(null);
  // A 401 opens the key dialog once per key, not again on every background refresh.
  const prompted = useRef(false);

  useEffect(() => {
    const onKeyChange = () => {
      prompted.current = false;
      setHasKey(getApiKey() !== '');
      refresh();
    };
    const onOpen = () => setKeyDialog({ reason: null });
    const onUnauthorized = () => {
      if (prompted.current) return;
      prompted.current = true;
      setKeyDialog((open) => open ?? { reason: 'The server answered 401: it needs a valid API key for this request.' });
    };
    window.addEventListener(API_KEY_EVENT, onKeyChange);
    window.addEventListener(OPEN_API_KEY_EVENT, onOpen);
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => {
      window.removeEventListener(API_KEY_EVENT, onKeyChange);
      window.removeEventListener(OPEN_API_KEY_EVENT, onOpen);
      window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    };
  }, [refresh]);

  const processRaw = params.process;
  const target = parseProcessParam(processRaw);
  return (
    <>
      <Header hasApiKey={hasKey} />
      {processRaw && !target ? (
        <div className="main" style={{ paddingBottom: 0 }}>
          <div className="banner" data-testid="bad-process-link">
            The link <code>?process={processRaw}</code> does not name a run; it should look like{' '}
            <code>?process=NAME/ID</code>.
          </div>
        </div>
      ) : null}
      <Page />
      {target ? <RunDetailPanel key={`${target.name}/${target.id}`} target={target} /> : null}
      {params.new ? <CreateRunForm defaultName={params.name ?? params.f_name ?? ''} /> : null}
      {keyDialog ? <ApiKeyDialog reason={keyDialog.reason} onClose={() => setKeyDialog(null)} /> : null}
    </>
  );
}
