import type { Summary } from '../api/types';
import { useNav } from '../hooks/useNav';
import type { Patch } from '../hooks/useNav';
import { formatNumber, formatPercent } from '../lib/format';

interface Card {
  key: string;
  label: string;
  value: number;
  sub: string;
  filter: Patch;
}

function cards(s: Summary): Card[] {
  const finished = s.completed_on_time + s.completed_late;
  return [
    { key: 'total', label: 'All runs', value: s.total, sub: `${formatNumber(s.completed)} completed`, filter: {} },
    { key: 'active', label: 'Active', value: s.active, sub: `${formatNumber(s.on_track)} on track`, filter: { status: 'ACTIVE' } },
    { key: 'overdue', label: 'Overdue', value: s.overdue, sub: 'active, deadline passed', filter: { deadlineStatus: 'MISSED' } },
    {
      key: 'completed_on_time',
      label: 'On time',
      value: s.completed_on_time,
      sub: `${formatPercent(s.completed_on_time, finished)} of finished with a deadline`,
      filter: { deadlineStatus: 'COMPLETED_ON_TIME' },
    },
    {
      key: 'completed_late',
      label: 'Late',
      value: s.completed_late,
      sub: 'completed after the deadline',
      filter: { deadlineStatus: 'COMPLETED_LATE' },
    },
    { key: 'failed', label: 'Failed', value: s.failed, sub: `${formatNumber(s.failed_24h)} in the last 24 h`, filter: { status: 'FAILED' } },
  ];
}

const STAT_CLASS: Record<string, string> = {
  active: 'stat--active',
  overdue: 'stat--overdue',
  completed_on_time: 'stat--completed_on_time',
  completed_late: 'stat--completed_late',
  failed: 'stat--failed',
};

/** Headline counts from GET /analytics/summary; each card filters the run list. */
export function SummaryCards({ summary }: { summary: Summary }) {
  const nav = useNav();
  return (
    <div className="stats" data-testid="summary">
      {cards(summary).map((card) => (
        <button
          type="button"
          key={card.key}
          className={`stat ${STAT_CLASS[card.key] ?? ''}`}
          data-testid={`summary-${card.key}`}
          onClick={() =>
            nav.update({ status: null, deadlineStatus: null, offset: null, ...card.filter })
          }
          title="Show these runs"
        >
          <div className="stat__label">{card.label}</div>
          <div className="stat__value" data-testid="stat-value">
            {formatNumber(card.value)}
          </div>
          <div className="stat__sub">{card.sub}</div>
        </button>
      ))}
    </div>
  );
}
