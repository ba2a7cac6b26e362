/** Lets any component ask the app shell to open the API key dialog. */
export const OPEN_API_KEY_EVENT = 'totrackit:open-api-key';

export function openApiKeyDialog(): void {
  window.dispatchEvent(new Event(OPEN_API_KEY_EVENT));
}
