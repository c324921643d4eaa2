import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimitRule {
  points: number;
  durationSeconds: number;
}

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Named rate limits over rate-limiter-flexible: in memory in embedded mode,
 * in Redis in server mode so that every node counts against the same budget.
 * A limiter store that fails open would turn an outage into abuse, and one
 * that fails closed would turn it into downtime; we fail open and say so.
 */
export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(
    private readonly createLimiter: (name: string, rule: RateLimitRule) => RateLimiterAbstract = (name, rule) =>
      new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.durationSeconds }),
    private readonly onStoreError: (error: unknown) => void = () => {},
  ) {}

  async consume(name: string, rule: RateLimitRule, key: string): Promise<RateLimitVerdict> {
    const limiterKey = `${name}:${rule.points}/${rule.durationSeconds}`;
    let limiter = this.limiters.get(limiterKey);
    if (!limiter) {
      limiter = this.createLimiter(name, rule);
      this.limiters.set(limiterKey, limiter);
    }
    try {
      await limiter.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterMs: rejection.msBeforeNext };
      this.onStoreError(rejection);
      return { allowed: true };
    }
  }
}
