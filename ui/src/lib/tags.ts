import type { Tag } from '../api/types';

/**
 * Parses the `k1:v1,k2:v2` filter the way the server does: pieces without a colon or with an
 * empty key are skipped, the split is at the first colon, a later duplicate key wins.
 */
export function parseTagFilter(text: string): Tag[] {
  const byKey = new Map<string, string>();
  for (const piece of text.split(',')) {
    const trimmed = piece.trim();
    const colon = trimmed.indexOf(':');
    if (colon < 0) continue;
    const key = trimmed.slice(0, colon).trim();
    if (!key) continue;
    byKey.delete(key);
    byKey.set(key, trimmed.slice(colon + 1).trim());
  }
  return [...byKey.entries()].map(([key, value]) => ({ key, value }));
}

export function formatTagFilter(tags: Tag[]): string {
  return tags.map((t) => `${t.key}:${t.value}`).join(',');
}

/** Adds `key:value` to a filter, replacing an earlier value of the same key. */
export function addTagToFilter(filter: string, tag: Tag): string {
  const rest = parseTagFilter(filter).filter((t) => t.key !== tag.key);
  return formatTagFilter([...rest, tag]);
}

export function tagLabel(tag: Tag): string {
  return `${tag.key}=${tag.value}`;
}
