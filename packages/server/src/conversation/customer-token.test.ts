import { describe, expect, it } from 'vitest';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { AppError } from '../errors/app-error.js';
import { CustomerTokenVerifier } from './customer-token.js';

const SECRET = 'unit-test-host-secret-at-least-32-characters';
const KEY = new TextEncoder().encode(SECRET);
const NOW = new Date('2030-06-01T12:00:00Z');
const now = Math.floor(NOW.getTime() / 1000);
const DAY = 86_400;

const verifier = new CustomerTokenVerifier(SECRET, { maxLifetimeSeconds: DAY, now: () => NOW });

/** What a host application may send: any claims, signed with the shared secret. */
function hostToken(claims: JWTPayload, options: { alg?: string; key?: Uint8Array } = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).sign(options.key ?? KEY);
}

/** The AppError verify refused the token with. */
async function refusal(token: string, by: CustomerTokenVerifier = verifier): Promise<AppError> {
  try {
    await by.verify(token);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the token was accepted');
}

describe('CustomerTokenVerifier', () => {
  it('accepts a host token with a bounded exp, with or without iat', async () => {
    expect(await verifier.verify(await hostToken({ sub: 'cus_alice', name: 'Alice', iat: now, exp: now + 600 }))).toEqual({
      kind: 'customer',
      customerId: 'cus_alice',
      name: 'Alice',
      email: null,
    });
    expect((await verifier.verify(await hostToken({ sub: 'cus_alice', exp: now + 300 }))).customerId).toBe('cus_alice');
    // Its own tokens (the CLI's and the tests') pass too.
    expect((await verifier.verify(await verifier.sign({ sub: 'cus_kenji' }, 3600))).customerId).toBe('cus_kenji');
  });

  it('requires exp', async () => {
    const error = await refusal(await hostToken({ sub: 'cus_alice', iat: now }));
    expect(error).toMatchObject({ code: 'invalid_customer_token', status: 401 });
    expect(error.message).toMatch(/no "exp" claim.*at most 86400 seconds ahead/);
    expect((await refusal(await hostToken({ sub: 'cus_alice' }))).code).toBe('invalid_customer_token');
  });

  it('refuses an exp further ahead than the maximum lifetime (beyond the clock tolerance)', async () => {
    const yearsAhead = await refusal(await hostToken({ sub: 'cus_alice', exp: now + 5 * 365 * DAY }));
    expect(yearsAhead).toMatchObject({ code: 'invalid_customer_token', status: 401 });
    expect(yearsAhead.message).toMatch(/expires \d+ seconds from now; at most 86400 are allowed \(CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS\)/);
    expect((await refusal(await hostToken({ sub: 'cus_alice', exp: now + DAY + 31 }))).code).toBe('invalid_customer_token');
    // The host's clock may run up to 30 s ahead of ours.
    expect((await verifier.verify(await hostToken({ sub: 'cus_alice', exp: now + DAY }))).customerId).toBe('cus_alice');
    expect((await verifier.verify(await hostToken({ sub: 'cus_alice', exp: now + DAY + 30 }))).customerId).toBe('cus_alice');
    // The maximum is configurable.
    const strict = new CustomerTokenVerifier(SECRET, { maxLifetimeSeconds: 300, now: () => NOW });
    expect((await refusal(await hostToken({ sub: 'cus_alice', exp: now + 600 }), strict)).message).toMatch(/at most 300 are allowed/);
  });

  it('refuses an iat in the future beyond the clock tolerance', async () => {
    const future = await refusal(await hostToken({ sub: 'cus_alice', iat: now + 3600, exp: now + 7200 }));
    expect(future).toMatchObject({ code: 'invalid_customer_token', status: 401 });
    expect(future.message).toMatch(/"iat" is 3600 seconds in the future/);
    expect((await refusal(await hostToken({ sub: 'cus_alice', iat: now + 31, exp: now + 600 }))).code).toBe('invalid_customer_token');
    expect((await verifier.verify(await hostToken({ sub: 'cus_alice', iat: now + 30, exp: now + 600 }))).customerId).toBe('cus_alice');
  });

  it('refuses a token issued for longer than the maximum (exp - iat), even when exp is near', async () => {
    const long = await refusal(await hostToken({ sub: 'cus_alice', iat: now - 2 * DAY, exp: now + 600 }));
    expect(long).toMatchObject({ code: 'invalid_customer_token', status: 401 });
    expect(long.message).toMatch(/issued for \d+ seconds \("exp" - "iat"\); at most 86400/);
    expect((await verifier.verify(await hostToken({ sub: 'cus_alice', iat: now - DAY + 600, exp: now + 600 }))).customerId).toBe('cus_alice');
  });

  it('says customer_token_expired for an expired token, within a 30 s tolerance', async () => {
    const expired = await refusal(await hostToken({ sub: 'cus_alice', iat: now - 600, exp: now - 31 }));
    expect(expired).toMatchObject({ code: 'customer_token_expired', status: 401 });
    expect((await verifier.verify(await hostToken({ sub: 'cus_alice', iat: now - 600, exp: now - 29 }))).customerId).toBe('cus_alice');
  });

  it('says why a token is not valid otherwise', async () => {
    const cases: Array<[string, Promise<string>, RegExp]> = [
      ['wrong secret', hostToken({ sub: 'cus_alice', exp: now + 60 }, { key: new TextEncoder().encode('x'.repeat(40)) }), /bad signature/],
      ['other algorithm', hostToken({ sub: 'cus_alice', exp: now + 60 }, { alg: 'HS512' }), /HS256/],
      ['not a JWT', Promise.resolve('not.a.jwt'), /not a well-formed JWT/],
      ['no sub', hostToken({ exp: now + 60 }), /"sub"/],
      ['not yet valid', hostToken({ sub: 'cus_alice', nbf: now + 600, exp: now + 900 }), /not valid yet/],
      ['exp not a number', hostToken({ sub: 'cus_alice', exp: 'tomorrow' as unknown as number }), /"exp" claim is malformed/],
    ];
    for (const [label, token, why] of cases) {
      const error = await refusal(await token);
      expect(error.code, label).toBe('invalid_customer_token');
      expect(error.status, label).toBe(401);
      expect(error.message, label).toMatch(why);
    }
  });

  it('signs demo tokens with a per-process demo key, never the host secret, and accepts them only in demo mode', async () => {
    const demo = new CustomerTokenVerifier(SECRET, { demo: true, maxLifetimeSeconds: DAY });
    const token = await demo.signDemo({ sub: 'cus_alice', name: 'Alice Martin' });
    expect(await demo.verify(token)).toMatchObject({ customerId: 'cus_alice', name: 'Alice Martin' });
    await expect(jwtVerify(token, KEY)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
    // Another process, or the same secret without demo mode, does not know the demo key.
    expect((await refusal(token, new CustomerTokenVerifier(SECRET, { demo: true }))).message).toMatch(/bad signature/);
    expect((await refusal(token, new CustomerTokenVerifier(SECRET))).message).toMatch(/bad signature/);
    // Host tokens still work in demo mode.
    expect((await demo.verify(await demo.sign({ sub: 'cus_kenji' }))).customerId).toBe('cus_kenji');
    await expect(new CustomerTokenVerifier(SECRET).signDemo({ sub: 'cus_alice' })).rejects.toThrow(/only in demo mode/);
  });
});
