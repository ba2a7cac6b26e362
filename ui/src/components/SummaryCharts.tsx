import type { Summary } from '../api/types';
import { formatPercent } from '../lib/format';
import { OUTCOME_COLORS } from '../lib/status';
import { ChartCard } from './ChartCard';
import { BarChart } from './charts/BarChart';
import { DonutChart } from './charts/DonutChart';

/** Charts over the workspace headline counts (GET /analytics/summary). */
export function SummaryCharts({ s }: { s: Summary }) {
  const finished = s.completed_on_time + s.completed_late;
  return (
    <>
      <ChartCard title="Runs by status" note="all time" testId="chart-status">
        <DonutChart
          title="Runs by status"
          centerLabel="runs"
          slices={[
            { label: 'Active', value: s.active, color: OUTCOME_COLORS.active },
            { label: 'Completed', value: s.completed, color: OUTCOME_COLORS.completed_on_time },
            { label: 'Failed', value: s.failed, color: OUTCOME_COLORS.failed },
          ]}
        />
      </ChartCard>
      <ChartCard title="Deadline outcomes" note={`on-time rate ${formatPercent(s.completed_on_time, finished)}`} testId="chart-deadlines">
        <BarChart
          title="Deadline outcomes"
          bars={[
            { label: 'On track', value: s.on_track, color: OUTCOME_COLORS.on_track },
            { label: 'Overdue', value: s.overdue, color: OUTCOME_COLORS.overdue },
            { label: 'Completed on time', value: s.completed_on_time, color: OUTCOME_COLORS.completed_on_time },
            { label: 'Completed late', value: s.completed_late, color: OUTCOME_COLORS.completed_late },
          ]}
        />
      </ChartCard>
      <ChartCard title="Last 24 hours" note="finished runs" testId="chart-24h">
        <BarChart
          title="Last 24 hours"
          bars={[
            { label: 'Completed', value: s.completed_24h, color: OUTCOME_COLORS.completed_on_time },
            { label: 'Completed on time', value: s.completed_on_time_24h, color: OUTCOME_COLORS.on_track },
            { label: 'Failed', value: s.failed_24h, color: OUTCOME_COLORS.failed },
          ]}
        />
      </ChartCard>
    </>
  );
}
