import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Database } from '../storage/database.js';

/**
 * The day's model tokens per quota key, for the daily caps: in the database
 * in embedded mode (support_token_usage, so a restart forgets nothing), in
 * Redis in server mode (one counter for every node, expiring after the day).
 * Days are UTC days.
 */
export interface TokenUsageStore {
  usedToday(quotaKey: string): Promise<number>;
  add(quotaKey: string, tokens: number): Promise<void>;
}

export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

export class DatabaseTokenUsage implements TokenUsageStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async usedToday(quotaKey: string): Promise<number> {
    const { rows } = await this.db.query<{ tokens: string | number }>('SELECT tokens FROM support_token_usage WHERE quota_key = $1 AND day = $2', [quotaKey, utcDay(this.now())]);
    return Number(rows[0]?.tokens ?? 0);
  }

  async add(quotaKey: string, tokens: number): Promise<void> {
    if (tokens <= 0) return;
    await this.db.query(
      `INSERT INTO support_token_usage (quota_key, day, tokens) VALUES ($1, $2, $3)
       ON CONFLICT (quota_key, day) DO UPDATE SET tokens = support_token_usage.tokens + EXCLUDED.tokens`,
      [quotaKey, utcDay(this.now()), Math.round(tokens)],
    );
  }
}

/** Two days: the counter outlives its UTC day wherever the node's clock is, then goes. */
const REDIS_TTL_SECONDS = 2 * 24 * 3600;

export class RedisTokenUsage implements TokenUsageStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private key(quotaKey: string): string {
    return `${this.prefix}:${utcDay(this.now())}:${quotaKey}`;
  }

  async usedToday(quotaKey: string): Promise<number> {
    return Number((await this.redis.get(this.key(quotaKey))) ?? 0);
  }

  async add(quotaKey: string, tokens: number): Promise<void> {
    if (tokens <= 0) return;
    const key = this.key(quotaKey);
    await this.redis.multi().incrby(key, Math.round(tokens)).expire(key, REDIS_TTL_SECONDS).exec();
  }
}

/**
 * Whose cap a session counts against: the signed-in customer, or the guest's
 * IP. The IP is keyed-hashed, so the table and Redis hold no address.
 */
export function quotaKeyFor(identity: { kind: 'customer'; customerId: string } | { kind: 'guest' }, clientIp: string, secret: string): string {
  if (identity.kind === 'customer') return `customer:${identity.customerId}`;
  return `ip:${createHmac('sha256', secret).update(clientIp).digest('base64url').slice(0, 22)}`;
}
