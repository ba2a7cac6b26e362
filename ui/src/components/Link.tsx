import type { ReactNode } from 'react';
import { useNav } from '../hooks/useNav';
import type { Patch } from '../hooks/useNav';
import { isPlainClick } from '../lib/dom';
import { hrefFor } from '../lib/nav';
import type { Params } from '../lib/nav';

interface Props {
  /** Whole new query string, or a patch of the current one. */
  to?: Params;
  patch?: Patch;
  className?: string;
  testId?: string;
  title?: string;
  children: ReactNode;
}

/** An in-app link: a real href (open in new tab works) plus history navigation on plain clicks. */
export function Link({ to, patch, className, testId, title, children }: Props) {
  const nav = useNav();
  const href = to ? hrefFor(to) : nav.hrefWith(patch ?? {});
  return (
    <a
      href={href}
      className={className}
      data-testid={testId}
      title={title}
      onClick={(e) => {
        e.stopPropagation();
        if (!isPlainClick(e)) return;
        e.preventDefault();
        if (to) nav.go(to);
        else nav.update(patch ?? {});
      }}
    >
      {children}
    </a>
  );
}
