import type { FastifyReply } from 'fastify';
import { AppError } from '../errors/app-error.js';
import type { RateLimits } from '../guardrails/rate-limits.js';

/**
 * A per-client-IP budget for an unauthenticated endpoint (session creation,
 * demo tokens): over it, 429 `rate_limited` with Retry-After.
 */
export async function limitPerIp(
  rateLimits: RateLimits,
  limit: { name: string; perMinute: number; message: string },
  ip: string,
  reply: FastifyReply,
): Promise<void> {
  const verdict = await rateLimits.consume(limit.name, { points: limit.perMinute, durationSeconds: 60 }, ip);
  if (verdict.allowed) return;
  void reply.header('retry-after', String(Math.ceil(verdict.retryAfterMs / 1000)));
  throw new AppError('rate_limited', limit.message, { status: 429, retryable: true });
}
