import { api } from '../api/client';
import { Async } from '../components/Async';
import { ChartCard } from '../components/ChartCard';
import { EmptyState } from '../components/EmptyState';
import { NameOutcomeChart } from '../components/NameOutcomeChart';
import { PeriodPicker } from '../components/PeriodPicker';
import { SummaryCharts } from '../components/SummaryCharts';
import { TagLatencyChart } from '../components/TagLatencyChart';
import { BarChart } from '../components/charts/BarChart';
import { useNav } from '../hooks/useNav';
import { useResource } from '../hooks/useResource';
import { formatPercent, formatWindow } from '../lib/format';
import { OUTCOME_COLORS } from '../lib/status';
import { windowOf } from '../lib/nav';

/** Charts built from the analytics endpoints. Prometheus metrics stay at /metrics. */
export function MetricsPage() {
  const nav = useNav();
  const hours = windowOf(nav.params);
  const summary = useResource('metrics-summary', (signal) => api.summary(signal));
  const names = useResource('metrics-names', (signal) => api.names({ limit: 15, offset: 0 }, signal));
  const tags = useResource(`metrics-tags|${hours}`, (signal) => api.tagAnalytics({ window_hours: hours }, signal));

  return (
    <div className="main" data-testid="page-metrics">
      <div className="page-head">
        <div>
          <h1>Metrics</h1>
          <div className="page-head__sub">
            Charts from the analytics API. For alerting, scrape the Prometheus endpoint{' '}
            <a href="/metrics">/metrics</a>.
          </div>
        </div>
        <PeriodPicker hours={hours} onChange={(h) => nav.update({ window: h === 24 ? null : String(h) })} />
      </div>
      <div className="grid-charts">
        <Async resource={summary} loadingLabel="Loading counts…">
          {(s) => <SummaryCharts s={s} />}
        </Async>
      </div>
      <div className="grid-charts grid-charts--wide">
        <ChartCard title="Outcomes by process name" note="15 busiest names, all time" testId="chart-names">
          <Async resource={names}>{(page) => <NameOutcomeChart rows={page.data} />}</Async>
        </ChartCard>
        <ChartCard title="Latency by tag" note={`completed runs, ${formatWindow(hours)}`} testId="chart-tag-latency">
          <Async resource={tags}>{(data) => <TagLatencyChart entries={data.tags} />}</Async>
        </ChartCard>
        <ChartCard title="Problem rate by tag" note={`overdue + late + failed, ${formatWindow(hours)}`} testId="chart-tag-problems">
          <Async resource={tags}>
            {(data) => {
              const rows = data.tags.filter((t) => t.total > 0).slice(0, 12);
              if (rows.length === 0) return <EmptyState title="No tagged runs in this period" />;
              return (
                <BarChart
                  title="Problem rate by tag"
                  bars={rows.map((t) => ({
                    label: `${t.key}=${t.value}`,
                    value: t.problems / t.total,
                    display: `${formatPercent(t.problems, t.total)} (${t.problems}/${t.total})`,
                    color: t.problems ? OUTCOME_COLORS.overdue : OUTCOME_COLORS.on_track,
                  }))}
                />
              );
            }}
          </Async>
        </ChartCard>
      </div>
    </div>
  );
}
