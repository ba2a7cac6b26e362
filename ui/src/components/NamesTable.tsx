import type { NameRollup } from '../api/types';
import { formatNumber, formatPercent } from '../lib/format';
import { Link } from './Link';
import { TimeCell } from './TimeCell';

/** One row per process name, from GET /analytics/names. */
export function NamesTable({ rows, now }: { rows: NameRollup[]; now: number }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="names-table">
        <thead>
          <tr>
            <th>Name</th>
            <th className="num">Runs</th>
            <th className="num">Active</th>
            <th className="num">Overdue</th>
            <th className="num">Completed</th>
            <th className="num">On time</th>
            <th className="num">Late</th>
            <th className="num">Failed</th>
            <th className="num">On-time rate</th>
            <th>Last started</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} data-testid="names-row" data-name={r.name}>
              <td>
                <Link to={{ name: r.name }} testId="names-link">
                  <b>{r.name}</b>
                </Link>
              </td>
              <td className="num">{formatNumber(r.total)}</td>
              <td className="num">{formatNumber(r.active)}</td>
              <td className="num" style={r.overdue ? { color: 'var(--missed)', fontWeight: 600 } : undefined}>
                {formatNumber(r.overdue)}
              </td>
              <td className="num">{formatNumber(r.completed)}</td>
              <td className="num">{formatNumber(r.completed_on_time)}</td>
              <td className="num">{formatNumber(r.completed_late)}</td>
              <td className="num">{formatNumber(r.failed)}</td>
              <td className="num">{formatPercent(r.completed_on_time, r.completed_on_time + r.completed_late)}</td>
              <td>
                <TimeCell epoch={r.last_started_at} now={now} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
