import { describe, expect, it } from 'vitest';
import { addTagToFilter, formatTagFilter, parseTagFilter, tagLabel } from './tags';

describe('tag filter', () => {
  it('parses pairs the way the server does', () => {
    expect(parseTagFilter('country:DE, channel:web')).toEqual([
      { key: 'country', value: 'DE' },
      { key: 'channel', value: 'web' },
    ]);
  });

  it('splits at the first colon and skips bad pieces', () => {
    expect(parseTagFilter('url:http://x,,nocolon,:v')).toEqual([{ key: 'url', value: 'http://x' }]);
  });

  it('drops pieces with an empty key or value, which the server rejects', () => {
    expect(parseTagFilter('k:, k2: ,:v, : ,country:DE')).toEqual([{ key: 'country', value: 'DE' }]);
  });

  it('lets a later duplicate key win', () => {
    expect(parseTagFilter('country:DE,country:FR')).toEqual([{ key: 'country', value: 'FR' }]);
  });

  it('adds or replaces one tag', () => {
    expect(addTagToFilter('', { key: 'country', value: 'DE' })).toBe('country:DE');
    expect(addTagToFilter('country:DE,channel:web', { key: 'country', value: 'FR' })).toBe('channel:web,country:FR');
    expect(formatTagFilter([])).toBe('');
    expect(tagLabel({ key: 'a', value: 'b' })).toBe('a=b');
  });
});
