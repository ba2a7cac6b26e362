import type { NameRollup } from '../api/types';
import { OUTCOME_COLORS } from '../lib/status';
import { EmptyState } from './EmptyState';
import { StackedBarChart } from './charts/StackedBarChart';

const SEGMENTS = [
  { key: 'on_track', label: 'Active, not overdue', color: OUTCOME_COLORS.on_track },
  { key: 'overdue', label: 'Overdue', color: OUTCOME_COLORS.overdue },
  { key: 'on_time', label: 'On time', color: OUTCOME_COLORS.completed_on_time },
  { key: 'late', label: 'Late', color: OUTCOME_COLORS.completed_late },
  { key: 'no_deadline', label: 'Completed, no deadline', color: '#94a3b8' },
  { key: 'failed', label: 'Failed', color: OUTCOME_COLORS.failed },
];

/** Outcome mix per process name (GET /analytics/names). */
export function NameOutcomeChart({ rows }: { rows: NameRollup[] }) {
  if (rows.length === 0) return <EmptyState title="No processes yet" />;
  return (
    <StackedBarChart
      title="Outcomes by process name"
      testId="chart-names-bars"
      segments={SEGMENTS}
      rows={rows.map((r) => ({
        label: r.name,
        values: {
          on_track: Math.max(0, r.active - r.overdue),
          overdue: r.overdue,
          on_time: r.completed_on_time,
          late: r.completed_late,
          no_deadline: Math.max(0, r.completed - r.completed_on_time - r.completed_late),
          failed: r.failed,
        },
      }))}
    />
  );
}
