import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { RateLimits } from './rate-limits.js';

/** Server mode: one budget per key across every node, kept in Redis (a per-node one in memory while Redis is away). */
export function createRedisRateLimits(redis: Redis, onStoreError: (error: unknown) => void, prefix = 'support:rl'): RateLimits {
  return new RateLimits(
    (name, rule) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}:${name}`,
        points: rule.points,
        duration: rule.durationSeconds,
        // While Redis is away each node keeps the same budget in memory: limits hold (per node) instead of failing open.
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${prefix}:${name}`, points: rule.points, duration: rule.durationSeconds }),
      }),
    onStoreError,
  );
}
