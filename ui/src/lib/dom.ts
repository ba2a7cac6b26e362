import type { MouseEvent } from 'react';

/** Plain left clicks navigate in place; modified clicks keep the browser's own behaviour. */
export function isPlainClick(e: MouseEvent): boolean {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
}
