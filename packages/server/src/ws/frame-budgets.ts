import type { ClientEvent } from '@support/protocol';

/**
 * How much work one websocket connection may ask for. Each frame type has its
 * own bucket (a burst, refilled evenly over a minute); frames that cannot be
 * parsed share one. A frame over budget is refused with `rate_limited`, and a
 * client that keeps sending over budget is disconnected (see
 * `refusals`), so a flood costs the service a counter, not a query.
 *
 * Synchronous on purpose: the check happens as the frame arrives, before it
 * is queued, so an over-budget frame never waits in (or grows) the intake
 * queue. Budgets shared by all connections of a session (across nodes) are
 * checked later, through RateLimits, for the frames that pass this one.
 */
export type FrameKind = ClientEvent['type'] | 'invalid';

export interface Budget {
  /** Frames allowed at once. */
  burst: number;
  /** Frames allowed per minute once the burst is spent. */
  perMinute: number;
}

/** Per connection (send_message follows RATE_LIMIT_MESSAGES_PER_MINUTE, see build-server.ts). */
export const connectionBudgets: Record<FrameKind, Budget> = {
  send_message: { burst: 20, perMinute: 60 },
  resume: { burst: 3, perMinute: 6 },
  feedback: { burst: 10, perMinute: 30 },
  escalate: { burst: 3, perMinute: 6 },
  confirm_action: { burst: 5, perMinute: 20 },
  cancel_action: { burst: 5, perMinute: 20 },
  consent: { burst: 3, perMinute: 10 },
  rate_conversation: { burst: 3, perMinute: 10 },
  invalid: { burst: 10, perMinute: 20 },
};

/** Per session, over all its connections and nodes (send_message has its own per-session limit). */
export const sessionBudgets: Partial<Record<FrameKind, { points: number; durationSeconds: number }>> = {
  resume: { points: 20, durationSeconds: 60 },
  feedback: { points: 60, durationSeconds: 60 },
  escalate: { points: 10, durationSeconds: 60 },
  confirm_action: { points: 30, durationSeconds: 60 },
  cancel_action: { points: 30, durationSeconds: 60 },
};

/** Refused frames a connection may send per minute before it is closed. */
export const refusalBudget: Budget = { burst: 20, perMinute: 20 };

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly budget: Budget,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = budget.burst;
    this.updatedAt = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = this.now();
    const refill = ((now - this.updatedAt) / 60_000) * this.budget.perMinute;
    this.tokens = Math.min(this.budget.burst, this.tokens + refill);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token. */
  retryAfterMs(): number {
    return Math.max(0, Math.ceil(((1 - this.tokens) / this.budget.perMinute) * 60_000));
  }
}

export class ConnectionBudget {
  private readonly buckets = new Map<FrameKind, TokenBucket>();
  private readonly refusals: TokenBucket;

  constructor(
    private readonly overrides: Partial<Record<FrameKind, Budget>> = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.refusals = new TokenBucket(refusalBudget, now);
  }

  /** 'ok', 'refused' (answer rate_limited) or 'disconnect' (the client ignores refusals). */
  spend(kind: FrameKind): { verdict: 'ok' } | { verdict: 'refused'; retryAfterMs: number } | { verdict: 'disconnect' } {
    let bucket = this.buckets.get(kind);
    if (!bucket) {
      bucket = new TokenBucket(this.overrides[kind] ?? connectionBudgets[kind], this.now);
      this.buckets.set(kind, bucket);
    }
    if (bucket.take()) return { verdict: 'ok' };
    return this.refusals.take() ? { verdict: 'refused', retryAfterMs: bucket.retryAfterMs() } : { verdict: 'disconnect' };
  }

  /** A frame refused for another reason (intake full, resume running) counts towards disconnection too. */
  refuse(): 'refused' | 'disconnect' {
    return this.refusals.take() ? 'refused' : 'disconnect';
  }
}
