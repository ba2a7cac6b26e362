import { formatDuration } from '../../lib/format';
import { Legend } from './Legend';

export interface Series {
  key: string;
  label: string;
  color: string;
}

export interface Group {
  label: string;
  values: Record<string, number>;
}

interface Props {
  groups: Group[];
  series: Series[];
  title: string;
  testId?: string;
}

const WIDTH = 520;
const LABEL_W = 170;
const VALUE_W = 64;
const BAR = 8;

/** Per group, one thin bar per series (here: p50, p90, p99 durations in seconds). */
export function GroupedBarChart({ groups, series, title, testId }: Props) {
  const max = Math.max(1, ...groups.flatMap((g) => series.map((s) => g.values[s.key] ?? 0)));
  const plot = WIDTH - LABEL_W - VALUE_W;
  const groupH = series.length * (BAR + 2) + 10;
  return (
    <div data-testid={testId}>
      <svg className="chart" width={WIDTH} viewBox={`0 0 ${WIDTH} ${groups.length * groupH + 4}`} role="img" aria-label={title}>
        {groups.map((g, gi) => {
          const y0 = gi * groupH + 4;
          return (
            <g key={g.label} data-testid="chart-group">
              <text x={LABEL_W - 8} y={y0 + groupH / 2} textAnchor="end" className="chart__label">
                {g.label.length > 24 ? `${g.label.slice(0, 23)}…` : g.label}
              </text>
              {series.map((s, si) => {
                const v = g.values[s.key] ?? 0;
                const y = y0 + si * (BAR + 2);
                return (
                  <g key={s.key}>
                    <rect x={LABEL_W} y={y} width={Math.max(1, (v / max) * plot)} height={BAR} fill={s.color} rx={2}>
                      <title>{`${g.label} · ${s.label}: ${formatDuration(v)}`}</title>
                    </rect>
                    <text x={LABEL_W + (v / max) * plot + 5} y={y + BAR - 1} style={{ fontSize: 10 }}>
                      {formatDuration(v)}
                    </text>
                  </g>
                );
              })}
            </g>
          );
        })}
      </svg>
      <Legend items={series} />
    </div>
  );
}
