import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useRefresh } from './useRefresh';

export interface Resource<T> {
  data: T | null;
  error: unknown;
  /** True until the first answer for the current key arrives. */
  loading: boolean;
}

/**
 * Fetches whenever `key` changes or a refresh is requested. Data of the same key stays on screen
 * during a background refresh; a new key starts from a loading state.
 */
export function useResource<T>(key: string, fetcher: (signal: AbortSignal) => Promise<T>): Resource<T> {
  const { version } = useRefresh();
  const [state, setState] = useState<Resource<T> & { key: string }>({
    key,
    data: null,
    error: null,
    loading: true,
  });
  const fetcherRef = useRef(fetcher);
  useLayoutEffect(() => {
    fetcherRef.current = fetcher;
  });

  useEffect(() => {
    const controller = new AbortController();
    fetcherRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ key, data, error: null, loading: false });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ key, data: null, error, loading: false });
      },
    );
    return () => controller.abort();
  }, [key, version]);

  if (state.key !== key) return { data: null, error: null, loading: true };
  return { data: state.data, error: state.error, loading: state.loading };
}
