import { Legend } from './Legend';

export interface Slice {
  label: string;
  value: number;
  color: string;
}

interface Props {
  slices: Slice[];
  title: string;
  centerLabel: string;
  testId?: string;
}

const R = 60;
const STROKE = 22;
const C = 2 * Math.PI * R;

/** A ring split into slices (stroke-dasharray on circles), with the total in the middle. */
export function DonutChart({ slices, title, centerLabel, testId }: Props) {
  const total = slices.reduce((sum, s) => sum + s.value, 0);
  let offset = 0;
  return (
    <div data-testid={testId}>
      <svg className="chart" width={240} viewBox="0 0 200 160" role="img" aria-label={title} style={{ margin: '0 auto' }}>
        <g transform="translate(100 80) rotate(-90)">
          <circle r={R} fill="none" stroke="#f1f5f9" strokeWidth={STROKE} />
          {total > 0
            ? slices.map((s) => {
                const len = (s.value / total) * C;
                const el = (
                  <circle
                    key={s.label}
                    r={R}
                    fill="none"
                    stroke={s.color}
                    strokeWidth={STROKE}
                    strokeDasharray={`${len} ${C - len}`}
                    strokeDashoffset={-offset}
                  >
                    <title>{`${s.label}: ${s.value}`}</title>
                  </circle>
                );
                offset += len;
                return el;
              })
            : null}
        </g>
        <text x="100" y="78" textAnchor="middle" style={{ fontSize: 22, fontWeight: 700 }} className="chart__label">
          {total.toLocaleString('en-US')}
        </text>
        <text x="100" y="96" textAnchor="middle">
          {centerLabel}
        </text>
      </svg>
      <Legend items={slices.map((s) => ({ label: `${s.label} (${s.value.toLocaleString('en-US')})`, color: s.color }))} />
    </div>
  );
}
