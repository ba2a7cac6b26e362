import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';

interface ToastMessage {
  id: number;
  text: string;
  error: boolean;
}

type Notify = (text: string, opts?: { error?: boolean }) => void;

const ToastContext = createContext<Notify>(() => undefined);

/** One short-lived message at the bottom of the screen, for the result of an action. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toast, setToast] = useState<ToastMessage | null>(null);
  const notify = useCallback<Notify>((text, opts) => {
    setToast({ id: Date.now(), text, error: opts?.error ?? false });
  }, []);

  useEffect(() => {
    if (!toast) return undefined;
    const timer = window.setTimeout(() => setToast(null), 4000);
    return () => window.clearTimeout(timer);
  }, [toast]);

  const value = useMemo(() => notify, [notify]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      {toast ? (
        <div className={toast.error ? 'toast toast--error' : 'toast'} role="status" data-testid="toast" key={toast.id}>
          {toast.text}
        </div>
      ) : null}
    </ToastContext.Provider>
  );
}

export function useToast(): Notify {
  return useContext(ToastContext);
}
