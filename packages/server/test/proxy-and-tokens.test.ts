import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { createTestDatabase, startTestServer, TEST_HOST_SECRET, testDrivers, type RunningTestServer, type TestDatabase } from './test-server.js';

const HOST_KEY = new TextEncoder().encode(TEST_HOST_SECRET);

async function post(baseUrl: string, path: string, body: unknown, forwardedFor?: string): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** A fresh documentation-range address per call, for requests that must not share a rate-limit budget. */
let nextAddress = 1;
const freshIp = () => `198.51.100.${nextAddress++}`;

const now = () => Math.floor(Date.now() / 1000);

function hostToken(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(HOST_KEY);
}

/**
 * Over HTTP: the client IP behind proxies (TRUST_PROXY), the lifetime of
 * host customer tokens, and the demo token endpoint's own key and rate limit.
 */
describe.each(testDrivers)('proxies and customer tokens on %s', (driver) => {
  let database: TestDatabase;
  /** Demo mode behind one proxy (TRUST_PROXY=1), 3 sessions and 3 demo tokens per IP per minute. */
  let demo: RunningTestServer;
  /** No demo, behind a proxy at 127.0.0.1 (TRUST_PROXY=<address>), same limits. */
  let real: RunningTestServer;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    const shared = { db: database.db, drop: async () => {} };
    demo = await startTestServer({ database: shared, env: { TRUST_PROXY: '1', RATE_LIMIT_SESSIONS_PER_IP_PER_MINUTE: '3' } });
    real = await startTestServer({ database: shared, env: { DEMO_ENABLED: 'false', TRUST_PROXY: '127.0.0.1', RATE_LIMIT_SESSIONS_PER_IP_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    await demo?.close();
    await real?.close();
    await database?.drop();
  });

  describe('TRUST_PROXY', () => {
    for (const [label, server] of [
      ['a hop count (1)', () => demo],
      ['the proxy address (127.0.0.1)', () => real],
    ] as const) {
      it(`with ${label}, a spoofed left-most X-Forwarded-For does not escape the per-IP session limit`, async () => {
        // The proxy appends the address it saw; whatever the client wrote stays on the left.
        const client = freshIp();
        const statuses: number[] = [];
        for (let attempt = 0; attempt < 6; attempt += 1) {
          statuses.push((await post(server().url, '/support/chat/session', {}, `10.9.8.${attempt}, 203.0.113.${attempt}, ${client}`)).status);
        }
        expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
        const refused = await post(server().url, '/support/chat/session', {}, `${freshIp()}, ${client}`);
        expect(refused.status).toBe(429);
        expect(refused.body).toMatchObject({ error: { code: 'rate_limited' } });
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

        // The address the proxy saw is the client: another one has a budget of its own.
        expect((await post(server().url, '/support/chat/session', {}, `10.9.8.1, ${freshIp()}`)).status).toBe(201);
      });
    }

    it('with proxy addresses, every trusted proxy in the chain is skipped and the first other address is the client', async () => {
      // Two proxies at 127.0.0.1 in a row: the walk from the right passes both, stops at the client and ignores what is left of it.
      const client = freshIp();
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 4; attempt += 1) {
        statuses.push((await post(real.url, '/support/chat/session', {}, `203.0.113.${attempt}, ${client}, 127.0.0.1`)).status);
      }
      expect(statuses).toEqual([201, 201, 201, 429]);
    });
  });

  describe('host customer tokens', () => {
    it('refuses over HTTP a token without exp, with exp years ahead, or issued in the future, saying why', async () => {
      const cases: Array<[string, JWTPayload, RegExp]> = [
        ['no exp', { sub: 'cus_alice', iat: now() }, /no "exp" claim/],
        ['exp years ahead', { sub: 'cus_alice', iat: now(), exp: now() + 5 * 365 * 86_400 }, /at most 86400 are allowed/],
        ['iat in the future', { sub: 'cus_alice', iat: now() + 3600, exp: now() + 7200 }, /"iat" is \d+ seconds in the future/],
        ['issued for too long', { sub: 'cus_alice', iat: now() - 3 * 86_400, exp: now() + 600 }, /"exp" - "iat"/],
      ];
      for (const [label, claims, why] of cases) {
        const refused = await post(real.url, '/support/chat/session', { customerToken: await hostToken(claims) }, freshIp());
        expect(refused.status, label).toBe(401);
        expect(refused.body, label).toMatchObject({ error: { code: 'invalid_customer_token', message: expect.stringMatching(why) } });
      }
      const expired = await post(real.url, '/support/chat/session', { customerToken: await hostToken({ sub: 'cus_alice', iat: now() - 600, exp: now() - 120 }) }, freshIp());
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ error: { code: 'customer_token_expired' } });

      const fine = await post(real.url, '/support/chat/session', { customerToken: await hostToken({ sub: 'cus_alice', iat: now(), exp: now() + 3600 }) }, freshIp());
      expect(fine.status).toBe(201);
      expect(fine.body).toMatchObject({ customer: { id: 'cus_alice' } });
    });
  });

  describe('the demo token endpoint', () => {
    it('signs with a demo key, not HOST_JWT_SECRET, and its tokens open sessions only in demo mode', async () => {
      const issued = await post(demo.url, '/demo/customer-token', { customerId: 'cus_alice' }, freshIp());
      expect(issued.status).toBe(200);
      const { customerToken } = issued.body as { customerToken: string };
      await expect(jwtVerify(customerToken, HOST_KEY)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);

      const session = await post(demo.url, '/support/chat/session', { customerToken }, freshIp());
      expect(session.status).toBe(201);
      expect(session.body).toMatchObject({ customer: { id: 'cus_alice', name: 'Alice Martin' } });

      // The same HOST_JWT_SECRET without demo mode: the token is worthless, and there is no endpoint to get one.
      const elsewhere = await post(real.url, '/support/chat/session', { customerToken }, freshIp());
      expect(elsewhere.status).toBe(401);
      expect(elsewhere.body).toMatchObject({ error: { code: 'invalid_customer_token' } });
      expect((await post(real.url, '/demo/customer-token', { customerId: 'cus_alice' }, freshIp())).status).toBe(404);

      // Tokens the host signs with HOST_JWT_SECRET still work in demo mode.
      const hostSigned = await post(demo.url, '/support/chat/session', { customerToken: await hostToken({ sub: 'cus_kenji', exp: now() + 600 }) }, freshIp());
      expect(hostSigned.status).toBe(201);
    });

    it('is rate-limited per client IP like session creation', async () => {
      const client = freshIp();
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 5; attempt += 1) {
        statuses.push((await post(demo.url, '/demo/customer-token', { customerId: 'cus_alice' }, `10.0.0.${attempt}, ${client}`)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const refused = await post(demo.url, '/demo/customer-token', { customerId: 'cus_alice' }, client);
      expect(refused.body).toMatchObject({ error: { code: 'rate_limited' } });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await post(demo.url, '/demo/customer-token', { customerId: 'cus_alice' }, freshIp())).status).toBe(200);
    });
  });
});
