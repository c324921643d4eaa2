import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC request signing for calls to the host application's API, in the style
 * of webhook signatures: `X-Support-Signature: t=<unix seconds>,v1=<hex>` over
 * `${t}.${METHOD}.${path with query}.${sha256(body) hex}`. The timestamp lets
 * the host refuse replays; the body hash binds the signature to the payload.
 * Hosts can verify with verifyHostRequest (or the same few lines in any language).
 */
export const SIGNATURE_HEADER = 'x-support-signature';

function payload(timestamp: number, method: string, path: string, body: string): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return `${timestamp}.${method.toUpperCase()}.${path}.${bodyHash}`;
}

export function signHostRequest(secret: string, request: { method: string; path: string; body: string; now?: number }): string {
  const timestamp = Math.floor((request.now ?? Date.now()) / 1000);
  const mac = createHmac('sha256', secret).update(payload(timestamp, request.method, request.path, request.body)).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export function verifyHostRequest(
  secret: string,
  request: { method: string; path: string; body: string; signature: string | undefined; now?: number; toleranceSeconds?: number },
): boolean {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(request.signature ?? '');
  if (!match?.[1] || !match[2]) return false;
  const timestamp = Number(match[1]);
  const now = Math.floor((request.now ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > (request.toleranceSeconds ?? 300)) return false;
  const expected = createHmac('sha256', secret).update(payload(timestamp, request.method, request.path, request.body)).digest();
  const given = Buffer.from(match[2], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
