import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { RateLimits } from './rate-limits.js';

/** Server mode: one budget per key across every node, kept in Redis. */
export function createRedisRateLimits(redis: Redis, onStoreError: (error: unknown) => void, prefix = 'support:rl'): RateLimits {
  return new RateLimits(
    (name, rule) => new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:${name}`, points: rule.points, duration: rule.durationSeconds }),
    onStoreError,
  );
}
