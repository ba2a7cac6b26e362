import { describe, expect, it } from 'vitest';
import { buildRunRequest, emptyForm, suggestRunId } from './runForm';

const NOW = 1_752_900_000;

describe('buildRunRequest', () => {
  it('builds the POST body with a relative deadline in epoch seconds', () => {
    const v = { ...emptyForm('billing'), id: 'run-001', deadlineAmount: '2', deadlineUnit: 'hours' as const };
    v.tags = [{ key: ' country ', value: 'DE' }, { key: '', value: '' }];
    v.context = '{"customerId": "C1"}';
    expect(buildRunRequest(v, NOW)).toEqual({
      ok: true,
      name: 'billing',
      body: { id: 'run-001', deadline: NOW + 7200, tags: [{ key: 'country', value: 'DE' }], context: { customerId: 'C1' } },
    });
  });

  it('leaves the deadline out when there is none', () => {
    const built = buildRunRequest({ ...emptyForm('billing'), id: 'run-001', deadlineMode: 'none' }, NOW);
    expect(built.ok && 'deadline' in built.body).toBe(false);
  });

  it('reads an absolute local date (TZ=UTC in tests)', () => {
    const built = buildRunRequest({ ...emptyForm('billing'), id: 'run-001', deadlineMode: 'at', deadlineAt: '2026-07-19T16:00' }, NOW);
    expect(built.ok && built.body.deadline).toBe(Date.UTC(2026, 6, 19, 16) / 1000);
  });

  it('reports every invalid field at once', () => {
    const v = { ...emptyForm('bad name!'), id: 'ab', deadlineAmount: '0', context: '[1,2]' };
    v.tags = [{ key: 'k', value: '' }];
    const built = buildRunRequest(v, NOW);
    expect(built.ok).toBe(false);
    if (!built.ok) expect(Object.keys(built.errors).sort()).toEqual(['context', 'deadline', 'id', 'name', 'tags']);
  });

  it('rejects past deadlines, bad JSON and too many tags', () => {
    const past = buildRunRequest({ ...emptyForm('n'), id: 'abc', deadlineMode: 'at', deadlineAt: '2020-01-01T00:00' }, NOW);
    expect(!past.ok && past.errors.deadline).toMatch(/past/);
    const json = buildRunRequest({ ...emptyForm('n'), id: 'abc', context: '{oops' }, NOW);
    expect(!json.ok && json.errors.context).toBe('Not valid JSON.');
    const many = { ...emptyForm('n'), id: 'abc', tags: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: 'v' })) };
    expect(buildRunRequest(many, NOW).ok).toBe(false);
  });

  it('suggests ids the server accepts', () => {
    const id = suggestRunId(new Date(Date.UTC(2026, 6, 19, 14, 5, 9)));
    expect(id).toMatch(/^run-20260719-140509-[a-z0-9]{1,4}$/);
    expect(id.length).toBeLessThanOrEqual(50);
  });
});
