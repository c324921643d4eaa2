import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SUMMARY_SYSTEM_PROMPT } from '../src/escalation/model-summary.js';
import { PROVIDER_FAILURE_TEXT } from '../src/ai/assistant-replies.js';
import { createOpenAIChatModel } from '../src/ai/providers/openai-chat-model.js';
import { InProcessSessionEventBus } from '../src/bus/session-event-bus.js';
import { MessageStore } from '../src/conversation/message-store.js';
import { PendingReplies } from '../src/conversation/pending-replies.js';
import { MAX_REPLY_ATTEMPTS } from '../src/conversation/reply-worker.js';
import type { Database } from '../src/storage/database.js';
import { ChatTestClient } from './chat-client.js';
import { eventually } from './eventually.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { createTestDatabase, openSession, startTestServer, testDrivers, type RunningTestServer, type TestDatabase } from './test-server.js';

const API_KEY = 'sk-test-durable-turns-0000000000';
const CHUNKS = ['Refunds ', 'reach ', 'your ', 'card ', 'in ', 'five ', 'to ', 'ten ', 'business ', 'days.'];
const ANSWER = CHUNKS.join('');
// Short leases, so that a dead node's sessions are taken over within a test's patience.
const LEASE_ENV = { REPLY_LEASE_MS: '1500' };

/**
 * What a node that died mid-reply leaves in the database: the customer's
 * message, the record that it awaits a reply (started `attempts` times), and
 * its lease on the session, running out after `leaseMs`.
 */
async function leftByDeadNode(db: Database, sessionId: string, text: string, options: { attempts?: number; leaseMs?: number } = {}) {
  const { message } = await new MessageStore(db).insertUserMessage(sessionId, `dead-${Math.random().toString(36).slice(2)}`, text, true);
  await db.query(`UPDATE support_pending_replies SET attempts = $2, created_at = now() - interval '10 seconds' WHERE message_id = $1`, [message.id, options.attempts ?? 1]);
  await db.query(`INSERT INTO support_reply_leases (session_id, owner, expires_at) VALUES ($1, 'node_dead', clock_timestamp() + $2::integer * interval '1 millisecond')`, [
    sessionId,
    options.leaseMs ?? 500,
  ]);
  return message;
}

async function repliesTo(db: Database, messageId: string) {
  const { rows } = await db.query<{ role: string; text: string; outcome: string | null }>('SELECT role, text, outcome FROM support_chat_messages WHERE reply_to_id = $1', [messageId]);
  return rows;
}

async function isPending(db: Database, messageId: string): Promise<boolean> {
  return new PendingReplies(db).isPending(messageId);
}

/**
 * Durable turns, in process: an acknowledged message is recorded as awaiting
 * its reply with the message itself, and whatever a dead node left pending is
 * answered once by another — never in a conversation a human owns. (The
 * kill -9 tests in node-crash.test.ts do the same with real processes.)
 */
