import type { ServerEvent } from '@support/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapError } from '../src/http/error-mapping.js';
import { CLOSE_TRY_AGAIN_LATER, CLOSE_UNAUTHORIZED } from '../src/ws/chat-socket.js';
import { migrate } from '../src/storage/migrate.js';
import { openPostgresDatabase } from '../src/storage/postgres-database.js';
import type { Database } from '../src/storage/database.js';
import { ChatTestClient } from './chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { POSTGRES_BIN, startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.js';
import { openSession, postSession, startTestServer, type RunningTestServer } from './test-server.js';

const CHUNKS = ['Refunds ', 'reach ', 'your ', 'card ', 'within ', 'ten ', 'days.'];
const ANSWER = CHUNKS.join('');
const CUSTOMERS = 6;
const MESSAGES_EACH = 8;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Customer {
  token: string;
  acknowledged: string[];
  closeCodes: number[];
  /** Sends that got a retryable error or no ack before the socket closed: the outage was felt. */
  retries: number;
}

/**
 * A client as the contract asks: a socket closed with 1013 (or cut) is opened
 * again after a pause with the same token; a message without an ack, or with
 * a retryable error, is sent again with the same clientMessageId. 4401 would
 * mean "throw the session away": the test records every close code.
 */
async function chatThroughOutage(url: string, customer: Customer, index: number): Promise<void> {
  let client: ChatTestClient | undefined;
  for (let message = 0; message < MESSAGES_EACH; message += 1) {
    const clientMessageId = `c${index}-m${message}`;
    for (;;) {
      if (!client || client.closeCode !== null) {
        client = await ChatTestClient.connect(url, customer.token).catch(() => undefined);
        if (!client) {
          await pause(200);
          continue;
        }
        const opened = await Promise.race([client.waitFor('session_state', undefined, { timeoutMs: 20_000 }).then(() => true), client.waitForClose(20_000).then(() => false)]);
        if (!opened) {
          customer.closeCodes.push(client.closeCode ?? 0);
          await pause(200);
          continue;
        }
      }
      const from = client.events.length;
      client.send({ type: 'send_message', clientMessageId, text: `How long does a refund take? (${clientMessageId})` });
      const outcome = await Promise.race([
        client.waitFor('ack', (event) => event.clientMessageId === clientMessageId, { from, timeoutMs: 20_000 }).then((ack) => ack.messageId),
        client.waitFor('error', (event) => event.clientMessageId === clientMessageId, { from, timeoutMs: 20_000 }).then((error) => {
          if (!error.retryable) throw new Error(`message ${clientMessageId} refused for good: ${error.code}`);
          return null;
        }),
        client.waitForClose(20_000).then(() => null),
      ]);
      if (client.closeCode !== null) customer.closeCodes.push(client.closeCode);
      if (outcome) {
        customer.acknowledged.push(outcome);
        break;
      }
      customer.retries += 1;
      await pause(200);
    }
    await pause(150);
  }
  client?.close();
}

async function expectEachRepliedOnResume(url: string, customer: Customer): Promise<void> {
  const client = await ChatTestClient.connect(url, customer.token);
  try {
    await client.waitFor('session_state');
    client.send({ type: 'resume' });
    const replyIds = (events: ServerEvent[], messageId: string) =>
      new Set(events.flatMap((event) => (event.type === 'message' && event.message.replyToMessageId === messageId ? [event.message.id] : [])));
    await client.waitUntil((events) => customer.acknowledged.every((messageId) => replyIds(events, messageId).size > 0), 60_000);
    await client.settle(300);
    expect(customer.acknowledged.filter((messageId) => replyIds(client.events, messageId).size !== 1)).toEqual([]);
  } finally {
    client.close();
  }
}

/**
 * PostgreSQL is restarted under traffic (fast shutdown: every connection is
 * cut; a few seconds away): no acknowledged message is lost or left
 * unanswered, each gets exactly one reply, and what connects meanwhile is told
 * to try again (1013 on the socket, 503 `unavailable` on REST), never that its
 * token is bad.
 */
