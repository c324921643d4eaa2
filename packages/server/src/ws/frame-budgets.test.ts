import { describe, expect, it } from 'vitest';
import { ConnectionBudget, connectionBudgets, refusalBudget, TokenBucket } from './frame-budgets.js';

describe('TokenBucket', () => {
  it('allows the burst, then refills evenly over the minute', () => {
    let now = 0;
    const bucket = new TokenBucket({ burst: 3, perMinute: 6 }, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    expect(bucket.retryAfterMs()).toBe(10_000);
    now = 9_999;
    expect(bucket.take()).toBe(false);
    now = 10_000;
    expect(bucket.take()).toBe(true);
    now = 10_000 + 60 * 60_000;
    // Never more than the burst, however long the pause.
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});

describe('ConnectionBudget', () => {
  it('refuses a frame type past its budget without touching the others, then disconnects a client that keeps going', () => {
    const budget = new ConnectionBudget({}, () => 0);
    for (let index = 0; index < connectionBudgets.resume.burst; index += 1) expect(budget.spend('resume').verdict).toBe('ok');
    expect(budget.spend('resume').verdict).toBe('refused');
    expect(budget.spend('send_message').verdict).toBe('ok');
    for (let index = 1; index < refusalBudget.burst; index += 1) expect(budget.spend('resume').verdict).toBe('refused');
    expect(budget.spend('resume').verdict).toBe('disconnect');
  });
});
