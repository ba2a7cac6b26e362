/** Display helpers. Wire timestamps are integer epoch seconds; durations are seconds. */

const UNITS: ReadonlyArray<[string, number]> = [
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

/** "1h 15m", "3d 4h", "5m 3s", "45s", "0s". Shows at most `maxUnits` non-zero units. */
export function formatDuration(seconds: number | null | undefined, maxUnits = 2): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  let rest = Math.round(Math.abs(seconds));
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    if (parts.length >= maxUnits) break;
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      parts.push(`${amount}${unit}`);
      rest -= amount * size;
    } else if (parts.length > 0) {
      break;
    }
  }
  return parts.join(' ');
}

/** Short span for relative times: minutes alone below an hour, two units above. */
function relativeSpan(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 60) return `${Math.round(abs)}s`;
  if (abs < 3600) return `${Math.floor(abs / 60)}m`;
  return formatDuration(abs, 2);
}

/** "in 5m", "12m ago", "in 1h 15m", "just now". */
export function formatRelative(epoch: number | null | undefined, nowSeconds: number): string {
  if (epoch === null || epoch === undefined || !Number.isFinite(epoch)) return '—';
  const diff = epoch - nowSeconds;
  if (Math.abs(diff) < 1) return 'just now';
  return diff > 0 ? `in ${relativeSpan(diff)}` : `${relativeSpan(diff)} ago`;
}

// The one formatter behind every time the UI writes, so each shows the same zone name: the
// browser's zone as its short name ("UTC", "BST", "CEST") or, where it has none, its offset
// ("GMT-4").
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

type TimeParts = Partial<Record<Intl.DateTimeFormatPartTypes, string>>;

function timeParts(epoch: number): TimeParts {
  const parts: TimeParts = {};
  for (const part of timeFormat.formatToParts(new Date(epoch * 1000))) parts[part.type] = part.value;
  return parts;
}

function writeTime(p: TimeParts, opts: { year: boolean; seconds: boolean }): string {
  const date = opts.year ? `${p.day} ${p.month} ${p.year}` : `${p.day} ${p.month}`;
  const time = opts.seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
  return `${date}, ${time} ${p.timeZoneName}`;
}

/**
 * "19 Jul, 14:00 CEST" in the browser's time zone; the year is added when it differs from the
 * current one ("19 Jul 2025, 14:00 CEST").
 */
export function formatDateTime(epoch: number | null | undefined, now: number = nowSeconds()): string {
  if (epoch === null || epoch === undefined || !Number.isFinite(epoch)) return '—';
  const parts = timeParts(epoch);
  return writeTime(parts, { year: parts.year !== timeParts(now).year, seconds: false });
}

/** With year and seconds, for tooltips: "19 Jul 2025, 14:00:09 CEST". */
export function formatDateTimeFull(epoch: number | null | undefined): string {
  if (epoch === null || epoch === undefined || !Number.isFinite(epoch)) return '';
  return writeTime(timeParts(epoch), { year: true, seconds: true });
}

const numberFormat = new Intl.NumberFormat('en-US');

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return numberFormat.format(value);
}

/** "42%", or "—" when the total is zero. */
export function formatPercent(part: number, total: number): string {
  if (!total) return '—';
  const pct = (100 * part) / total;
  return `${pct >= 10 || pct === 0 ? Math.round(pct) : pct.toFixed(1)}%`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Human label of an analytics window in hours. */
export function formatWindow(hours: number): string {
  if (hours % 24 === 0) return hours === 24 ? '24 h' : `${hours / 24} d`;
  return `${hours} h`;
}
