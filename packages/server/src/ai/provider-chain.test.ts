import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../test/fake-openai-server.js';
import { ModelProviderError } from '../errors/app-error.js';
import { ProviderBreakers } from './circuit-breaker.js';
import type { ModelRequest, ModelStreamEvent } from './model-port.js';
import { ProviderChain, type Failover } from './provider-chain.js';
import { createAzureChatModel, createOpenAIChatModel } from './providers/openai-chat-model.js';

const API_KEY = 'sk-test-provider-chain-0123456789';
const COOLDOWN_MS = 30_000;
const request: ModelRequest = { messages: [{ role: 'user', content: 'Hi!' }], tools: [] };

let primary: FakeOpenAIServer;
let backup: FakeOpenAIServer;

beforeAll(async () => {
  [primary, backup] = await Promise.all([startFakeOpenAIServer({ apiKey: API_KEY }), startFakeOpenAIServer({ apiKey: API_KEY })]);
});
afterAll(async () => {
  await Promise.all([primary?.close(), backup?.close()]);
});
beforeEach(() => {
  primary.reset();
  backup.reset();
});

/** OpenAI on `primaryUrl`, then Azure on the backup fake, each behind its breaker on a clock the test moves. */
function chain(options: { failureThreshold?: number; primaryUrl?: string; firstEventTimeoutMs?: number } = {}) {
  const clock = { now: 5_000_000 };
  const breakers = new ProviderBreakers({ failureThreshold: options.failureThreshold ?? 2, cooldownMs: COOLDOWN_MS, now: () => clock.now });
  const failovers: Failover[] = [];
  const model = new ProviderChain(
    [
      { model: createOpenAIChatModel({ provider: 'openai', apiKey: API_KEY, model: 'gpt-primary', baseURL: options.primaryUrl ?? primary.url, maxRetries: 0, timeoutMs: 5000 }), breaker: breakers.for('openai') },
      {
        model: createAzureChatModel({ endpoint: backup.azureEndpoint, apiKey: API_KEY, deployment: 'support-backup', apiVersion: '2024-10-21', maxRetries: 0, timeoutMs: 5000 }),
        breaker: breakers.for('azure'),
      },
    ],
    { onFailover: (failover) => failovers.push(failover), ...(options.firstEventTimeoutMs === undefined ? {} : { firstEventTimeoutMs: options.firstEventTimeoutMs }) },
  );
  return { model, clock, breakers, failovers };
}

async function outcome(events: AsyncIterable<ModelStreamEvent>): Promise<{ seen: ModelStreamEvent[]; error: unknown }> {
  const seen: ModelStreamEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
  } catch (error) {
    return { seen, error };
  }
  return { seen, error: undefined };
}

const text = (events: ModelStreamEvent[]) => events.map((event) => (event.type === 'text_delta' ? event.delta : '')).join('');
const routes = (events: ModelStreamEvent[]) => events.flatMap((event) => (event.type === 'routed_to' ? [`${event.provider}:${event.model}`] : []));
const codeOf = (error: unknown) => (error instanceof ModelProviderError ? error.code : String(error));

