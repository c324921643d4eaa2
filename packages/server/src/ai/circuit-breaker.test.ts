import { describe, expect, it } from 'vitest';
import { ModelProviderError } from '../errors/app-error.js';
import { CircuitBreaker, NEUTRAL, outcomeOf, ProviderBreakers, SUCCEEDED, type BreakerChange, type BreakerPermit } from './circuit-breaker.js';

const COOLDOWN_MS = 30_000;
const failed = { kind: 'failure', reason: 'ai_unavailable' } as const;

/** A breaker on a clock the test moves by hand, and every change it announced. */
function breakerOnClock(failureThreshold = 3) {
  const clock = { now: 1_000_000 };
  const changes: BreakerChange[] = [];
  const breaker = new CircuitBreaker('openai', { failureThreshold, cooldownMs: COOLDOWN_MS, now: () => clock.now, onChange: (change) => changes.push(change) });
  return { breaker, clock, changes };
}

function admitted(breaker: CircuitBreaker): BreakerPermit {
  const permit = breaker.admit();
  if (permit === null) throw new Error(`the ${breaker.state} breaker refused a call`);
  return permit;
}

function failTimes(breaker: CircuitBreaker, times: number): void {
  for (let count = 0; count < times; count += 1) admitted(breaker).settle(failed);
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of failures in a row, and a success in between starts the count again', () => {
    const { breaker, changes } = breakerOnClock(3);
    failTimes(breaker, 2);
    admitted(breaker).settle(SUCCEEDED);
    failTimes(breaker, 2);
    expect(breaker.state).toBe('closed');
    failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
    expect(changes).toEqual([{ name: 'openai', from: 'closed', to: 'open', reason: 'ai_unavailable' }]);
  });

  it('refuses every call while open, until the cool-down has passed', () => {
    const { breaker, clock } = breakerOnClock(1);
    failTimes(breaker, 1);
    expect(breaker.admit()).toBeNull();
    clock.now += COOLDOWN_MS - 1;
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toBeNull();
    clock.now += 1;
    expect(breaker.state).toBe('half_open');
  });

  it('lets one trial call through when half-open; its success closes the breaker', () => {
    const { breaker, clock, changes } = breakerOnClock(1);
    failTimes(breaker, 1);
    clock.now += COOLDOWN_MS;
    const trial = admitted(breaker);
    // Only the one trial: the others wait for its verdict.
    expect(breaker.admit()).toBeNull();
    trial.settle(SUCCEEDED);
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).not.toBeNull();
    expect(changes.map((change) => `${change.from}->${change.to}`)).toEqual(['closed->open', 'half_open->closed']);
  });

  it('opens again for a whole cool-down when the trial call fails', () => {
    const { breaker, clock, changes } = breakerOnClock(3);
    failTimes(breaker, 3);
    clock.now += COOLDOWN_MS;
    admitted(breaker).settle({ kind: 'failure', reason: 'ai_rate_limited' });
    expect(breaker.state).toBe('open');
    clock.now += COOLDOWN_MS - 1;
    expect(breaker.admit()).toBeNull();
    clock.now += 1;
    expect(breaker.state).toBe('half_open');
    expect(changes.at(-1)).toEqual({ name: 'openai', from: 'half_open', to: 'open', reason: 'ai_rate_limited' });
  });

  it('takes a neutral outcome as no verdict: the count stays, and a neutral trial lets the next call be the trial', () => {
    const { breaker, clock } = breakerOnClock(2);
    failTimes(breaker, 1);
    admitted(breaker).settle(NEUTRAL);
    failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
    clock.now += COOLDOWN_MS;
    admitted(breaker).settle(NEUTRAL);
    expect(breaker.state).toBe('half_open');
    admitted(breaker).settle(SUCCEEDED);
    expect(breaker.state).toBe('closed');
  });

  it('counts a permit once: the first settle decides', () => {
    const { breaker } = breakerOnClock(2);
    const permit = admitted(breaker);
    permit.settle(failed);
    permit.settle(failed);
    permit.settle(NEUTRAL);
    expect(breaker.state).toBe('closed');
  });

  it('ignores what a call admitted before a change of state reports after it', () => {
    const { breaker, clock } = breakerOnClock(1);
    const slow = admitted(breaker);
    failTimes(breaker, 1);
    clock.now += COOLDOWN_MS;
    const trial = admitted(breaker);
    // The call that started while it was closed succeeds late: the trial alone decides.
    slow.settle(SUCCEEDED);
    expect(breaker.state).toBe('half_open');
    trial.settle(failed);
    expect(breaker.state).toBe('open');
  });
});

describe('what counts against a provider', () => {
  const error = (code: 'ai_rate_limited' | 'ai_unavailable' | 'ai_misconfigured' | 'ai_bad_response') => new ModelProviderError('openai', code, 'failed');

  it('counts outages, rate limits after the retries, and misconfiguration', () => {
    expect(outcomeOf(error('ai_unavailable'), undefined)).toEqual({ kind: 'failure', reason: 'ai_unavailable' });
    expect(outcomeOf(error('ai_rate_limited'), undefined)).toEqual({ kind: 'failure', reason: 'ai_rate_limited' });
    expect(outcomeOf(error('ai_misconfigured'), undefined)).toEqual({ kind: 'failure', reason: 'ai_misconfigured' });
  });

  it('does not count a bad response, a non-provider error, or any call the caller aborted', () => {
    expect(outcomeOf(error('ai_bad_response'), undefined)).toEqual(NEUTRAL);
    expect(outcomeOf(new TypeError('a bug'), undefined)).toEqual(NEUTRAL);
    const controller = new AbortController();
    controller.abort();
    expect(outcomeOf(error('ai_unavailable'), controller.signal)).toEqual(NEUTRAL);
  });
});

describe('ProviderBreakers', () => {
  it('keeps one breaker per provider and reports their states', () => {
    const clock = { now: 0 };
    const breakers = new ProviderBreakers({ failureThreshold: 1, cooldownMs: COOLDOWN_MS, now: () => clock.now });
    expect(breakers.for('openai')).toBe(breakers.for('openai'));
    admitted(breakers.for('azure')).settle(failed);
    expect(breakers.states()).toEqual([
      { provider: 'openai', state: 'closed' },
      { provider: 'azure', state: 'open' },
    ]);
  });
});
