/**
 * The only URLs that become links: absolute http:, https: and mailto:.
 * Everything else (javascript:, data:, vbscript:, relative paths, junk) is
 * refused and shown as text by the caller.
 */
export function safeHref(raw: string): string | null {
  const value = raw.trim();
  if (!/^(?:https?:\/\/|mailto:)/i.test(value)) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'mailto:') return null;
    if (url.protocol !== 'mailto:' && !url.hostname) return null;
    return url.href;
  } catch {
    return null;
  }
}

/** The service's base URL without a trailing slash; '' means the page's own origin. */
export function normalizeServiceUrl(serviceUrl: string | undefined | null): string {
  return (serviceUrl ?? '').trim().replace(/\/+$/, '');
}

/** The websocket URL for a session token (the short-lived session token goes in the query, as the contract says). */
export function socketUrl(serviceUrl: string, wsPath: string, token: string, pageHref: string): string {
  const base = serviceUrl ? new URL(serviceUrl + '/', pageHref).href : pageHref;
  const url = new URL(wsPath || '/support/chat/ws', base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  url.searchParams.set('token', token);
  return url.href;
}
