import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIChatModel } from '../src/ai/providers/openai-chat-model.js';
import { CLOSE_SERVICE_RESTART } from '../src/ws/chat-socket.js';
import { ChatTestClient, resumeForReply } from './chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { createTestDatabase, openSession, startTestServer, testDrivers, type TestDatabase } from './test-server.js';

const API_KEY = 'sk-test-graceful-shutdown-000000';
const CHUNKS = ['The ', 'refund ', 'takes ', 'five ', 'to ', 'ten ', 'business ', 'days.'];

/**
 * A node that stops while a reply streams: its sockets are told to reconnect
 * elsewhere (1012), the reply finishes and is stored — or, when it outlasts
 * the grace period, is left to the next node, which writes it — and the
 * customer gets it from the next node on resume, exactly once.
 */
describe.each(testDrivers)('graceful shutdown on %s', (driver) => {
  let fake: FakeOpenAIServer;
  let database: TestDatabase;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: API_KEY });
    // A slow model: the reply is still streaming when the node is told to stop.
    fake.setDefault(() => ({ kind: 'text', chunks: CHUNKS, chunkDelayMs: 150 }));
    database = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await fake?.close();
    await database?.drop();
  });

  const model = () => createOpenAIChatModel({ provider: 'openai', apiKey: API_KEY, model: 'gpt-test', baseURL: fake.url, maxRetries: 0 });

  it('closes sockets with 1012, lets the running reply finish and be stored, and the next node replays it', async () => {
    const first = await startTestServer({ database, model: model() });
    const session = await openSession(first.url);
    const client = await ChatTestClient.connect(first.url, session.token);
    await client.waitFor('session_state');
    client.send({ type: 'send_message', clientMessageId: 'during-shutdown', text: 'How long does a refund take?' });
    const ack = await client.waitFor('ack');
    await client.waitFor('message_delta');

    const stopping = first.shutdown(10_000);
    expect(await client.waitForClose()).toBe(CLOSE_SERVICE_RESTART);
    expect(await stopping).toEqual({ finished: true });

    const { rows } = await database.db.query<{ text: string; outcome: string }>('SELECT text, outcome FROM support_chat_messages WHERE reply_to_id = $1', [ack.messageId]);
    expect(rows).toEqual([{ text: CHUNKS.join(''), outcome: 'answered' }]);

    const second = await startTestServer({ database, model: model() });
    try {
      expect((await resumeForReply(second.url, session.token, ack.messageId)).text).toBe(CHUNKS.join(''));
    } finally {
      await second.close();
    }
  });

  it('gives up waiting after the grace period when a reply runs longer, and another node takes the reply over', async () => {
    fake.script({ kind: 'text', chunks: CHUNKS, chunkDelayMs: 2000 });
    const node = await startTestServer({ database, model: model() });
    const session = await openSession(node.url);
    const client = await ChatTestClient.connect(node.url, session.token);
    await client.waitFor('session_state');
    client.send({ type: 'send_message', clientMessageId: 'too-slow', text: 'Tell me something slowly' });
    const ack = await client.waitFor('ack');
    // The reply is being written (the model was asked) when the node is told to stop.
    await client.waitFor('typing');
    expect(await node.shutdown(300)).toEqual({ finished: false });
    expect(await client.waitForClose()).toBe(CLOSE_SERVICE_RESTART);
    // What the node could not finish is left to the others at once: pending, and no lease holds it.
    const pending = await database.db.query('SELECT 1 FROM support_pending_replies WHERE message_id = $1', [ack.messageId]);
    expect(pending.rows).toHaveLength(1);
    const leases = await database.db.query('SELECT owner FROM support_reply_leases WHERE owner = $1', [node.worker.owner]);
    expect(leases.rows).toEqual([]);

    // The next node answers it; the customer, reconnected there, gets exactly one complete reply.
    const next = await startTestServer({ database, model: model() });
    try {
      expect((await resumeForReply(next.url, session.token, ack.messageId)).text).toBe(CHUNKS.join(''));
    } finally {
      await next.close();
    }
  });
});
