import type { Tag } from '../api/types';

/**
 * Parses the `k1:v1,k2:v2` filter the way the server does: the split is at the first colon and a
 * later duplicate key wins. Pieces without a colon, or with an empty key or value (`key:`), are
 * dropped rather than sent: the server answers 400 to a malformed tag.
 */
export function parseTagFilter(text: string): Tag[] {
  const byKey = new Map<string, string>();
  for (const piece of text.split(',')) {
    const trimmed = piece.trim();
    const colon = trimmed.indexOf(':');
    if (colon < 0) continue;
    const key = trimmed.slice(0, colon).trim();
    const value = trimmed.slice(colon + 1).trim();
    if (!key || !value) continue;
    byKey.delete(key);
    byKey.set(key, value);
  }
  return [...byKey.entries()].map(([key, value]) => ({ key, value }));
}

export function formatTagFilter(tags: Tag[]): string {
  return tags.map((t) => `${t.key}:${t.value}`).join(',');
}

/** The filter as the server should get it: well-formed pieces only, or undefined for none. */
export function cleanTagFilter(text: string | null | undefined): string | undefined {
  return formatTagFilter(parseTagFilter(text ?? '')) || undefined;
}

/** Adds `key:value` to a filter, replacing an earlier value of the same key. */
export function addTagToFilter(filter: string, tag: Tag): string {
  const rest = parseTagFilter(filter).filter((t) => t.key !== tag.key);
  return formatTagFilter([...rest, tag]);
}

export function tagLabel(tag: Tag): string {
  return `${tag.key}=${tag.value}`;
}
