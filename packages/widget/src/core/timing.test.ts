import { describe, expect, it } from 'vitest';
import { backoffDelay, clockSkewFromDate, decideOnClose, isExpired, refreshDelay, TOO_MANY_REQUESTS_WAIT_MS } from './timing.js';

describe('backoff', () => {
  it('doubles from 0.5 s to a 15 s cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffDelay(attempt, 0.5))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  });

  it('jitters by ±25 %', () => {
    expect(backoffDelay(2, 0)).toBe(1500);
    expect(backoffDelay(2, 0.999999)).toBe(2500);
  });
});

describe('close codes', () => {
  it('4401 and 4408: a new session', () => {
    expect(decideOnClose(4401, 0, 0.5)).toEqual({ action: 'new_session' });
    expect(decideOnClose(4408, 3, 0.5)).toEqual({ action: 'new_session' });
  });

  it('4409: reconnect with the refreshed token', () => {
    expect(decideOnClose(4409, 0, 0.5)).toEqual({ action: 'reconnect_after_refresh' });
  });

  it('4429: waits out the cool-down before reconnecting', () => {
    const decision = decideOnClose(4429, 0, 0.5);
    expect(decision.action).toBe('reconnect');
    expect(decision.action === 'reconnect' && decision.delayMs).toBeGreaterThanOrEqual(TOO_MANY_REQUESTS_WAIT_MS);
  });

  it('1012: reconnects at once (another node answers); 1013 after a short backoff; others with backoff', () => {
    const restart = decideOnClose(1012, 0, 0.5);
    expect(restart.action === 'reconnect' && restart.delayMs).toBeLessThan(1000);
    const unavailable = decideOnClose(1013, 0, 0.5);
    expect(unavailable.action === 'reconnect' && unavailable.delayMs).toBe(1000);
    expect(decideOnClose(1006, 3, 0.5)).toEqual({ action: 'reconnect', delayMs: 4000 });
    expect(decideOnClose(4503, 0, 0.5)).toEqual({ action: 'reconnect', delayMs: 500 });
  });
});

describe('clock skew and refresh timing', () => {
  const local = Date.parse('2026-03-01T10:00:00.000Z');

  it('ignores skews within the Date header resolution', () => {
    expect(clockSkewFromDate('Sun, 01 Mar 2026 10:00:02 GMT', local)).toBe(0);
    expect(clockSkewFromDate(null, local)).toBeNull();
    expect(clockSkewFromDate('garbage', local)).toBeNull();
  });

  it('corrects for a clearly wrong local clock, towards the late end of the second', () => {
    expect(clockSkewFromDate('Sun, 01 Mar 2026 10:02:00 GMT', local)).toBe(121_000);
    expect(clockSkewFromDate('Sun, 01 Mar 2026 09:58:00 GMT', local)).toBe(-119_000);
  });

  it('refreshes at 80 % of the lifetime left on the server clock', () => {
    const expiresAt = '2026-03-01T10:15:00.000Z'; // 900 s after local now
    expect(refreshDelay(expiresAt, local, 0)).toBe(720_000);
    // The server is two minutes ahead: 780 s are really left.
    expect(refreshDelay(expiresAt, local, 120_000)).toBe(624_000);
    // A local clock far ahead would otherwise refresh too late, or never.
    expect(refreshDelay(expiresAt, local, -600_000)).toBe(1_200_000);
    expect(refreshDelay('2026-03-01T09:00:00.000Z', local, 0)).toBe(1000);
    expect(isExpired(expiresAt, local, 0)).toBe(false);
    expect(isExpired(expiresAt, local, 900_000)).toBe(true);
  });
});
