import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDER_FAILURE_TEXT } from '../src/ai/assistant-replies.js';
import { ChatTestClient } from './chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { openSession, startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const API_KEY = 'sk-test-provider-deadline-0123456789';
// Far below the 30 s Retry-After below, and room enough for a 1 s one to fit even on a loaded machine.
const DEADLINE_MS = 5000;

/**
 * A rate-limited provider and the reply's deadline, through the whole
 * service with the model main.ts builds from the configuration: retries fit
 * inside AI_REQUEST_TIMEOUT_MS, and every rate limit is recorded as one.
 */
describe.each(testDrivers)('provider rate limits and the reply deadline on %s', (driver) => {
  let fake: FakeOpenAIServer;
  let server: RunningTestServer;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: API_KEY });
    const env = {
      AI_PROVIDER: 'openai',
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: fake.url,
      OPENAI_MODEL: 'gpt-test',
      AI_REQUEST_TIMEOUT_MS: String(DEADLINE_MS),
      AI_MAX_RETRIES: '2',
    };
    server = await startTestServer({ driver, modelFromConfig: true, env });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  const errorCodes = async (sessionId: string) =>
    (
      await server.db.query<{ error_code: string | null }>('SELECT error_code FROM support_ai_interactions WHERE session_id = $1 ORDER BY created_at, round', [sessionId])
    ).rows.map((row) => row.error_code);

  const connect = async () => {
    const session = await openSession(server.url);
    return { session, client: await ChatTestClient.connect(server.url, session.token) };
  };

  it('does not wait out a Retry-After longer than the deadline: the apology comes at once, recorded as ai_rate_limited', async () => {
    fake.script({ kind: 'error', status: 429, headers: { 'retry-after': '30' } }, { kind: 'text', chunks: ['too late'] });
    const { session, client } = await connect();

    const started = Date.now();
    const { reply } = await client.ask('How much does it cost to cancel a flight?');
    const elapsed = Date.now() - started;

    expect(reply.text).toBe(PROVIDER_FAILURE_TEXT);
    // Not the 30 s the provider asked for: one request, no retry, no wait.
    expect(fake.requests).toHaveLength(1);
    expect(elapsed).toBeLessThan(30_000);
    expect(await errorCodes(session.sessionId)).toEqual(['ai_rate_limited']);
    client.close();
  });

  it('honours a short Retry-After that fits in the deadline, and the retry answers', async () => {
    fake.script({ kind: 'error', status: 429, headers: { 'retry-after': '1' } }, { kind: 'text', chunks: ['Answered ', 'after the wait.'] });
    const { session, client } = await connect();

    const { reply } = await client.ask('Hello there');

    expect(reply.text).toBe('Answered after the wait.');
    // Chat calls only: the reply's moderation call comes after them.
    const chatCalls = fake.requests.filter((request) => request.chat !== undefined);
    expect(chatCalls).toHaveLength(2);
    const [first, second] = chatCalls;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
    // One model call as far as the log of interactions goes: it succeeded.
    expect(await errorCodes(session.sessionId)).toEqual([null]);
    client.close();
  });

  it('fits a later tool round\'s retry into what is left of the reply\'s deadline: a rate limit there stays ai_rate_limited', async () => {
    // Round 1 takes over a second (slow chunks) and calls a tool; round 2 is rate limited with a wait that
    // would fit a fresh call's budget (4 s of 5 s) but not what is left of the reply's.
    fake.script(
      { kind: 'tool_calls', calls: [{ name: 'search_knowledge_base', arguments: { query: 'cancellation fee' } }], chunkDelayMs: 500 },
      { kind: 'error', status: 429, headers: { 'retry-after': '4' } },
      { kind: 'text', chunks: ['too late'] },
    );
    const { session, client } = await connect();

    const { reply } = await client.ask('How much does it cost to cancel a flight?');

    expect(reply.text).toBe(PROVIDER_FAILURE_TEXT);
    expect(fake.requests).toHaveLength(2);
    expect(await errorCodes(session.sessionId)).toEqual([null, 'ai_rate_limited']);
    client.close();
  });

  it('records a rate limit reported inside the stream as ai_rate_limited', async () => {
    for (const as of ['chunk', 'event'] as const) {
      fake.reset();
      fake.script({ kind: 'stream_error', chunks: ['Let me '], as });
      const { session, client } = await connect();

      const { reply } = await client.ask('Hello again');

      expect(reply.text).toBe(PROVIDER_FAILURE_TEXT);
      expect(await errorCodes(session.sessionId)).toEqual(['ai_rate_limited']);
      client.close();
    }
  });
});
