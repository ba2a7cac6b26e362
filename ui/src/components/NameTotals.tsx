import type { TagAnalytics } from '../api/types';
import { formatNumber, formatPercent, formatWindow } from '../lib/format';

/** Totals of one name in the chosen period, from GET /analytics/tags?name=...&window_hours=... */
export function NameTotals({ data }: { data: TagAnalytics }) {
  const tagged = data.tags.length;
  return (
    <div className="stats" data-testid="name-totals">
      <div className="stat">
        <div className="stat__label">Runs in scope</div>
        <div className="stat__value" data-testid="name-total">
          {formatNumber(data.total_processes)}
        </div>
        <div className="stat__sub">active now, or finished in the last {formatWindow(data.window_hours)}</div>
      </div>
      <div className="stat stat--overdue">
        <div className="stat__label">Problems</div>
        <div className="stat__value" data-testid="name-problems">
          {formatNumber(data.problem_processes)}
        </div>
        <div className="stat__sub">
          overdue, late or failed · {formatPercent(data.problem_processes, data.total_processes)}
        </div>
      </div>
      <div className="stat stat--completed_on_time">
        <div className="stat__label">Completed</div>
        <div className="stat__value" data-testid="name-completed">
          {formatNumber(data.duration?.count ?? 0)}
        </div>
        <div className="stat__sub">with a measured duration</div>
      </div>
      <div className="stat">
        <div className="stat__label">Distinct tags</div>
        <div className="stat__value">{formatNumber(tagged)}</div>
        <div className="stat__sub">key=value pairs seen</div>
      </div>
    </div>
  );
}
