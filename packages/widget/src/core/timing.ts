/**
 * Reconnect backoff and token-refresh timing (pure functions, so they are
 * tested with plain numbers).
 */

export const RECONNECT_BASE_MS = 500;
export const RECONNECT_MAX_MS = 15_000;
/** After 4429 the same token is refused at the upgrade for about 10 s. */
export const TOO_MANY_REQUESTS_WAIT_MS = 10_000;
/** Refresh at this share of the token's remaining lifetime. */
export const REFRESH_AT = 0.8;
export const MIN_REFRESH_DELAY_MS = 1_000;
/** A refresh that failed on the network is tried again this soon (the old token is still good meanwhile). */
export const REFRESH_RETRY_MS = 10_000;
/** Skews below this are within the Date header's resolution and network delay: not corrected for. */
export const SKEW_THRESHOLD_MS = 5_000;
const MAX_TIMER_MS = 2_000_000_000;

/** Exponential backoff with ±25 % jitter: 0.5 s, 1 s, 2 s, … up to 15 s. `random` is Math.random's range. */
export function backoffDelay(attempt: number, random: number, base = RECONNECT_BASE_MS, max = RECONNECT_MAX_MS): number {
  const exponential = Math.min(max, base * 2 ** Math.max(0, attempt));
  return Math.round(exponential * (0.75 + random * 0.5));
}

/** What to do when the socket closed with this code (docs/protocol.md, close codes). */
export type CloseDecision =
  | { action: 'new_session' }
  | { action: 'reconnect_after_refresh' }
  | { action: 'reconnect'; delayMs: number };

export function decideOnClose(code: number, attempt: number, random: number): CloseDecision {
  switch (code) {
    case 4401: // bad token: unknown, or rotated before the socket opened
    case 4408: // idle past its lifetime
      return { action: 'new_session' };
    case 4409: // the token was replaced (refresh, or a resume elsewhere): reconnect with the current one
      return { action: 'reconnect_after_refresh' };
    case 4429: // too many sockets, or flooding: wait out the cool-down, then reconnect
      return { action: 'reconnect', delayMs: TOO_MANY_REQUESTS_WAIT_MS + backoffDelay(attempt, random) };
    case 1012: // the node is shutting down: another node answers at once
      return { action: 'reconnect', delayMs: attempt === 0 ? Math.round(200 + random * 800) : backoffDelay(attempt, random) };
    case 1013: // a dependency failed at set-up; the token is fine: a short backoff
      return { action: 'reconnect', delayMs: Math.max(1_000, backoffDelay(attempt, random)) };
    default: // 1006 (dropped), 4503 (slow reader), 1009, 1000, 1001 ...: reconnect and resume
      return { action: 'reconnect', delayMs: backoffDelay(attempt, random) };
  }
}

/**
 * Server clock minus ours, from a response's Date header. The header has
 * one-second resolution, so only a clearly wrong local clock is corrected
 * for, and then towards the late end of that second, so that refreshes come
 * early rather than late. Null when the header is missing or unreadable (a
 * cross-origin response shows Date only when the service exposes it).
 */
export function clockSkewFromDate(dateHeader: string | null | undefined, localNowMs: number): number | null {
  if (!dateHeader) return null;
  const serverMs = Date.parse(dateHeader);
  if (Number.isNaN(serverMs)) return null;
  const skew = serverMs + 1_000 - localNowMs;
  return Math.abs(skew) > SKEW_THRESHOLD_MS ? skew : 0;
}

/** How long to wait before refreshing a token that expires at `expiresAt` (read on the server's clock). */
export function refreshDelay(expiresAt: string, localNowMs: number, skewMs: number): number {
  const expires = Date.parse(expiresAt);
  if (Number.isNaN(expires)) return MIN_REFRESH_DELAY_MS;
  const remaining = expires - (localNowMs + skewMs);
  return Math.min(Math.max(remaining * REFRESH_AT, MIN_REFRESH_DELAY_MS), MAX_TIMER_MS);
}

/** Whether the token is past its expiry on the server's clock. */
export function isExpired(expiresAt: string, localNowMs: number, skewMs: number): boolean {
  const expires = Date.parse(expiresAt);
  return !Number.isNaN(expires) && expires <= localNowMs + skewMs;
}