describe.each(testDrivers)('durable turns on %s', (driver) => {
  let fake: FakeOpenAIServer;
  let database: TestDatabase;
  let server: RunningTestServer;
  const model = () => createOpenAIChatModel({ provider: 'openai', apiKey: API_KEY, model: 'gpt-test', baseURL: fake.url, maxRetries: 0 });

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: API_KEY });
    database = await createTestDatabase(driver);
    server = await startTestServer({ database, model: model(), env: LEASE_ENV });
  });
  beforeEach(() => {
    fake.reset();
    fake.setDefault(() => ({ kind: 'text', chunks: CHUNKS }));
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
    await database?.drop();
  });

  it('records an acknowledged message as awaiting its reply, and ends that record with the reply', async () => {
    fake.setDefault(() => ({ kind: 'text', chunks: CHUNKS, chunkDelayMs: 100 }));
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    client.send({ type: 'send_message', clientMessageId: 'recorded', text: 'How long does a refund take?' });
    const ack = await client.waitFor('ack');
    // Between the ack and the stored reply, the database knows that the message awaits one.
    await client.waitFor('message_delta');
    expect(await isPending(database.db, ack.messageId)).toBe(true);
    const reply = await client.waitFor('message', (event) => event.message.replyToMessageId === ack.messageId);
    expect(reply.message.text).toBe(ANSWER);
    expect(await isPending(database.db, ack.messageId)).toBe(false);
    client.close();
  });

  it('answers what a dead node left unanswered, once, after its lease ran out; resume says the reply is on its way', async () => {
    const session = await openSession(server.url);
    const orphan = await leftByDeadNode(database.db, session.sessionId, 'How long does a refund take?', { leaseMs: 1500 });
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    client.send({ type: 'resume' });
    // The replay names the message whose reply is still being written (the dead node's lease still holds).
    await client.waitFor('typing', (event) => event.replyToMessageId === orphan.id);
    const reply = await client.waitFor('message', (event) => event.message.replyToMessageId === orphan.id);
    expect(reply.message).toMatchObject({ role: 'assistant', text: ANSWER });
    await client.settle(300);
    expect(client.events.filter((event) => event.type === 'message' && event.message.replyToMessageId === orphan.id)).toHaveLength(1);
    expect(await repliesTo(database.db, orphan.id)).toEqual([{ role: 'assistant', text: ANSWER, outcome: 'answered' }]);
    expect(await isPending(database.db, orphan.id)).toBe(false);
    const leases = await database.db.query('SELECT owner FROM support_reply_leases WHERE session_id = $1', [session.sessionId]);
    expect(leases.rows).toEqual([]);
    client.close();
  });

  it('never lets the AI answer, after a recovery, a conversation that a human took over meanwhile', async () => {
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    // The customer pressed the button; then we learn what the dead node left behind.
    client.send({ type: 'escalate' });
    await client.waitFor('escalated');
    const orphan = await leftByDeadNode(database.db, session.sessionId, 'How long does a refund take?');
    await eventually(async () => !(await isPending(database.db, orphan.id)), 'the recovery to look at the orphaned message');
    expect(await repliesTo(database.db, orphan.id)).toEqual([]);
    await server.jobs.drain();
    // The model is asked for the agents' hand-over note only, never for an answer.
    expect(fake.requests.filter((request) => request.chat).map((request) => request.chat?.messages[0]?.content)).toEqual([SUMMARY_SYSTEM_PROMPT]);
    client.close();
  });

  it(`gives a message that was started ${MAX_REPLY_ATTEMPTS} times without a reply the apology, not a fourth try`, async () => {
    const session = await openSession(server.url);
    const orphan = await leftByDeadNode(database.db, session.sessionId, 'The message that crashes every node', { attempts: MAX_REPLY_ATTEMPTS });
    await eventually(async () => (await repliesTo(database.db, orphan.id)).length > 0, 'the apology');
    expect(await repliesTo(database.db, orphan.id)).toEqual([{ role: 'assistant', text: PROVIDER_FAILURE_TEXT, outcome: 'fallback' }]);
    expect(fake.requests.filter((request) => request.chat)).toHaveLength(0);
    expect(await isPending(database.db, orphan.id)).toBe(false);
  });

  it('tells a client that resends a message whose reply is being written that it is on its way, and answers once', async () => {
    fake.setDefault(() => ({ kind: 'text', chunks: CHUNKS, chunkDelayMs: 100 }));
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    client.send({ type: 'send_message', clientMessageId: 'resent', text: 'How long does a refund take?' });
    const ack = await client.waitFor('ack');
    await client.waitFor('message_delta');
    client.send({ type: 'send_message', clientMessageId: 'resent', text: 'How long does a refund take?' });
    await client.waitFor('typing', (event) => event.replyToMessageId === ack.messageId && client.events.filter((seen) => seen.type === 'ack').length === 2);
    await client.waitFor('message', (event) => event.message.replyToMessageId === ack.messageId);
    await client.settle(300);
    expect(client.events.filter((event) => event.type === 'ack').map((event) => event.type === 'ack' && event.messageId)).toEqual([ack.messageId, ack.messageId]);
    expect(await repliesTo(database.db, ack.messageId)).toHaveLength(1);
    expect(fake.requests.filter((request) => request.chat)).toHaveLength(1);
    client.close();
  });

  it('answers a session from one node at a time, in order, even when its messages arrive on two nodes', async () => {
    fake.setDefault(() => ({ kind: 'text', chunks: CHUNKS, chunkDelayMs: 60 }));
    const bus = new InProcessSessionEventBus();
    const nodeA = await startTestServer({ database, model: model(), env: LEASE_ENV, bus });
    const nodeB = await startTestServer({ database, model: model(), env: LEASE_ENV, bus });
    try {
      const session = await openSession(nodeA.url);
      const onA = await ChatTestClient.connect(nodeA.url, session.token);
      const onB = await ChatTestClient.connect(nodeB.url, session.token);
      await onA.waitFor('session_state');
      await onB.waitFor('session_state');
      onA.send({ type: 'send_message', clientMessageId: 'first', text: 'How long does a refund take?' });
      const first = await onA.waitFor('ack');
      await onA.waitFor('message_delta');
      onB.send({ type: 'send_message', clientMessageId: 'second', text: 'And to which card does it go?' });
      const second = await onB.waitFor('ack');
      await onA.waitFor('message', (event) => event.message.replyToMessageId === second.messageId);
      // The second reply was asked for after the first was stored: its prompt holds the first answer.
      const chats = fake.requests.filter((request) => request.chat);
      expect(chats).toHaveLength(2);
      expect(JSON.stringify(chats[1]?.chat?.messages)).toContain(ANSWER);
      const { rows } = await database.db.query<{ reply_to_id: string }>(
        `SELECT reply_to_id FROM support_chat_messages WHERE session_id = $1 AND role = 'assistant' ORDER BY seq`,
        [session.sessionId],
      );
      expect(rows.map((row) => row.reply_to_id)).toEqual([first.messageId, second.messageId]);
      onA.close();
      onB.close();
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
  });
});
