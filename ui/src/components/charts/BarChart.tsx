export interface Bar {
  label: string;
  value: number;
  color: string;
  /** Text after the bar; defaults to the value. */
  display?: string;
}

interface Props {
  bars: Bar[];
  testId?: string;
  title: string;
}

const WIDTH = 520;
const LABEL_W = 160;
const VALUE_W = 100;
const ROW = 28;

/** Horizontal bars, one per item, scaled to the largest value. */
export function BarChart({ bars, testId, title }: Props) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plot = WIDTH - LABEL_W - VALUE_W;
  const height = bars.length * ROW + 4;
  return (
    <svg className="chart" width={WIDTH} viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title} data-testid={testId}>
      {bars.map((bar, i) => {
        const y = i * ROW + 4;
        const w = bar.value > 0 ? Math.max(2, (bar.value / max) * plot) : 0;
        return (
          <g key={bar.label} data-testid="chart-bar">
            <text x={LABEL_W - 8} y={y + 14} textAnchor="end" className="chart__label">
              {bar.label.length > 22 ? `${bar.label.slice(0, 21)}…` : bar.label}
            </text>
            <rect x={LABEL_W} y={y + 2} width={plot} height={18} fill="#f1f5f9" rx={3} />
            <rect x={LABEL_W} y={y + 2} width={w} height={18} fill={bar.color} rx={3}>
              <title>{`${bar.label}: ${bar.display ?? bar.value}`}</title>
            </rect>
            <text x={LABEL_W + plot + 6} y={y + 15}>
              {bar.display ?? bar.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
