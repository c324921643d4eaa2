/**
 * The abstractive hand-over note with a hosted model: the real OpenAI adapter
 * against the fake OpenAI server (a real HTTP server speaking the streaming
 * protocol). After a handoff the job asks the model for a note, stores it
 * redacted in place of the extractive summary and tells the agents' sockets;
 * when the model keeps failing, the extractive summary stays.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentQueueResponseSchema, type AgentServerEvent } from '@support/protocol';
import { createOpenAIChatModel } from '../src/ai/providers/openai-chat-model.js';
import { InProcessJobQueue } from '../src/bus/in-process-job-queue.js';
import { SUMMARY_SYSTEM_PROMPT, TICKET_SUMMARY } from '../src/escalation/model-summary.js';
import { agentCall, agentLogin, AgentTestClient, MAYA } from './agent-client.js';
import { ChatTestClient } from './chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { openSession, signCustomerToken, startTestServer, type RunningTestServer } from './test-server.js';

const API_KEY = 'sk-test-summary';

describe('hand-over note written by a hosted model', () => {
  let fake: FakeOpenAIServer;
  let server: RunningTestServer;
  let jobs: InProcessJobQueue;
  const failedJobs: string[] = [];

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: API_KEY });
    const model = createOpenAIChatModel({ provider: 'openai', apiKey: API_KEY, model: 'gpt-test-mini', baseURL: fake.url, maxRetries: 0 });
    // Quick retries: a failing model is given up on in well under a second.
    jobs = new InProcessJobQueue({ attempts: 3, backoffMs: 20 }, (name) => failedJobs.push(name));
    // Nobody online: the handoff is a ticket, which keeps its note all the same.
    server = await startTestServer({ model, jobs });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  async function escalatedAliceChat(question: string) {
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_alice') });
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    await client.ask(question);
    client.send({ type: 'escalate', reason: 'I need a person' });
    const escalated = await client.waitFor('escalated');
    client.close();
    return { sessionId: session.sessionId, ticketId: escalated.ticketId };
  }

  const summaryOf = async (ticketId: string) =>
    (await server.db.query<{ summary: string }>('SELECT summary FROM support_tickets WHERE id = $1', [ticketId])).rows[0]?.summary ?? null;

  it('replaces the extractive summary with the model’s note, redacted, and tells the agents’ sockets', async () => {
    const maya = await agentLogin(server.url, MAYA.email);
    const socket = await AgentTestClient.connect(server.url, maya.token);
    socket.send({ type: 'presence', status: 'away' }); // watching the queue, not taking chats
    await socket.waitFor((event) => event.type === 'presence');

    fake.script(
      { kind: 'text', chunks: ['I can help with SKY4F2: changing the date costs nothing on a Flex fare.'] },
      { kind: 'text', chunks: ['Alice wants to move booking SKY4F2 to a later date; ', 'the assistant explained Flex fare changes. ', 'Still open: the new date. Reach her at alice.m@example.com.'] },
    );
    const { sessionId, ticketId } = await escalatedAliceChat('Can I move my booking SKY4F2 to April?');
    const update = await socket.waitFor(
      (event: AgentServerEvent) => event.type === 'queue_updated' && event.entry?.sessionId === sessionId && (event.entry.summary ?? '').startsWith('Alice wants'),
    );
    await jobs.drain();

    const note = await summaryOf(ticketId);
    expect(note).toBe("Alice wants to move booking SKY4F2 to a later date; the assistant explained Flex fare changes. Still open: the new date. Reach her at [EMAIL].");
    expect(update).toMatchObject({ entry: { summary: note } });
    const queue = agentQueueResponseSchema.parse((await agentCall(server.url, maya.token, 'GET', '/support/agent/queue')).body);
    expect(queue.conversations.find((entry) => entry.sessionId === sessionId)?.summary).toBe(note);

    // What the model was asked: the note prompt, no tools, and the transcript as data.
    const request = fake.requests.at(-1)?.chat;
    expect(request?.messages[0]).toMatchObject({ role: 'system', content: SUMMARY_SYSTEM_PROMPT });
    expect(request?.tools ?? []).toEqual([]);
    const transcript = String(request?.messages[1]?.content ?? '');
    expect(transcript).toContain('Customer: Can I move my booking SKY4F2 to April?');
    expect(transcript).toContain('Assistant: I can help with SKY4F2');
    // Logged like every model call.
    const { rows } = await server.db.query<{ message_id: string; redacted_completion: string }>('SELECT message_id, redacted_completion FROM support_ai_interactions WHERE message_id = $1', [ticketId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.redacted_completion).not.toContain('alice.m@example.com');
    socket.close();
  });

  it('keeps the extractive summary when the model keeps failing', async () => {
    fake.script({ kind: 'text', chunks: ['Here is what I know about baggage.'] });
    fake.setDefault({ kind: 'error', status: 500 });
    const before = failedJobs.length;
    const { ticketId } = await escalatedAliceChat('How much baggage can I take?');
    await jobs.drain();
    expect(failedJobs.slice(before)).toEqual([TICKET_SUMMARY]);
    const summary = await summaryOf(ticketId);
    expect(summary).toMatch(/How much baggage can I take\?/);
  });

  it('keeps the extractive summary when only the chain\'s offline last resort answers (AI_PROVIDER_CHAIN=openai,local)', async () => {
    fake.setDefault({ kind: 'error', status: 500 });
    const chainJobs = new InProcessJobQueue({ attempts: 2, backoffMs: 20 }, (name) => failedJobs.push(name));
    const chained = await startTestServer({
      modelFromConfig: true,
      jobs: chainJobs,
      env: { AI_PROVIDER_CHAIN: 'openai,local', OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: fake.url, AI_MAX_RETRIES: '0' },
    });
    try {
      const before = failedJobs.length;
      const session = await openSession(chained.url, { customerToken: await signCustomerToken(chained, 'cus_alice') });
      const client = await ChatTestClient.connect(chained.url, session.token);
      await client.ask('How much baggage can I take?');
      client.send({ type: 'escalate', reason: 'I need a person' });
      const { ticketId } = await client.waitFor('escalated');
      client.close();
      await chainJobs.drain();

      expect(failedJobs.slice(before)).toEqual([TICKET_SUMMARY]);
      const { rows } = await chained.db.query<{ summary: string }>('SELECT summary FROM support_tickets WHERE id = $1', [ticketId]);
      expect(rows[0]?.summary).toMatch(/How much baggage can I take\?/);
      // The local model did answer the note's call (logged as its own), and its text was not taken.
      const notes = await chained.db.query<{ provider: string }>('SELECT provider FROM support_ai_interactions WHERE message_id = $1', [ticketId]);
      expect(notes.rows.map((row) => row.provider)).toEqual(['local', 'local']);
    } finally {
      await chained.close();
    }
  });
});
