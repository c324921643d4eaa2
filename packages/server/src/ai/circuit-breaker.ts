/**
 * A circuit breaker per model provider. After `failureThreshold` failures in
 * a row that say the provider is unwell it opens: for `cooldownMs` calls are
 * refused at once, without touching the network, so a dead provider costs a
 * customer nothing and the next provider of the chain (ai/provider-chain.ts)
 * answers straight away. Then it is half-open: one trial call goes through;
 * its success closes the breaker, its failure opens it for another cool-down.
 *
 * What counts against a provider:
 * - ai_unavailable (connection refused or reset, the SDK's timeout, 5xx, a
 *   failure mid-stream) and ai_rate_limited, as the adapter reports them
 *   after its own retries;
 * - ai_misconfigured (401, 403, 404) too. It is permanent until someone acts,
 *   but the breaker treats it like an outage on purpose: the call fails over
 *   either way, the breaker stops spending a round trip per reply on it, and
 *   the trial call every cool-down notices when it is fixed (a key restored at
 *   the provider, a deployment created) without a restart.
 * What does not count, either way:
 * - a call the caller aborted (the customer left, shutdown, the reply's
 *   deadline): the provider was not given its chance;
 * - ai_bad_response (a 400 for this request, a malformed chunk): the
 *   provider answered, and the fault is most likely in what was asked;
 * - anything that is not a provider error (a bug above the adapter).
 */
import { ModelProviderError } from '../errors/app-error.js';

export type BreakerState = 'closed' | 'half_open' | 'open';

/** What one admitted call came to, as far as the provider's health goes. */
export type CallOutcome = { kind: 'success' } | { kind: 'failure'; reason: string } | { kind: 'neutral' };

export interface BreakerChange {
  /** The provider the breaker guards. */
  name: string;
  from: BreakerState;
  to: BreakerState;
  /** The error code of the failure that opened it. */
  reason?: string;
}

export interface CircuitBreakerOptions {
  /** Counted failures in a row that open the breaker (AI_BREAKER_FAILURES). */
  failureThreshold: number;
  /** How long it stays open before it lets a trial call through (AI_BREAKER_COOLDOWN_MS). */
  cooldownMs: number;
  /** The service's clock, ms since the epoch. */
  now: () => number;
  onChange?: (change: BreakerChange) => void;
}

/** One admitted call. The first `settle` decides; later ones (a `finally` after a `catch`) are ignored. */
export interface BreakerPermit {
  settle(outcome: CallOutcome): void;
}

export const SUCCEEDED: CallOutcome = { kind: 'success' };
export const NEUTRAL: CallOutcome = { kind: 'neutral' };

const COUNTED_CODES = new Set(['ai_unavailable', 'ai_rate_limited', 'ai_misconfigured']);

/** Whether a failed call counts against its provider (see the top of this file). */
export function outcomeOf(error: unknown, signal: AbortSignal | undefined): CallOutcome {
  if (signal?.aborted === true) return NEUTRAL;
  if (error instanceof ModelProviderError && COUNTED_CODES.has(error.code)) return { kind: 'failure', reason: error.code };
  return NEUTRAL;
}

/** What a call refused by an open breaker fails with: retryable, since the cool-down ends. */
export function breakerOpenError(provider: string): ModelProviderError {
  return new ModelProviderError(provider, 'ai_unavailable', `${provider} is skipped: its circuit breaker is open after repeated failures`, { retryable: true });
}

export class CircuitBreaker {
  private failures = 0;
  /** When it opened; null while closed. Open turns half-open by itself once the cool-down has passed. */
  private openedAt: number | null = null;
  private trialRunning = false;
  /** Bumped at every change of state, so that a call admitted before a change reports nothing after it. */
  private generation = 0;

  constructor(
    readonly name: string,
    private readonly options: CircuitBreakerOptions,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.options.now() - this.openedAt >= this.options.cooldownMs ? 'half_open' : 'open';
  }

  /** A permit for one call, or null: the breaker is open (or its one trial call is under way) and the call must not be made. */
  admit(): BreakerPermit | null {
    const state = this.state;
    if (state === 'open' || (state === 'half_open' && this.trialRunning)) return null;
    const trial = state === 'half_open';
    if (trial) this.trialRunning = true;
    const generation = this.generation;
    let settled = false;
    return {
      settle: (outcome) => {
        if (settled) return;
        settled = true;
        if (trial) this.trialRunning = false;
        if (generation === this.generation) this.record(outcome, trial);
      },
    };
  }

  private record(outcome: CallOutcome, trial: boolean): void {
    if (outcome.kind === 'neutral') return;
    if (outcome.kind === 'success') {
      this.failures = 0;
      if (trial) this.moveTo('closed', null);
      return;
    }
    this.failures += 1;
    if (trial || this.failures >= this.options.failureThreshold) this.moveTo('open', outcome.reason);
  }

  private moveTo(to: 'closed' | 'open', reason: string | null): void {
    const from = this.state;
    this.generation += 1;
    this.failures = 0;
    this.openedAt = to === 'open' ? this.options.now() : null;
    this.options.onChange?.({ name: this.name, from, to, ...(reason === null ? {} : { reason }) });
  }
}

/**
 * One breaker per provider (openai, azure...), shared by every chain that
 * calls it: another model of the same provider, chosen in the admin
 * settings, shares its breaker, since an outage is the provider's.
 */
export class ProviderBreakers {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(private readonly options: CircuitBreakerOptions) {}

  for(provider: string): CircuitBreaker {
    let breaker = this.breakers.get(provider);
    if (!breaker) {
      breaker = new CircuitBreaker(provider, this.options);
      this.breakers.set(provider, breaker);
    }
    return breaker;
  }

  states(): Array<{ provider: string; state: BreakerState }> {
    return [...this.breakers.values()].map((breaker) => ({ provider: breaker.name, state: breaker.state }));
  }
}
