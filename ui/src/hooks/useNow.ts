import { useEffect, useState } from 'react';
import { nowSeconds } from '../lib/format';

/** Current epoch seconds, re-rendering every `intervalMs` so relative times stay fresh. */
export function useNow(intervalMs = 10000): number {
  const [now, setNow] = useState(nowSeconds);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(nowSeconds()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}
