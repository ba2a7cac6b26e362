/** The optional API key lives in localStorage and goes out as X-API-KEY on every request. */
export const API_KEY_STORAGE = 'totrackit.apiKey';
export const API_KEY_EVENT = 'totrackit:api-key-changed';
export const UNAUTHORIZED_EVENT = 'totrackit:unauthorized';

export function getApiKey(): string {
  try {
    return window.localStorage.getItem(API_KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function setApiKey(key: string): void {
  const trimmed = key.trim();
  try {
    if (trimmed) window.localStorage.setItem(API_KEY_STORAGE, trimmed);
    else window.localStorage.removeItem(API_KEY_STORAGE);
  } catch {
    // Storage can be disabled (private mode); the key then lasts for this page only.
  }
  window.dispatchEvent(new Event(API_KEY_EVENT));
}