describe('ProviderChain', () => {
  it('goes to the first provider while it answers, under its own names', async () => {
    primary.script({ kind: 'text', chunks: ['From ', 'the primary.'] });
    const { model, failovers } = chain();
    expect([model.provider, model.model]).toEqual(['openai', 'gpt-primary']);
    const { seen, error } = await outcome(model.stream(request));
    expect(error).toBeUndefined();
    expect(text(seen)).toBe('From the primary.');
    expect(routes(seen)).toEqual(['openai:gpt-primary']);
    expect(backup.requests).toHaveLength(0);
    expect(failovers).toEqual([]);
  });

  it('passes a call the first provider fails before answering (503, connection refused) to the next, and says who answered', async () => {
    const refused = await startFakeOpenAIServer();
    const refusedUrl = refused.url;
    await refused.close();
    for (const [failure, primaryUrl] of [['503', primary.url], ['connection refused', refusedUrl]] as const) {
      primary.reset();
      backup.reset();
      primary.setDefault({ kind: 'error', status: 503 });
      backup.script({ kind: 'text', chunks: ['From ', 'the backup.'] });
      const { model, failovers } = chain({ primaryUrl });
      const { seen, error } = await outcome(model.stream(request));
      expect(error, failure).toBeUndefined();
      expect(text(seen), failure).toBe('From the backup.');
      expect(routes(seen), failure).toEqual(['openai:gpt-primary', 'azure:support-backup']);
      expect(backup.requests, failure).toHaveLength(1);
      expect(failovers.map(({ from, to, reason }) => ({ from, to, reason })), failure).toEqual([{ from: 'openai', to: 'azure', reason: 'ai_unavailable' }]);
    }
  });

  it('gives up on a provider that sends nothing within the first-event timeout, counts it against it, and asks the next', async () => {
    // The primary accepts the request and stays silent (no headers, no chunk) far longer than the timeout.
    primary.setDefault(async () => {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      return { kind: 'text', chunks: ['Too late.'] };
    });
    backup.script({ kind: 'text', chunks: ['From ', 'the backup.'] });
    const { model, failovers, breakers } = chain({ failureThreshold: 1, firstEventTimeoutMs: 200 });
    const { seen, error } = await outcome(model.stream(request));
    expect(error).toBeUndefined();
    expect(text(seen)).toBe('From the backup.');
    expect(routes(seen)).toEqual(['openai:gpt-primary', 'azure:support-backup']);
    expect(failovers.map(({ from, to, reason }) => ({ from, to, reason }))).toEqual([{ from: 'openai', to: 'azure', reason: 'ai_unavailable' }]);
    expect((failovers[0]?.error as Error).message).toContain('AI_FIRST_TOKEN_TIMEOUT_MS');
    expect(breakers.for('openai').state).toBe('open');
  });

  it('keeps a failure final once text has reached the caller: no second, different half of a reply', async () => {
    primary.script({ kind: 'disconnect', chunks: ['Let me check'] });
    const { model, breakers } = chain({ failureThreshold: 1 });
    const { seen, error } = await outcome(model.stream(request));
    expect(text(seen)).toBe('Let me check');
    expect(codeOf(error)).toBe('ai_unavailable');
    expect(backup.requests).toHaveLength(0);
    // Still a provider failure, counted against it.
    expect(breakers.for('openai').state).toBe('open');
  });

  it('skips a provider whose breaker is open without calling it, and tries it again once the cool-down is over', async () => {
    primary.setDefault({ kind: 'error', status: 500 });
    backup.setDefault({ kind: 'text', chunks: ['Backup.'] });
    const { model, clock, breakers, failovers } = chain({ failureThreshold: 2 });
    for (let call = 0; call < 2; call += 1) expect(text((await outcome(model.stream(request))).seen)).toBe('Backup.');
    expect(breakers.for('openai').state).toBe('open');
    expect(primary.requests).toHaveLength(2);

    for (let call = 0; call < 3; call += 1) {
      const { seen } = await outcome(model.stream(request));
      expect(text(seen)).toBe('Backup.');
      expect(routes(seen)).toEqual(['azure:support-backup']);
    }
    expect(primary.requests).toHaveLength(2);
    expect(failovers.map((failover) => failover.reason)).toEqual(['ai_unavailable', 'ai_unavailable', 'circuit_open', 'circuit_open', 'circuit_open']);

    clock.now += COOLDOWN_MS;
    primary.setDefault({ kind: 'text', chunks: ['Primary is back.'] });
    expect(text((await outcome(model.stream(request))).seen)).toBe('Primary is back.');
    expect(primary.requests).toHaveLength(3);
    expect(breakers.for('openai').state).toBe('closed');
  });

  it('fails at once when every provider fails, and without a request when every breaker is open', async () => {
    primary.setDefault({ kind: 'error', status: 503 });
    backup.setDefault({ kind: 'error', status: 429 });
    const { model, breakers } = chain({ failureThreshold: 1 });
    const { seen, error } = await outcome(model.stream(request));
    expect(text(seen)).toBe('');
    // The last provider's failure is the call's.
    expect(codeOf(error)).toBe('ai_rate_limited');
    expect(breakers.states()).toEqual([
      { provider: 'openai', state: 'open' },
      { provider: 'azure', state: 'open' },
    ]);

    const skipped = await outcome(model.stream(request));
    expect(skipped.seen).toEqual([]);
    expect(skipped.error).toBeInstanceOf(ModelProviderError);
    expect(skipped.error).toMatchObject({ provider: 'openai', code: 'ai_unavailable', retryable: true });
    expect([primary.requests.length, backup.requests.length]).toEqual([1, 1]);
  });

  it('does not start the next provider past the deadline', async () => {
    primary.setDefault({ kind: 'error', status: 503 });
    const { model } = chain();
    // Whatever the first call takes, less than the floor for another provider is left after it.
    const { error } = await outcome(model.stream({ ...request, deadline: Date.now() + 100 }));
    expect(codeOf(error)).toBe('ai_unavailable');
    expect(backup.requests).toHaveLength(0);
  });

  it('neither fails over nor blames the provider when the caller aborts', async () => {
    const { model, breakers } = chain({ failureThreshold: 1 });
    const controller = new AbortController();
    controller.abort();
    const { error } = await outcome(model.stream(request, controller.signal));
    expect(error).toBe(controller.signal.reason);
    expect(backup.requests).toHaveLength(0);
    expect(breakers.for('openai').state).toBe('closed');
  });
});
