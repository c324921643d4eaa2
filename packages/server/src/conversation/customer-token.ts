import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTHeaderParameters } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { findNulCharacter } from '../http/nul-characters.js';
import type { Identity } from './identity.js';

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
});

const agentClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  email: z.string().min(3).max(320),
  name: z.string().min(1).max(200),
  role: z.enum(['agent', 'admin']),
});

/** How far the host's clock may be off from ours, for exp, nbf and iat. */
export const CLOCK_TOLERANCE_SECONDS = 30;
export const DEFAULT_MAX_LIFETIME_SECONDS = 86_400;
/** The `kid` of tokens signed with the demo key; any other token is checked against the host secret. */
const DEMO_KEY_ID = 'demo';

export interface CustomerTokenOptions {
  /** Longest a token may live: `exp - now` and, when it has an `iat`, `exp - iat` (CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS). */
  maxLifetimeSeconds?: number;
  /**
   * Demo mode: a random per-process key signs the demo endpoint's tokens
   * (signDemo), and verify accepts them. Never the host secret, so a demo
   * token is worthless to a deployment that shares it.
   */
  demo?: boolean;
  /** The clock (tests). */
  now?: () => Date;
}

type CustomerClaims = { sub: string; name?: string; email?: string; role?: 'agent' | 'admin' };

function invalid(why: string, cause?: unknown): AppError {
  return new AppError('invalid_customer_token', `The customer token is not valid: ${why}.`, { status: 401, ...(cause === undefined ? {} : { cause }) });
}

/** Why jose refused a token, in words for the host's developers (never the token's contents). */
function explain(error: unknown, maxLifetimeSeconds: number): AppError {
  if (error instanceof errors.JWTExpired) {
    return new AppError('customer_token_expired', 'The customer token has expired; the host application must issue a new one.', { status: 401, cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'exp' && error.reason === 'missing') {
      return invalid(`it has no "exp" claim; the host application must set one, at most ${maxLifetimeSeconds} seconds ahead`, error);
    }
    if (error.claim === 'nbf' && error.reason === 'check_failed') return invalid('it is not valid yet ("nbf" is in the future)', error);
    return invalid(`its "${error.claim}" claim is malformed`, error);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('bad signature (is it signed with HOST_JWT_SECRET?)', error);
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid('it must be signed with HS256', error);
  return invalid('it is not a well-formed JWT', error);
}

/**
 * Host-signed customer tokens (HS256 JWT with the host's shared secret). The
 * host application vouches for who the customer is; the chat service trusts
 * nothing else about identity. A token must say when it expires, and not
 * too far ahead: a leaked token is good for CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS
 * at most, whatever its signer wrote.
 */
export class CustomerTokenVerifier {
  private readonly hostKey: Uint8Array;
  private readonly demoKey: Uint8Array | undefined;
  private readonly maxLifetimeSeconds: number;
  private readonly now: () => Date;

  constructor(secret: string, options: CustomerTokenOptions = {}) {
    this.hostKey = new TextEncoder().encode(secret);
    this.demoKey = options.demo ? randomBytes(32) : undefined;
    this.maxLifetimeSeconds = options.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS;
    this.now = options.now ?? (() => new Date());
  }

  async verify(token: string): Promise<Extract<Identity, { kind: 'customer' }>> {
    const payload = await this.verifiedPayload(token);
    // A host-signed agent login is not a customer: it would open a chat as whoever its `sub` names.
    if (payload.role === 'agent' || payload.role === 'admin') throw invalid(`its "role" claim is "${payload.role}": an agent login token is not a customer token`);
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw invalid('it lacks a valid "sub" claim');
    return { kind: 'customer', customerId: claims.data.sub, name: claims.data.name ?? null, email: claims.data.email ?? null };
  }

  /**
   * The alternative agent login: a token the host signed with claim `role`
   * "agent" or "admin", and the agent's `email` and `name`. Same checks as a
   * customer token (signature, exp, lifetime).
   */
  async verifyAgent(token: string): Promise<{ sub: string; email: string; name: string; role: 'agent' | 'admin' }> {
    const payload = await this.verifiedPayload(token);
    const claims = agentClaimsSchema.safeParse(payload);
    if (!claims.success) throw invalid('an agent login token needs "sub", "email", "name" and "role" ("agent" or "admin") claims');
    return claims.data;
  }

  private async verifiedPayload(token: string): Promise<Record<string, unknown>> {
    const currentDate = this.now();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, (header: JWTHeaderParameters) => (this.demoKey && header.kid === DEMO_KEY_ID ? this.demoKey : this.hostKey), {
        algorithms: ['HS256'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
        currentDate,
      }));
    } catch (error) {
      throw explain(error, this.maxLifetimeSeconds);
    }
    // jose checked that exp is a number in the future and iat, if present, a number.
    const now = Math.floor(currentDate.getTime() / 1000);
    const exp = payload.exp as number;
    const iat = payload.iat as number | undefined;
    const max = this.maxLifetimeSeconds;
    if (exp - now > max + CLOCK_TOLERANCE_SECONDS) {
      throw invalid(`it expires ${exp - now} seconds from now; at most ${max} are allowed (CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS)`);
    }
    if (iat !== undefined && iat > now + CLOCK_TOLERANCE_SECONDS) {
      throw invalid(`its "iat" is ${iat - now} seconds in the future (is the host's clock right?)`);
    }
    if (iat !== undefined && exp - iat > max) {
      throw invalid(`it was issued for ${exp - iat} seconds ("exp" - "iat"); at most ${max} are allowed (CUSTOMER_TOKEN_MAX_LIFETIME_SECONDS)`);
    }
    // NUL cannot be stored in PostgreSQL text: a claim carrying it is a bad token, not a server error (the edges' one check).
    const nulAt = findNulCharacter(payload);
    if (nulAt) throw invalid(`its "${nulAt}" claim contains NUL (U+0000)`);
    return payload;
  }

  /** What a host application does: signs with the host secret (the CLI and tests). */
  async sign(claims: CustomerClaims, expiresInSeconds = 600): Promise<string> {
    return this.signWith(this.hostKey, {}, claims, expiresInSeconds);
  }

  /** The demo token endpoint's tokens: the per-process demo key, never the host secret. */
  async signDemo(claims: CustomerClaims, expiresInSeconds = 600): Promise<string> {
    if (!this.demoKey) throw new Error('demo tokens are signed only in demo mode');
    return this.signWith(this.demoKey, { kid: DEMO_KEY_ID }, claims, expiresInSeconds);
  }

  private signWith(key: Uint8Array, header: { kid?: string }, claims: CustomerClaims, expiresInSeconds: number): Promise<string> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    return new SignJWT({ ...(claims.name ? { name: claims.name } : {}), ...(claims.email ? { email: claims.email } : {}), ...(claims.role ? { role: claims.role } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
      .setSubject(claims.sub)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + expiresInSeconds)
      .sign(key);
  }
}
