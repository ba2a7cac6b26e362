import type { ReactNode } from 'react';

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state" data-testid="empty-state">
      <div className="state__title">{title}</div>
      {children ? <div>{children}</div> : null}
    </div>
  );
}
