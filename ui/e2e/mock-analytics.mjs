// Analytics of the in-memory mock API: /analytics/tags, /analytics/summary, /analytics/names.

const floor = Math.floor;
const nowF = () => Date.now() / 1000;

/** percentile_cont: linear interpolation at p*(n-1). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const round1 = (x) => Math.round(x * 10) / 10;

export function durationStats(values) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return {
    count: s.length,
    avg_seconds: round1(s.reduce((a, b) => a + b, 0) / s.length),
    p50_seconds: round1(percentile(s, 0.5)),
    p90_seconds: round1(percentile(s, 0.9)),
    p99_seconds: round1(percentile(s, 0.99)),
  };
}

function outcome(row, now) {
  if (row.status === 'ACTIVE') return row.deadline != null && row.deadline < now ? 'overdue' : 'on_track';
  if (row.status === 'FAILED') return 'failed';
  if (row.deadline != null && row.completed_at > row.deadline) return 'completed_late';
  return 'completed_on_time';
}

export function tagAnalytics(rows, hours, name) {
  const now = nowF();
  const since = now - hours * 3600;
  const scoped = rows.filter((r) => (r.status === 'ACTIVE' || (r.completed_at != null && r.completed_at >= since)) && (!name || r.name === name));
  const durations = (rows) => rows.filter((r) => r.status === 'COMPLETED').map((r) => r.completed_at - r.started_at);
  const groups = new Map();
  for (const r of scoped) {
    for (const t of r.tags) {
      const k = `${t.key}\u0000${t.value}`;
      if (!groups.has(k)) groups.set(k, { key: t.key, value: t.value, rows: [] });
      groups.get(k).rows.push(r);
    }
  }
  const tags = [...groups.values()].map((g) => {
    const c = { overdue: 0, on_track: 0, completed_late: 0, completed_on_time: 0, failed: 0 };
    for (const r of g.rows) c[outcome(r, now)] += 1;
    return { key: g.key, value: g.value, ...c, total: g.rows.length, problems: c.overdue + c.completed_late + c.failed, duration: durationStats(durations(g.rows)) };
  });
  tags.sort((a, b) => b.problems - a.problems || b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const problems = scoped.filter((r) => ['overdue', 'completed_late', 'failed'].includes(outcome(r, now))).length;
  return { window_hours: hours, generated_at: floor(now), total_processes: scoped.length, problem_processes: problems, duration: durationStats(durations(scoped)), tags: tags.slice(0, 100) };
}

export function summary(rows) {
  const now = nowF();
  const dayAgo = now - 86400;
  const count = (fn) => rows.filter(fn).length;
  const dl = (r) => r.deadline != null;
  return {
    generated_at: floor(now),
    total: rows.length,
    active: count((r) => r.status === 'ACTIVE'),
    completed: count((r) => r.status === 'COMPLETED'),
    failed: count((r) => r.status === 'FAILED'),
    overdue: count((r) => r.status === 'ACTIVE' && dl(r) && r.deadline < now),
    on_track: count((r) => r.status === 'ACTIVE' && dl(r) && r.deadline >= now),
    completed_on_time: count((r) => r.status === 'COMPLETED' && dl(r) && r.completed_at <= r.deadline),
    completed_late: count((r) => r.status === 'COMPLETED' && dl(r) && r.completed_at > r.deadline),
    completed_24h: count((r) => r.status === 'COMPLETED' && r.completed_at >= dayAgo),
    completed_on_time_24h: count((r) => r.status === 'COMPLETED' && r.completed_at >= dayAgo && dl(r) && r.completed_at <= r.deadline),
    failed_24h: count((r) => r.status === 'FAILED' && r.completed_at >= dayAgo),
  };
}

export function names(allRows, limit, offset) {
  const now = nowF();
  const by = new Map();
  for (const r of allRows) {
    if (!by.has(r.name)) by.set(r.name, []);
    by.get(r.name).push(r);
  }
  const all = [...by.entries()].map(([name, rows]) => {
    const count = (fn) => rows.filter(fn).length;
    return {
      name,
      total: rows.length,
      active: count((r) => r.status === 'ACTIVE'),
      failed: count((r) => r.status === 'FAILED'),
      overdue: count((r) => r.status === 'ACTIVE' && r.deadline != null && r.deadline < now),
      completed: count((r) => r.status === 'COMPLETED'),
      completed_on_time: count((r) => r.status === 'COMPLETED' && r.deadline != null && r.completed_at <= r.deadline),
      completed_late: count((r) => r.status === 'COMPLETED' && r.deadline != null && r.completed_at > r.deadline),
      last_started_at: floor(Math.max(...rows.map((r) => r.started_at))),
    };
  });
  all.sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
  const data = all.slice(offset, offset + limit);
  return { data, total: all.length, limit, offset, has_more: offset + data.length < all.length };
}
