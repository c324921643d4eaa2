import { createHash, randomBytes } from 'node:crypto';

/**
 * Session tokens are opaque random strings. Only their SHA-256 is stored, so
 * a database dump does not hand out live sessions; rotating a token replaces
 * the hash, which makes the old token useless at once on every node.
 */
export function newSessionToken(): { token: string; hash: string } {
  const token = `st_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashSessionToken(token) };
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
