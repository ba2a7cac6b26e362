import { describe, expect, it } from 'vitest';
import { buildSearch, decodeFormValue, hrefFor, offsetOf, pageOf, parseParams, parseProcessParam, patchParams, processParam, windowOf } from './nav';

describe('parseProcessParam (deep links ?process=NAME/ID)', () => {
  it('splits at the first slash', () => {
    expect(parseProcessParam('account-activation/run-001')).toEqual({ name: 'account-activation', id: 'run-001' });
  });

  it('keeps later slashes in the id', () => {
    expect(parseProcessParam('billing/a/b/c')).toEqual({ name: 'billing', id: 'a/b/c' });
  });

  it('form-decodes both parts: + is a space, %XX escapes', () => {
    expect(parseProcessParam('billing/order+42')).toEqual({ name: 'billing', id: 'order 42' });
    expect(parseProcessParam('billing/a%2Fb%20c%2Bd')).toEqual({ name: 'billing', id: 'a/b c+d' });
    expect(parseProcessParam('billing/caf%C3%A9')).toEqual({ name: 'billing', id: 'café' });
  });

  it('accepts a fully encoded value (slash as %2F)', () => {
    expect(parseProcessParam('billing%2Frun-1')).toEqual({ name: 'billing', id: 'run-1' });
  });

  it('rejects values that do not name a run', () => {
    for (const raw of ['', null, undefined, 'billing', 'billing/', '/run-1']) expect(parseProcessParam(raw)).toBeNull();
  });

  it('keeps malformed escapes as typed', () => {
    expect(parseProcessParam('billing/100%')).toEqual({ name: 'billing', id: '100%' });
    expect(decodeFormValue('%E0%A4%A')).toBe('%E0%A4%A');
  });

  it('round-trips through processParam and the URL', () => {
    const ref = { name: 'kyc_review', id: 'id with spaces/and+plus' };
    const search = buildSearch({ process: processParam(ref) });
    expect(parseProcessParam(parseParams(search).process)).toEqual(ref);
  });

  it('matches the webhook link format (Java URLEncoder, literal slash)', () => {
    const params = parseParams('?process=account-activation/order+%2342');
    expect(parseProcessParam(params.process)).toEqual({ name: 'account-activation', id: 'order #42' });
  });
});

describe('query string state', () => {
  it('decodes ordinary params and keeps process raw', () => {
    expect(parseParams('?name=billing&tags=country%3ADE%2Cchannel%3Aweb&f_name=a+b&process=x/y+z')).toEqual({
      name: 'billing',
      tags: 'country:DE,channel:web',
      f_name: 'a b',
      process: 'x/y+z',
    });
  });

  it('builds readable query strings', () => {
    expect(buildSearch({ page: 'tags', tags: 'country:DE,channel:web', f_name: 'a b' })).toBe('?page=tags&tags=country:DE,channel:web&f_name=a%20b');
    expect(buildSearch({})).toBe('');
    expect(hrefFor({})).toBe('/');
    expect(hrefFor({ name: 'billing' })).toBe('/?name=billing');
  });

  it('patches params, removing null and empty values', () => {
    expect(patchParams({ a: '1', b: '2' }, { a: null, b: '', c: '3' })).toEqual({ c: '3' });
  });

  it('picks the page', () => {
    expect(pageOf({})).toBe('dashboard');
    expect(pageOf({ name: 'billing' })).toBe('name');
    expect(pageOf({ page: 'tags', name: 'billing' })).toBe('tags');
    expect(pageOf({ page: 'metrics' })).toBe('metrics');
    expect(pageOf({ page: 'names' })).toBe('names');
    expect(pageOf({ page: 'bogus' })).toBe('dashboard');
  });

  it('reads the window and offset safely', () => {
    expect(windowOf({ window: '168' })).toBe(168);
    expect(windowOf({ window: '5' })).toBe(24);
    expect(windowOf({})).toBe(24);
    expect(offsetOf({ offset: '50' })).toBe(50);
    expect(offsetOf({ offset: '-5' })).toBe(0);
    expect(offsetOf({ offset: 'x' })).toBe(0);
  });
});
