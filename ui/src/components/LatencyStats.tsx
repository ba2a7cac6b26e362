import type { DurationStats } from '../api/types';
import { formatDuration, formatNumber } from '../lib/format';

/** p50 / p90 / p99 and the average over completed runs, or a note when there are none. */
export function LatencyStats({ stats }: { stats: DurationStats | null }) {
  if (!stats || stats.count === 0) {
    return (
      <div className="muted" data-testid="latency-empty">
        No completed runs in this period, so there is no latency yet.
      </div>
    );
  }
  const items = [
    { key: 'p50', label: 'p50 (median)', value: stats.p50_seconds },
    { key: 'p90', label: 'p90', value: stats.p90_seconds },
    { key: 'p99', label: 'p99', value: stats.p99_seconds },
    { key: 'avg', label: 'Average', value: stats.avg_seconds },
  ];
  return (
    <div>
      <div className="latency" data-testid="latency">
        {items.map((item) => (
          <div className="latency__item" key={item.key} data-testid={`latency-${item.key}`}>
            <div className="latency__label">{item.label}</div>
            <div className="latency__value" title={`${item.value} s`}>
              {formatDuration(item.value)}
            </div>
          </div>
        ))}
      </div>
      <div className="faint" style={{ marginTop: 8 }}>
        Over {formatNumber(stats.count)} completed {stats.count === 1 ? 'run' : 'runs'} (start to completion).
      </div>
    </div>
  );
}
