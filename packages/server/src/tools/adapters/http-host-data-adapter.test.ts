import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHostServer, type FakeHostServer } from '../../../test/fake-host-server.js';
import { HostApiError, HttpHostDataAdapter } from './http-host-data-adapter.js';
import { signHostRequest, verifyHostRequest } from './host-request-signing.js';

const HMAC_SECRET = 'host-shared-hmac-secret-0123456789';

describe('HttpHostDataAdapter against a host API over real HTTP', () => {
  let host: FakeHostServer;
  let adapter: HttpHostDataAdapter;

  beforeAll(async () => {
    host = await startFakeHostServer({ hmacSecret: HMAC_SECRET });
    adapter = new HttpHostDataAdapter({ baseUrl: host.url, auth: { kind: 'hmac', secret: HMAC_SECRET }, timeoutMs: 300, retries: 2, backoffMs: 10 });
  });
  afterAll(async () => {
    await host?.close();
  });
  beforeEach(() => {
    host.requests.length = 0;
  });

  it('signs every request so that the host can verify it, and names the customer it acts for', async () => {
    const booking = await adapter.findCustomerBooking('cus_alice', 'sky4f2');
    expect(booking).toMatchObject({ reference: 'SKY4F2', status: 'confirmed', kind: 'flight' });
    expect(host.requests).toEqual([
      { method: 'GET', path: '/api/customers/cus_alice/bookings/SKY4F2', customerId: 'cus_alice', authenticated: true, idempotencyKey: undefined },
    ]);
    expect((await adapter.listCustomerBookings('cus_alice')).map((entry) => entry.reference)).toContain('SKY4F2');
    expect(await adapter.getWallet('cus_alice')).toMatchObject({ currency: expect.any(String) });
    expect(await adapter.getCustomerProfile('cus_alice')).toMatchObject({ id: 'cus_alice', name: 'Alice Martin' });
  });

  it('gets nothing for another customer\'s booking', async () => {
    expect(await adapter.findCustomerBooking('cus_alice', 'R2D7KP')).toBeNull();
  });

  it('is refused by the host with a wrong secret: the 4xx surfaces, without retries', async () => {
    const forged = new HttpHostDataAdapter({ baseUrl: host.url, auth: { kind: 'hmac', secret: 'not-the-secret-at-all-000000' }, timeoutMs: 300, retries: 2, backoffMs: 10 });
    const failure = await forged.getWallet('cus_alice').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HostApiError);
    expect(failure).toMatchObject({ code: 'host_rejected', upstreamStatus: 401 });
    expect(host.requests).toHaveLength(1);
    expect(host.requests[0]?.authenticated).toBe(false);
  });

  it('retries a 5xx and succeeds when the host recovers', async () => {
    host.failNext(2, 503);
    expect(await adapter.getWallet('cus_alice')).not.toBeNull();
    expect(host.requests).toHaveLength(3);
  });

  it('gives up after its retries with host_unavailable', async () => {
    host.failNext(3, 500);
    await expect(adapter.getWallet('cus_alice')).rejects.toMatchObject({ code: 'host_unavailable', retryable: true });
    expect(host.requests).toHaveLength(3);
  });

  it('times a stalled host out and retries', async () => {
    host.stallNext(1, 1000);
    expect(await adapter.getCustomerProfile('cus_kenji')).toMatchObject({ id: 'cus_kenji' });
    expect(host.requests).toHaveLength(2);
  });

  it('quotes without acting, and executes with an idempotency key so that a retry acts once', async () => {
    const quote = await adapter.quoteCancellation('cus_alice', 'SKY4F2');
    expect(quote).toMatchObject({ cancellable: true, fee: { currency: expect.any(String) } });
    expect(host.executions.size).toBe(0);
    const change = await adapter.quoteChange('cus_alice', 'SKY4F2', '2027-04-01');
    expect(change).toMatchObject({ newStartDate: '2027-04-01' });

    // The host fails the first attempt; the retry carries the same key, and a repeated call acts no more.
    host.failNext(1, 503);
    const result = await adapter.cancelBooking('cus_alice', 'SKY4F2', 'act_123');
    expect(result).toMatchObject({ reference: 'SKY4F2', status: 'cancelled' });
    await adapter.cancelBooking('cus_alice', 'SKY4F2', 'act_123');
    expect([...host.executions.keys()]).toEqual(['act_123']);
    const executeCalls = host.requests.filter((request) => request.path.endsWith('/cancellation'));
    expect(executeCalls.map((request) => request.idempotencyKey)).toEqual(['act_123', 'act_123', 'act_123']);
    expect(executeCalls.every((request) => request.authenticated)).toBe(true);
    expect(await adapter.quoteCancellation('cus_alice', 'R2D7KP')).toBeNull();
  });

  it('works with a bearer token too', async () => {
    const bearerHost = await startFakeHostServer({ bearer: 'service-token-abcdefghijklmnop' });
    try {
      const bearer = new HttpHostDataAdapter({ baseUrl: bearerHost.url, auth: { kind: 'bearer', token: 'service-token-abcdefghijklmnop' }, timeoutMs: 300, retries: 0 });
      expect(await bearer.getCustomerProfile('cus_omar')).toMatchObject({ id: 'cus_omar' });
      expect(bearerHost.requests[0]?.authenticated).toBe(true);
    } finally {
      await bearerHost.close();
    }
  });
});

describe('host request signatures', () => {
  it('verify only the same method, path, body and a fresh timestamp', () => {
    const now = Date.UTC(2026, 10, 28);
    const signature = signHostRequest(HMAC_SECRET, { method: 'POST', path: '/api/x?y=1', body: '{"a":1}', now });
    const check = (changes: Partial<{ method: string; path: string; body: string; now: number; secret: string }>) =>
      verifyHostRequest(changes.secret ?? HMAC_SECRET, { method: 'POST', path: '/api/x?y=1', body: '{"a":1}', now, signature, ...changes });
    expect(check({})).toBe(true);
    expect(check({ method: 'GET' })).toBe(false);
    expect(check({ path: '/api/x?y=2' })).toBe(false);
    expect(check({ body: '{"a":2}' })).toBe(false);
    expect(check({ now: now + 301_000 })).toBe(false);
    expect(check({ secret: 'another-secret-of-some-length' })).toBe(false);
    expect(verifyHostRequest(HMAC_SECRET, { method: 'POST', path: '/', body: '', signature: 'garbage' })).toBe(false);
  });
});
