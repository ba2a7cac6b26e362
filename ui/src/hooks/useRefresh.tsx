import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';

/** A shared counter: bumping it makes every mounted resource fetch again. */
interface Refresh {
  version: number;
  refresh: () => void;
}

const RefreshContext = createContext<Refresh>({ version: 0, refresh: () => undefined });

export function RefreshProvider({ children, intervalMs = 30000 }: { children: ReactNode; intervalMs?: number }) {
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    if (intervalMs <= 0) return undefined;
    const timer = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') refresh();
    }, intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs, refresh]);

  const value = useMemo(() => ({ version, refresh }), [version, refresh]);
  return <RefreshContext.Provider value={value}>{children}</RefreshContext.Provider>;
}

export function useRefresh(): Refresh {
  return useContext(RefreshContext);
}