describe.runIf(POSTGRES_BIN)('a PostgreSQL restart under traffic', () => {
  let fake: FakeOpenAIServer;
  let postgres: PrivatePostgres;
  let db: Database;
  let server: RunningTestServer;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
    // About half a second a reply: the restart lands on replies being written.
    fake.setDefault(() => ({ kind: 'text', chunks: CHUNKS, chunkDelayMs: 70 }));
    postgres = await startPrivatePostgres();
    db = await openPostgresDatabase(postgres.url, { maxConnections: 10 });
    await migrate(db);
    server = await startTestServer({
      database: { db, drop: async () => {} },
      modelFromConfig: true,
      env: { AI_PROVIDER: 'openai-compatible', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'fake', AI_MAX_RETRIES: '0', REPLY_LEASE_MS: '1500' },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await db?.close();
    await postgres?.destroy();
    await fake?.close();
  });

  it('loses and leaves unanswered no acknowledged message; what connects meanwhile is told to retry', async () => {
    const customers: Customer[] = [];
    for (let index = 0; index < CUSTOMERS; index += 1) customers.push({ token: (await openSession(server.url)).token, acknowledged: [], closeCodes: [], retries: 0 });
    const traffic = Promise.all(customers.map((customer, index) => chatThroughOutage(server.url, customer, index)));

    // A third of the way into the traffic, the database goes away for a few seconds.
    await expect.poll(() => customers.reduce((sum, customer) => sum + customer.acknowledged.length, 0), { timeout: 30_000 }).toBeGreaterThanOrEqual((CUSTOMERS * MESSAGES_EACH) / 3);
    await postgres.stop();
    // A transaction cannot even get a connection now: that, too, is a retryable unavailable, not internal_error.
    const failed = await db.transaction((tx) => tx.query('SELECT 1')).catch((error: unknown) => error);
    expect(mapError(failed).body.error).toMatchObject({ code: 'unavailable', retryable: true });
    const during = await postSession(server.url);
    expect(during).toMatchObject({ status: 503, body: { error: { code: 'unavailable', retryable: true } } });
    const meanwhile = await ChatTestClient.connect(server.url, customers[0]?.token ?? '');
    expect(await meanwhile.waitFor('error')).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await meanwhile.waitForClose()).toBe(CLOSE_TRY_AGAIN_LATER);
    await pause(2000);
    await postgres.start();
    await traffic;

    const acknowledged = customers.flatMap((customer) => customer.acknowledged);
    expect(new Set(acknowledged).size).toBe(CUSTOMERS * MESSAGES_EACH);
    expect(customers.reduce((sum, customer) => sum + customer.retries, 0)).toBeGreaterThan(0);
    expect(customers.flatMap((customer) => customer.closeCodes)).not.toContain(CLOSE_UNAUTHORIZED);
    // Each customer reconnects once more and resumes: every acknowledged message has its one reply.
    await Promise.all(customers.map((customer) => expectEachRepliedOnResume(server.url, customer)));
    // Stored: each message once, each with exactly one reply (the apology for a reply cut three times is one too).
    const { rows } = await db.query<{ id: string; replies: number; answered: number }>(
      `SELECT m.id, count(r.id)::int AS replies, count(r.id) FILTER (WHERE r.text = $2)::int AS answered
         FROM support_chat_messages m LEFT JOIN support_chat_messages r ON r.reply_to_id = m.id
        WHERE m.id = ANY($1) GROUP BY m.id`,
      [acknowledged, ANSWER],
    );
    expect(rows.length).toBe(acknowledged.length);
    expect(rows.filter((row) => row.replies !== 1)).toEqual([]);
    // Nearly all are the model's answer: only a reply that failed three starts may be the apology.
    expect(rows.filter((row) => row.answered === 1).length).toBeGreaterThanOrEqual(acknowledged.length - CUSTOMERS);
    expect((await db.query('SELECT 1 FROM support_pending_replies')).rows).toEqual([]);
  }, 240_000);
});
