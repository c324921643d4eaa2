import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { PROVIDER_FAILURE_TEXT } from '../src/ai/assistant-replies.js';
import { createAzureChatModel, createOpenAIChatModel } from '../src/ai/providers/openai-chat-model.js';
import { ChatTestClient } from './chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { openSession, signCustomerToken, startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const API_KEY = 'sk-test-hosted-provider-1234567890';

/**
 * The whole service with the OpenAI adapter against a fake Chat Completions
 * server over real HTTP: prompt, tools, streaming, the tool loop's second
 * round, usage logging, and provider failures as a customer sees them.
 */
describe('chat service with a hosted (OpenAI-protocol) model', () => {
  let fake: FakeOpenAIServer;
  let server: RunningTestServer;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: API_KEY });
    const model = createOpenAIChatModel({ provider: 'openai', apiKey: API_KEY, model: 'gpt-test-mini', baseURL: fake.url, maxRetries: 0 });
    server = await startTestServer({ model });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  const aliceClient = async () => {
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_alice') });
    return { session, client: await ChatTestClient.connect(server.url, session.token) };
  };

  it('sends the prompt, profile, passages and tool schemas, streams the answer and logs usage', async () => {
    fake.script({ kind: 'text', chunks: ['Cancelling a Standard fare ', 'costs €75 per passenger ', '[1].'], usage: { promptTokens: 321, completionTokens: 12 } });
    const { session, client } = await aliceClient();
    const { reply, from } = await client.ask('How much does it cost to cancel a flight?');

    expect(reply.text).toBe('Cancelling a Standard fare costs €75 per passenger [1].');
    // Streamed a sentence at a time: output moderation checks each sentence before it goes out.
    const deltas = client.events.slice(from).filter((event) => event.type === 'message_delta');
    expect(deltas.map((event) => event.delta)).toEqual(['Cancelling a Standard fare costs €75 per passenger [1].']);
    expect(reply.citations[0]?.articleId).toBe('flight-cancellation-fees-by-fare');

    const request = fake.requests[0]?.chat;
    expect(request?.model).toBe('gpt-test-mini');
    expect(request?.stream).toBe(true);
    const system = String(request?.messages[0]?.content ?? '');
    expect(request?.messages[0]?.role).toBe('system');
    expect(system).toContain('Alice Martin');
    expect(system).toContain('Gold');
    expect(system).toMatch(/\[1\] Flight cancellation fees/);
    expect(request?.messages.at(-1)).toMatchObject({ role: 'user', content: 'How much does it cost to cancel a flight?' });
    const toolNames = (request?.tools ?? []).map((tool) => tool.function.name).sort();
    expect(toolNames).toEqual([
      'create_ticket',
      'get_wallet_balance',
      'list_my_bookings',
      'lookup_booking',
      'request_booking_cancellation',
      'request_booking_change',
      'search_knowledge_base',
    ]);
    const lookup = request?.tools?.find((tool) => tool.function.name === 'lookup_booking');
    expect(lookup?.function.parameters).toMatchObject({ type: 'object', properties: { bookingReference: { type: 'string' } }, required: ['bookingReference'] });

    const { rows } = await server.db.query<{ provider: string; model: string; prompt_tokens: number; completion_tokens: number; finish_reason: string }>(
      'SELECT provider, model, prompt_tokens, completion_tokens, finish_reason FROM support_ai_interactions WHERE session_id = $1',
      [session.sessionId],
    );
    expect(rows).toEqual([{ provider: 'openai', model: 'gpt-test-mini', prompt_tokens: 321, completion_tokens: 12, finish_reason: 'stop' }]);
    expect(JSON.stringify(client.events)).not.toContain(API_KEY);
    client.close();
  });

  it('runs a tool call and feeds its result into a second round', async () => {
    fake.script(
      { kind: 'tool_calls', calls: [{ id: 'call_lookup_1', name: 'lookup_booking', arguments: { bookingReference: 'sky4f2' } }] },
      (body) => {
        const toolMessage = body.messages.find((message) => message.role === 'tool');
        const content = String(toolMessage?.content ?? '');
        return { kind: 'text', chunks: [content.includes('"status":"confirmed"') ? 'Your booking SKY4F2 is confirmed.' : 'I could not read the booking.'] };
      },
    );
    const { session, client } = await aliceClient();
    const { reply } = await client.ask('Is my booking SKY4F2 confirmed?');
    expect(reply.text).toBe('Your booking SKY4F2 is confirmed.');

    const second = fake.requests[1]?.chat;
    const assistantTurn = second?.messages.find((message) => message.role === 'assistant' && message.tool_calls);
    expect(assistantTurn?.tool_calls?.[0]).toMatchObject({ id: 'call_lookup_1', function: { name: 'lookup_booking' } });
    const toolTurn = second?.messages.find((message) => message.role === 'tool');
    expect(toolTurn?.tool_call_id).toBe('call_lookup_1');

    const { rows } = await server.db.query<{ round: number; tool_calls: Array<{ name: string; outcome: string }> }>(
      'SELECT round, tool_calls FROM support_ai_interactions WHERE session_id = $1 ORDER BY round',
      [session.sessionId],
    );
    expect(rows.map((row) => row.round)).toEqual([1, 2]);
    expect(rows[0]?.tool_calls).toMatchObject([{ name: 'lookup_booking', outcome: 'ok' }]);
    client.close();
  });

  it('turns invalid tool arguments into a typed error the model sees, not a crash', async () => {
    fake.script(
      { kind: 'tool_calls', calls: [{ name: 'lookup_booking', arguments: '{"bookingReference": 12' }] },
      (body) => ({ kind: 'text', chunks: [String(body.messages.at(-1)?.content ?? '')] }),
    );
    const { client } = await aliceClient();
    const { reply } = await client.ask('Check my booking please');
    expect(JSON.parse(reply.text)).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
    client.close();
  });

  it('stops after the configured number of tool rounds and still answers', async () => {
    const looping = { kind: 'tool_calls' as const, calls: [{ name: 'search_knowledge_base', arguments: { query: 'refund' } }] };
    fake.setDefault(looping);
    fake.script(looping, looping, looping, { kind: 'text', chunks: ['Final answer without tools.'] });
    const { session, client } = await aliceClient();
    const { reply } = await client.ask('How do refunds work?');
    expect(reply.text).toBe('Final answer without tools.');
    const rounds = server.config.ai.maxToolRounds;
    expect(fake.requests).toHaveLength(rounds);
    expect(fake.requests.at(-1)?.chat?.tools ?? []).toEqual([]);
    const { rows } = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM support_ai_interactions WHERE session_id = $1', [session.sessionId]);
    expect(rows[0]?.n).toBe(rounds);
    client.close();
  });

  it('answers a provider failure (429, 500) with a complete fallback reply and stays usable', async () => {
    const { session, client } = await aliceClient();
    for (const status of [429, 500]) {
      fake.script({ kind: 'error', status });
      const { reply } = await client.ask(`Something about refunds (${status})`);
      expect(reply.text).toBe(PROVIDER_FAILURE_TEXT);
    }
    const { rows } = await server.db.query<{ error_code: string }>(
      'SELECT error_code FROM support_ai_interactions WHERE session_id = $1 ORDER BY created_at',
      [session.sessionId],
    );
    expect(rows.map((row) => row.error_code)).toEqual(['ai_rate_limited', 'ai_unavailable']);

    fake.script({ kind: 'text', chunks: ['Back to normal.'] });
    const { reply } = await client.ask('Hello again');
    expect(reply.text).toBe('Back to normal.');
    const stored = await server.db.query<{ role: string }>('SELECT role FROM support_chat_messages WHERE session_id = $1 ORDER BY seq', [session.sessionId]);
    expect(stored.rows.map((row) => row.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    client.close();
  });

  it.each(testDrivers)('hands over after two failed replies in a row (a stream cut off, then a 500), not after one, on %s', async (driver) => {
    // A server of its own on each driver, against the same fake provider, with the repeated-failure handoff on.
    const strict = await startTestServer({
      driver,
      model: createOpenAIChatModel({ provider: 'openai', apiKey: API_KEY, model: 'gpt-test-mini', baseURL: fake.url, maxRetries: 0 }),
      env: { ESCALATE_AFTER_FAILED_REPLIES: '2' },
    });
    try {
      const session = await openSession(strict.url, { customerToken: await signCustomerToken(strict, 'cus_alice') });
      const client = await ChatTestClient.connect(strict.url, session.token);
      const noHandoffYet = async () => {
        await client.settle(200);
        expect(client.events.filter((event) => event.type === 'escalated')).toEqual([]);
        expect((await strict.db.query('SELECT 1 FROM support_tickets WHERE session_id = $1', [session.sessionId])).rows).toEqual([]);
      };

      // One failure, then an answer: the count starts again.
      fake.script({ kind: 'error', status: 500 });
      expect((await client.ask('Can I get my money back for a cancelled trip?')).reply.text).toBe(PROVIDER_FAILURE_TEXT);
      await noHandoffYet();
      fake.script({ kind: 'text', chunks: ['Refunds go back to the card you paid with.'] });
      expect((await client.ask('And to which card does it go?')).reply.text).toBe('Refunds go back to the card you paid with.');
      await noHandoffYet();

      // A failure in the stream itself (the connection drops after some text), once: still no handoff.
      fake.script({ kind: 'disconnect', chunks: ['Let me check'] });
      expect((await client.ask('Is my flight to Lisbon still on time?')).reply.text).toBe(PROVIDER_FAILURE_TEXT);
      await noHandoffYet();

      // The second failure in a row hands over.
      fake.script({ kind: 'error', status: 500 });
      const from = client.events.length;
      expect((await client.ask('Hello? Is anyone there?')).reply.text).toBe(PROVIDER_FAILURE_TEXT);
      const escalated = await client.waitFor('escalated', () => true, { from });
      expect(escalated.mode).toBe('ticket');
      const tickets = await strict.db.query<{ id: string; source: string; customer_id: string; status: string }>(
        'SELECT id, source, customer_id, status FROM support_tickets WHERE session_id = $1',
        [session.sessionId],
      );
      expect(tickets.rows).toEqual([{ id: escalated.ticketId, source: 'repeated_failure', customer_id: 'cus_alice', status: 'open' }]);

      const outcomes = await strict.db.query<{ outcome: string }>(
        `SELECT outcome FROM support_chat_messages WHERE session_id = $1 AND role = 'assistant' ORDER BY seq`,
        [session.sessionId],
      );
      expect(outcomes.rows.map((row) => row.outcome)).toEqual(['fallback', 'answered', 'fallback', 'fallback']);
      // The ticket's hand-over note is a model call of its own (logged with the ticket as message_id); wait for it,
      // so that it neither shows up among the replies' rows nor takes a scripted response meant for a later test.
      await vi.waitFor(
        async () => {
          const note = await strict.db.query('SELECT 1 FROM support_ai_interactions WHERE session_id = $1 AND message_id = $2', [session.sessionId, escalated.ticketId]);
          expect(note.rows.length).toBeGreaterThan(0);
        },
        { timeout: 20_000, interval: 50 },
      );
      const errors = await strict.db.query<{ error_code: string | null }>(
        'SELECT error_code FROM support_ai_interactions WHERE session_id = $1 AND message_id <> $2 ORDER BY created_at',
        [session.sessionId, escalated.ticketId],
      );
      expect(errors.rows.map((row) => row.error_code)).toEqual(['ai_unavailable', null, 'ai_unavailable', 'ai_unavailable']);
      client.close();
    } finally {
      await strict.close();
    }
  });

  it('counts the tokens itself when the provider reports none and marks them estimated; an unpriced model costs null, not 0', async () => {
    const { session, client } = await aliceClient();
    fake.script({ kind: 'text', chunks: ['Bags up to 23 kg are free on Flex fares.'], usage: null });
    await client.ask('How heavy can my bag be?');
    const { rows } = await server.db.query<{ prompt_tokens: number; completion_tokens: number; tokens_estimated: boolean; cost_usd: string | null; first_token_ms: number | null }>(
      'SELECT prompt_tokens, completion_tokens, tokens_estimated, cost_usd::text AS cost_usd, first_token_ms FROM support_ai_interactions WHERE session_id = $1',
      [session.sessionId],
    );
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ completion_tokens: countTokens('Bags up to 23 kg are free on Flex fares.'), tokens_estimated: true });
    // The prompt is the system prompt, passages and tool schemas: hundreds of tokens, not the 0 it used to be.
    expect(row.prompt_tokens).toBeGreaterThan(300);
    // 'gpt-test-mini' is in no price table: its cost is unknown (null), not free.
    expect(row.cost_usd).toBeNull();
    expect(row.first_token_ms).not.toBeNull();
    client.close();
  });

  it('works the same through the Azure OpenAI adapter', async () => {
    const azureServer = await startTestServer({
      model: createAzureChatModel({ endpoint: fake.azureEndpoint, apiKey: API_KEY, deployment: 'support-gpt', apiVersion: '2024-10-21', maxRetries: 0 }),
      database: { db: server.db, drop: async () => {} },
    });
    try {
      fake.script({ kind: 'text', chunks: ['Hello ', 'from Azure.'] });
      const session = await openSession(azureServer.url);
      const client = await ChatTestClient.connect(azureServer.url, session.token);
      const { reply } = await client.ask('hi there');
      expect(reply.text).toBe('Hello from Azure.');
      expect(fake.requests[0]?.path).toMatch(/^\/openai\/deployments\/support-gpt\/chat\/completions\?api-version=2024-10-21/);
      expect(fake.requests[0]?.headers['api-key']).toBe(API_KEY);
      const { rows } = await azureServer.db.query<{ provider: string; model: string }>('SELECT provider, model FROM support_ai_interactions WHERE session_id = $1', [session.sessionId]);
      expect(rows).toEqual([{ provider: 'azure', model: 'support-gpt' }]);
      client.close();
    } finally {
      await azureServer.app.close();
    }
  });
});
