import type { TagImpactEntry } from '../api/types';
import { EmptyState } from './EmptyState';
import { GroupedBarChart } from './charts/GroupedBarChart';

const SERIES = [
  { key: 'p50', label: 'p50', color: '#5eead4' },
  { key: 'p90', label: 'p90', color: '#0d9488' },
  { key: 'p99', label: 'p99', color: '#134e4a' },
];

/** Latency percentiles of the tags that have completed runs, slowest p90 first. */
export function TagLatencyChart({ entries, max = 12 }: { entries: TagImpactEntry[]; max?: number }) {
  const timed = entries
    .filter((e) => e.duration && e.duration.count > 0)
    .sort((a, b) => (b.duration?.p90_seconds ?? 0) - (a.duration?.p90_seconds ?? 0))
    .slice(0, max);
  if (timed.length === 0) {
    return <EmptyState title="No latency yet">Percentiles appear once tagged runs complete.</EmptyState>;
  }
  return (
    <GroupedBarChart
      title="Latency by tag"
      testId="chart-tag-latency-bars"
      series={SERIES}
      groups={timed.map((e) => ({
        label: `${e.key}=${e.value}`,
        values: { p50: e.duration?.p50_seconds ?? 0, p90: e.duration?.p90_seconds ?? 0, p99: e.duration?.p99_seconds ?? 0 },
      }))}
    />
  );
}
