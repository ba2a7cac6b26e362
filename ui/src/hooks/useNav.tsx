import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { buildSearch, hrefFor, parseParams, patchParams } from '../lib/nav';
import type { Params } from '../lib/nav';

export type Patch = Record<string, string | null | undefined>;

export interface Nav {
  params: Params;
  /** Merges a patch into the current query string (null removes a key). */
  update: (patch: Patch, opts?: { replace?: boolean }) => void;
  /** Replaces the whole query string. */
  go: (params: Params, opts?: { replace?: boolean }) => void;
  /** href of the current state with a patch applied. */
  hrefWith: (patch: Patch) => string;
}

const NavContext = createContext<Nav | null>(null);

function readParams(): Params {
  return parseParams(window.location.search);
}

export function NavProvider({ children }: { children: ReactNode }) {
  const [params, setParams] = useState<Params>(readParams);

  useEffect(() => {
    const onPop = () => setParams(readParams());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const go = useCallback((next: Params, opts?: { replace?: boolean }) => {
    const url = `${window.location.pathname}${buildSearch(next)}`;
    if (opts?.replace) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
    setParams(next);
  }, []);

  const update = useCallback(
    (patch: Patch, opts?: { replace?: boolean }) => go(patchParams(readParams(), patch), opts),
    [go],
  );

  const hrefWith = useCallback((patch: Patch) => hrefFor(patchParams(params, patch)), [params]);

  const value = useMemo(() => ({ params, update, go, hrefWith }), [params, update, go, hrefWith]);
  return <NavContext.Provider value={value}>{children}</NavContext.Provider>;
}

export function useNav(): Nav {
  const nav = useContext(NavContext);
  if (!nav) throw new Error('useNav must be used inside <NavProvider>');
  return nav;
}
