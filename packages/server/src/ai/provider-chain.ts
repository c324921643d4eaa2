/**
 * AI_PROVIDER_CHAIN as one ChatModel: the providers in order, each behind
 * its circuit breaker. A call goes to the first provider whose breaker admits
 * it. If that one fails before anything of its answer has reached the caller,
 * the next is tried, while the reply's deadline leaves time for it; once text
 * or a tool call has been passed on, a failure is final, since another
 * provider would repeat or contradict the half that was shown. When every
 * provider has failed or is skipped by its breaker, the call fails at once
 * (the customer gets the apology and the offer of a person, never a hang).
 * A provider that sends nothing for `firstEventTimeoutMs` is given up on
 * like one that failed, so that a stalled provider costs the customer that
 * long, not the whole reply's deadline, and the next one gets its turn.
 */
import { ModelProviderError } from '../errors/app-error.js';
import { breakerOpenError, NEUTRAL, outcomeOf, SUCCEEDED, type CircuitBreaker } from './circuit-breaker.js';
import type { ChatModel, ModelRequest, ModelStreamEvent } from './model-port.js';

export interface ChainMember {
  model: ChatModel;
  breaker: CircuitBreaker;
}

/** A call passed on from one provider to the next: why (an error code, or circuit_open when the breaker skipped it). */
export interface Failover {
  from: string;
  to: string;
  reason: string;
  /** What the provider left behind failed with; absent when its breaker skipped it. */
  error?: unknown;
}

/** A later provider is only worth asking with at least this much of the reply's deadline left (the adapters' own floor for an attempt). */
const MIN_MEMBER_MS = 250;

export class ProviderChain implements ChatModel {
  readonly provider: string;
  readonly model: string;
  private readonly members: readonly ChainMember[];

  constructor(
    members: readonly ChainMember[],
    private readonly options: { onFailover?: (failover: Failover) => void; firstEventTimeoutMs?: number } = {},
  ) {
    const first = members[0];
    if (first === undefined) throw new Error('a provider chain needs at least one provider');
    this.members = members;
    // The chain goes by its first provider's names: what the admin settings' model choice and the start-up log refer to.
    this.provider = first.model.provider;
    this.model = first.model.model;
  }

  stream(request: ModelRequest, signal?: AbortSignal): AsyncIterable<ModelStreamEvent> {
    return this.streamThroughChain(request, signal);
  }

  private async *streamThroughChain(request: ModelRequest, signal: AbortSignal | undefined): AsyncGenerator<ModelStreamEvent> {
    let failure: unknown;
    const passed: Array<Omit<Failover, 'to'>> = [];
    for (const { model, breaker } of this.members) {
      if (failure !== undefined && request.deadline !== undefined && request.deadline - Date.now() < MIN_MEMBER_MS) break;
      const permit = breaker.admit();
      if (permit === null) {
        failure ??= breakerOpenError(model.provider);
        passed.push({ from: model.provider, reason: 'circuit_open' });
        continue;
      }
      for (const left of passed.splice(0)) this.options.onFailover?.({ ...left, to: model.provider });
      let delivered = false;
      // The member's own signal: the caller's, or the first-event timer's when the provider stays silent.
      const attempt = new AbortController();
      const stopWaiting = () => attempt.abort(signal?.reason);
      if (signal?.aborted) stopWaiting();
      else signal?.addEventListener('abort', stopWaiting, { once: true });
      let silent = false;
      const timeoutMs = this.options.firstEventTimeoutMs;
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              silent = true;
              attempt.abort();
            }, timeoutMs);
      try {
        yield { type: 'routed_to', provider: model.provider, model: model.model };
        for await (const event of model.stream(request, attempt.signal)) {
          clearTimeout(timer);
          delivered = true;
          yield event;
        }
        permit.settle(SUCCEEDED);
        return;
      } catch (caught) {
        const error = silent && !delivered ? silentProviderError(model.provider, timeoutMs ?? 0) : caught;
        permit.settle(outcomeOf(error, signal));
        if (delivered || signal?.aborted === true) throw error;
        failure = error;
        passed.push({ from: model.provider, reason: codeOf(error), error });
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', stopWaiting);
        // Reached without a settle only when the caller stopped reading early: that says nothing about the provider.
        permit.settle(NEUTRAL);
      }
    }
    throw failure;
  }
}

/** What a provider that sent nothing in time failed with: a failure its breaker counts. */
function silentProviderError(provider: string, timeoutMs: number): ModelProviderError {
  return new ModelProviderError(provider, 'ai_unavailable', `${provider} sent nothing within ${timeoutMs} ms (AI_FIRST_TOKEN_TIMEOUT_MS)`, { retryable: true });
}

/** A bounded label: the provider error's stable code, or `error` for anything else. */
function codeOf(error: unknown): string {
  return error instanceof ModelProviderError ? error.code : 'error';
}
