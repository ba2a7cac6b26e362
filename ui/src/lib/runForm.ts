import type { NewRunRequest, Tag } from '../api/types';

export const NAME_PATTERN = /^[a-zA-Z0-9_-]+$/;
export const MAX_TAGS = 20;

export type DeadlineMode = 'none' | 'in' | 'at';
export type DeadlineUnit = 'minutes' | 'hours' | 'days';

export interface RunFormValues {
  name: string;
  id: string;
  deadlineMode: DeadlineMode;
  deadlineAmount: string;
  deadlineUnit: DeadlineUnit;
  deadlineAt: string; // value of <input type="datetime-local">, local time
  tags: Tag[];
  context: string;
}

export type FormErrors = Partial<Record<'name' | 'id' | 'deadline' | 'tags' | 'context', string>>;

const UNIT_SECONDS: Record<DeadlineUnit, number> = { minutes: 60, hours: 3600, days: 86400 };

export function emptyForm(name = ''): RunFormValues {
  return {
    name,
    id: '',
    deadlineMode: 'in',
    deadlineAmount: '60',
    deadlineUnit: 'minutes',
    deadlineAt: '',
    tags: [],
    context: '',
  };
}

export function suggestRunId(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `run-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

function deadlineOf(v: RunFormValues, nowSeconds: number): number | undefined | string {
  if (v.deadlineMode === 'none') return undefined;
  if (v.deadlineMode === 'in') {
    const amount = Number(v.deadlineAmount);
    if (!Number.isFinite(amount) || amount <= 0) return 'Enter a positive amount.';
    return nowSeconds + Math.round(amount * UNIT_SECONDS[v.deadlineUnit]);
  }
  if (!v.deadlineAt) return 'Pick a date and time.';
  const ms = new Date(v.deadlineAt).getTime();
  if (!Number.isFinite(ms)) return 'Not a valid date.';
  const epoch = Math.floor(ms / 1000);
  if (epoch < nowSeconds - 60) return 'The deadline cannot be in the past.';
  return epoch;
}

/** Checks the form the way the server will, and builds the POST body when it is valid. */
export function buildRunRequest(
  v: RunFormValues,
  nowSeconds: number,
): { ok: true; name: string; body: NewRunRequest } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  const name = v.name.trim();
  if (!name) errors.name = 'A name is required.';
  else if (name.length > 100) errors.name = 'At most 100 characters.';
  else if (!NAME_PATTERN.test(name)) errors.name = 'Letters, digits, "-" and "_" only.';

  const id = v.id.trim();
  if (id.length < 3 || id.length > 50) errors.id = 'Between 3 and 50 characters.';

  const deadline = deadlineOf(v, nowSeconds);
  if (typeof deadline === 'string') errors.deadline = deadline;

  const tags = v.tags.map((t) => ({ key: t.key.trim(), value: t.value.trim() })).filter((t) => t.key || t.value);
  if (tags.length > MAX_TAGS) errors.tags = `At most ${MAX_TAGS} tags.`;
  else if (tags.some((t) => !t.key || !t.value)) errors.tags = 'Every tag needs a key and a value.';
  else if (tags.some((t) => t.key.length > 50 || t.value.length > 100)) errors.tags = 'Keys up to 50, values up to 100 characters.';

  let context: Record<string, unknown> = {};
  if (v.context.trim()) {
    try {
      const parsed: unknown = JSON.parse(v.context);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) errors.context = 'Context must be a JSON object.';
      else context = parsed as Record<string, unknown>;
    } catch {
      errors.context = 'Not valid JSON.';
    }
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const body: NewRunRequest = { id, tags, context };
  if (typeof deadline === 'number') body.deadline = deadline;
  return { ok: true, name, body };
}
