import type { ReactNode } from 'react';

export function ChartCard({ title, note, children, testId }: { title: string; note?: string; children: ReactNode; testId?: string }) {
  return (
    <section className="card" data-testid={testId}>
      <div className="card__head">
        <h2>{title}</h2>
        {note ? <span className="faint">{note}</span> : null}
      </div>
      <div className="card__body">{children}</div>
    </section>
  );
}
