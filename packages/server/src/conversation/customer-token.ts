import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import type { Identity } from './identity.js';

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
});

/**
 * Host-signed customer tokens (HS256 JWT with the host's shared secret). The
 * host application vouches for who the customer is; the chat service trusts
 * nothing else about identity.
 */
export class CustomerTokenVerifier {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  async verify(token: string): Promise<Extract<Identity, { kind: 'customer' }>> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], clockTolerance: 30 }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        throw new AppError('customer_token_expired', 'The customer token has expired; the host application must issue a new one.', { status: 401, cause: error });
      }
      throw new AppError('invalid_customer_token', 'The customer token is not valid (bad signature, algorithm or format).', { status: 401, cause: error });
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new AppError('invalid_customer_token', 'The customer token lacks a valid "sub" claim.', { status: 401 });
    }
    return { kind: 'customer', customerId: claims.data.sub, name: claims.data.name ?? null, email: claims.data.email ?? null };
  }

  /** Used by the demo-only token endpoint and by tests: what a host application does. */
  async sign(claims: { sub: string; name?: string; email?: string }, expiresInSeconds = 600): Promise<string> {
    return new SignJWT({ ...(claims.name ? { name: claims.name } : {}), ...(claims.email ? { email: claims.email } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuedAt()
      .setExpirationTime(`${expiresInSeconds}s`)
      .sign(this.key);
  }
}
