import { Legend } from './Legend';

export interface Segment {
  key: string;
  label: string;
  color: string;
}

export interface StackedRow {
  label: string;
  values: Record<string, number>;
}

interface Props {
  rows: StackedRow[];
  segments: Segment[];
  title: string;
  testId?: string;
}

const WIDTH = 560;
const LABEL_W = 220;
const TOTAL_W = 50;
const ROW = 28;

/** One horizontal bar per row, split into coloured segments; bars share one scale. */
export function StackedBarChart({ rows, segments, title, testId }: Props) {
  const totals = rows.map((r) => segments.reduce((sum, s) => sum + (r.values[s.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const plot = WIDTH - LABEL_W - TOTAL_W;
  return (
    <div data-testid={testId}>
      <svg className="chart" width={WIDTH} viewBox={`0 0 ${WIDTH} ${rows.length * ROW + 4}`} role="img" aria-label={title}>
        {rows.map((row, i) => {
          const y = i * ROW + 4;
          let x = LABEL_W;
          return (
            <g key={row.label} data-testid="chart-row">
              <text x={LABEL_W - 8} y={y + 14} textAnchor="end" className="chart__label">
                {row.label.length > 28 ? `${row.label.slice(0, 27)}…` : row.label}
              </text>
              {segments.map((s) => {
                const v = row.values[s.key] ?? 0;
                const w = (v / max) * plot;
                const rect =
                  v > 0 ? (
                    <rect key={s.key} x={x} y={y + 2} width={w} height={18} fill={s.color}>
                      <title>{`${row.label} · ${s.label}: ${v}`}</title>
                    </rect>
                  ) : null;
                x += w;
                return rect;
              })}
              <text x={LABEL_W + plot + 6} y={y + 15}>
                {totals[i]}
              </text>
            </g>
          );
        })}
      </svg>
      <Legend items={segments} />
    </div>
  );
}
