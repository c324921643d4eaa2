import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDER_FAILURE_TEXT } from '../src/ai/assistant-replies.js';
import { ChatTestClient } from './chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { openSession, startTestServer, type RunningTestServer } from './test-server.js';

const OPENAI_KEY = 'sk-test-failover-openai-0123456789';
const AZURE_KEY = 'azure-test-failover-key-0123456789';
const METRICS_TOKEN = 'metrics-token-for-the-failover-test';
const COOLDOWN_MS = 60_000;

/** One sample's value from the text exposition, or undefined. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Chat completions only: with OpenAI first, each reply's moderation call goes to the primary too. */
const chatCalls = (fake: FakeOpenAIServer) => fake.requests.filter((request) => request.chat !== undefined).length;

/**
 * AI_PROVIDER_CHAIN=openai,azure through the whole service, with the model
 * main.ts builds from the configuration: two fake OpenAI-protocol servers,
 * the real adapters, a customer on a real websocket. Which provider answered
 * is what the customer, support_ai_interactions and /metrics show.
 */
describe('a provider chain (AI_PROVIDER_CHAIN=openai,azure) as a customer sees it', () => {
  let primary: FakeOpenAIServer;
  let backup: FakeOpenAIServer;
  let server: RunningTestServer | undefined;

  beforeAll(async () => {
    [primary, backup] = await Promise.all([startFakeOpenAIServer({ apiKey: OPENAI_KEY }), startFakeOpenAIServer({ apiKey: AZURE_KEY })]);
  });
  afterAll(async () => {
    await Promise.all([primary?.close(), backup?.close()]);
  });
  beforeEach(() => {
    primary.reset();
    backup.reset();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A server of its own (its breakers start closed), on a clock the test can move past the cool-down. */
  const startChain = async (options: { breakerFailures: number; logLines?: string[] }) => {
    const clock = { shiftMs: 0 };
    const started = await startTestServer({
      modelFromConfig: true,
      now: () => new Date(Date.now() + clock.shiftMs),
      ...(options.logLines ? { logLines: options.logLines } : {}),
      env: {
        AI_PROVIDER_CHAIN: 'openai,azure',
        OPENAI_API_KEY: OPENAI_KEY,
        OPENAI_BASE_URL: primary.url,
        OPENAI_MODEL: 'gpt-primary',
        AZURE_OPENAI_ENDPOINT: backup.azureEndpoint,
        AZURE_OPENAI_API_KEY: AZURE_KEY,
        AZURE_OPENAI_DEPLOYMENT: 'support-backup',
        AI_MAX_RETRIES: '0',
        AI_BREAKER_FAILURES: String(options.breakerFailures),
        AI_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
        METRICS_TOKEN,
      },
    });
    server = started;
    const session = await openSession(started.url);
    const client = await ChatTestClient.connect(started.url, session.token);
    const rounds = async () =>
      (
        await started.db.query<{ provider: string; model: string; error_code: string | null }>(
          'SELECT provider, model, error_code FROM support_ai_interactions WHERE session_id = $1 ORDER BY created_at, round',
          [session.sessionId],
        )
      ).rows;
    const metrics = async () => (await fetch(`${started.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    return { server: started, clock, session, client, rounds, metrics };
  };

  it('answers from the backup when the primary fails, and logs and counts the call under the backup', async () => {
    primary.setDefault({ kind: 'error', status: 503 });
    backup.setDefault({ kind: 'text', chunks: ['Hello from ', 'the backup.'] });
    const logLines: string[] = [];
    const { client, rounds, metrics } = await startChain({ breakerFailures: 5, logLines });

    const { reply } = await client.ask('How much does it cost to cancel a flight?');

    expect(reply.text).toBe('Hello from the backup.');
    expect([chatCalls(primary), chatCalls(backup)]).toEqual([1, 1]);
    expect(backup.requests.find((request) => request.chat)?.path).toMatch(/^\/openai\/deployments\/support-backup\/chat\/completions/);
    expect(await rounds()).toEqual([{ provider: 'azure', model: 'support-backup', error_code: null }]);

    const body = await metrics();
    expect(sample(body, 'support_model_calls_total{provider="azure",model="support-backup",purpose="reply",result="ok"}')).toBe(1);
    expect(body).not.toMatch(/^support_model_calls_total\{provider="openai"/m);
    expect(sample(body, 'support_model_failovers_total{from="openai",to="azure",reason="ai_unavailable"}')).toBe(1);
    expect(sample(body, 'support_model_breaker_state{provider="openai"}')).toBe(0);
    expect(sample(body, 'support_model_breaker_state{provider="azure"}')).toBe(0);

    const failover = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'model provider failed before answering; the next provider of the chain takes the call');
    expect(failover).toMatchObject({ from: 'openai', to: 'azure', reason: 'ai_unavailable' });
    for (const key of [OPENAI_KEY, AZURE_KEY]) expect(logLines.join('\n')).not.toContain(key);
    client.close();
  });

  it('stops calling the primary for the cool-down after AI_BREAKER_FAILURES failures, then one trial call brings it back', async () => {
    primary.setDefault({ kind: 'error', status: 503 });
    backup.setDefault({ kind: 'text', chunks: ['The backup answers.'] });
    const { client, clock, rounds, metrics } = await startChain({ breakerFailures: 2 });

    for (const question of ['Hello?', 'Anyone there?']) expect((await client.ask(question)).reply.text).toBe('The backup answers.');
    expect(chatCalls(primary)).toBe(2);
    expect(sample(await metrics(), 'support_model_breaker_state{provider="openai"}')).toBe(2);

    // Open: the primary is not asked at all, and every reply still comes (from the backup).
    for (const question of ['What about baggage?', 'And seats?', 'And meals?']) expect((await client.ask(question)).reply.text).toBe('The backup answers.');
    expect(chatCalls(primary)).toBe(2);
    expect(chatCalls(backup)).toBe(5);
    const body = await metrics();
    expect(sample(body, 'support_model_failovers_total{from="openai",to="azure",reason="circuit_open"}')).toBe(3);
    expect(sample(body, 'support_model_failovers_total{from="openai",to="azure",reason="ai_unavailable"}')).toBe(2);
    expect((await rounds()).map((round) => round.provider)).toEqual(['azure', 'azure', 'azure', 'azure', 'azure']);

    // Past the cool-down: half-open, and the next call is the primary's trial.
    clock.shiftMs = COOLDOWN_MS;
    expect(sample(await metrics(), 'support_model_breaker_state{provider="openai"}')).toBe(1);
    primary.setDefault({ kind: 'text', chunks: ['The primary is back.'] });
    expect((await client.ask('Is it working again?')).reply.text).toBe('The primary is back.');
    expect(chatCalls(primary)).toBe(3);
    expect(chatCalls(backup)).toBe(5);
    expect(sample(await metrics(), 'support_model_breaker_state{provider="openai"}')).toBe(0);
    expect((await rounds()).at(-1)).toEqual({ provider: 'openai', model: 'gpt-primary', error_code: null });
    client.close();
  });

  it('gives the apology with the offer of a person when every provider fails, and once the breakers are open asks nobody', async () => {
    primary.setDefault({ kind: 'error', status: 503 });
    backup.setDefault({ kind: 'error', status: 500 });
    const { server: running, session, client, rounds, metrics } = await startChain({ breakerFailures: 2 });

    for (const question of ['Can I change my flight?', 'Hello?']) {
      const { reply } = await client.ask(question);
      expect(reply.text).toBe(PROVIDER_FAILURE_TEXT);
      expect(reply.text).toContain('Talk to a human');
    }
    // Each provider asked once per reply, no more.
    expect([chatCalls(primary), chatCalls(backup)]).toEqual([2, 2]);
    const body = await metrics();
    expect(sample(body, 'support_model_breaker_state{provider="openai"}')).toBe(2);
    expect(sample(body, 'support_model_breaker_state{provider="azure"}')).toBe(2);

    // Both open: the apology comes without a single provider call.
    expect((await client.ask('Is anyone there?')).reply.text).toBe(PROVIDER_FAILURE_TEXT);
    expect([chatCalls(primary), chatCalls(backup)]).toEqual([2, 2]);

    // Each failed reply is one round, under the provider that failed last (the chain's first when none was asked).
    expect(await rounds()).toEqual([
      { provider: 'azure', model: 'support-backup', error_code: 'ai_unavailable' },
      { provider: 'azure', model: 'support-backup', error_code: 'ai_unavailable' },
      { provider: 'openai', model: 'gpt-primary', error_code: 'ai_unavailable' },
    ]);
    const outcomes = await running.db.query<{ outcome: string }>(`SELECT outcome FROM support_chat_messages WHERE session_id = $1 AND role = 'assistant' ORDER BY seq`, [session.sessionId]);
    expect(outcomes.rows.map((row) => row.outcome)).toEqual(['fallback', 'fallback', 'fallback']);
    client.close();
  });
});
