import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/open-database.js';
import type { Database } from '../src/storage/database.js';
import { ChatTestClient, resumeForReply } from './chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { killService, START_TIMEOUT_MS, serviceUrl, startService, stopService, type ServiceProcess } from './support/service-process.js';
import { createTestDatabase, openSession, type TestDatabase } from './test-server.js';

const CHUNKS = ['Refunds ', 'reach ', 'your ', 'card ', 'in ', 'five ', 'to ', 'ten ', 'business ', 'days.'];
const ANSWER = CHUNKS.join('');
const CUSTOMERS = 4;

/** What every node of these tests shares: a slow hosted model, short leases, no limits in the way. */
function nodeEnv(fake: FakeOpenAIServer, extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    AI_PROVIDER: 'openai-compatible',
    OPENAI_BASE_URL: fake.url,
    OPENAI_MODEL: 'fake',
    AI_MAX_RETRIES: '0',
    REPLY_LEASE_MS: '1500',
    RATE_LIMIT_MESSAGES_PER_MINUTE: '1000',
    ...extra,
  };
}

interface InFlight {
  token: string;
  messageId: string;
}

/** Customers each send a message on `url` and wait until its reply is streaming: the crash lands mid-reply. */
async function messagesInFlight(url: string): Promise<{ inFlight: InFlight[]; clients: ChatTestClient[] }> {
  const clients: ChatTestClient[] = [];
  const inFlight: InFlight[] = [];
  for (let index = 0; index < CUSTOMERS; index += 1) {
    const session = await openSession(url);
    const client = await ChatTestClient.connect(url, session.token);
    await client.waitFor('session_state');
    client.send({ type: 'send_message', clientMessageId: `crash-${index}`, text: 'How long does a refund take?' });
    const ack = await client.waitFor('ack');
    clients.push(client);
    inFlight.push({ token: session.token, messageId: ack.messageId });
  }
  for (const client of clients) await client.waitFor('message_delta', undefined, { timeoutMs: 30_000 });
  return { inFlight, clients };
}

/** As the contract says after a close: reconnect (here, to `url`) and resume; each message gets one complete reply. */
async function expectEachAnsweredOnResume(url: string, inFlight: InFlight[]): Promise<void> {
  for (const { token, messageId } of inFlight) {
    expect(await resumeForReply(url, token, messageId)).toMatchObject({ role: 'assistant', text: ANSWER });
  }
}

/** One stored reply per message, complete, and nothing left awaiting one. */
async function expectStoredOnce(db: Database, inFlight: InFlight[]): Promise<void> {
  const ids = inFlight.map((entry) => entry.messageId).sort();
  const { rows } = await db.query<{ reply_to_id: string; text: string }>('SELECT reply_to_id, text FROM support_chat_messages WHERE reply_to_id = ANY($1) ORDER BY reply_to_id', [ids]);
  expect(rows).toEqual(ids.map((id) => ({ reply_to_id: id, text: ANSWER })));
  expect((await db.query('SELECT 1 FROM support_pending_replies WHERE message_id = ANY($1)', [ids])).rows).toEqual([]);
}

/**
 * kill -9 mid-reply: the replies that lived only in the dead process are
 * written again, once, by whoever takes the sessions over — the other node in
 * server mode, the restarted process in embedded mode.
 */
describe('a node killed mid-reply', () => {
  let fake: FakeOpenAIServer;
  let workDir: string;
  const started: ServiceProcess[] = [];
  const start = (env: Record<string, string>) => {
    const service = startService(env, workDir);
    started.push(service);
    return service;
  };

  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
    // About 1.5 s per reply, as a hosted model streams: the kill lands while replies are being written.
    fake.setDefault(() => ({ kind: 'text', chunks: CHUNKS, chunkDelayMs: 150 }));
    workDir = mkdtempSync(join(tmpdir(), 'support-crash-'));
  });
  afterAll(async () => {
    await Promise.all(started.map((service) => killService(service)));
    await fake?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  describe.runIf(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL)('server mode: two nodes on PostgreSQL and Redis', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase('postgres');
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('the other node answers every acknowledged message exactly once, and the client gets it after reconnecting there', async () => {
      const env = nodeEnv(fake, {
        DATABASE_URL: database.url ?? '',
        REDIS_URL: process.env.TEST_REDIS_URL ?? '',
        // Of this test alone: no other run's node takes these jobs, nor this one theirs.
        REDIS_KEY_PREFIX: `crash-${randomBytes(4).toString('hex')}`,
      });
      const nodeA = start(env);
      const urlA = await serviceUrl(nodeA);
      const nodeB = start(env);
      const urlB = await serviceUrl(nodeB);

      const { inFlight, clients } = await messagesInFlight(urlA);
      await killService(nodeA);
      for (const client of clients) await client.waitForClose(10_000);

      await expectEachAnsweredOnResume(urlB, inFlight);
      await expectStoredOnce(database.db, inFlight);
      expect(await stopService(nodeB)).toBe(0);
    }, START_TIMEOUT_MS * 2);
  });

  it('embedded mode: the process restarted on its data answers every acknowledged message exactly once', async () => {
    const dataDir = join(workDir, 'embedded-data');
    const env = nodeEnv(fake, { DATA_DIR: dataDir });
    const first = start(env);
    const { inFlight, clients } = await messagesInFlight(await serviceUrl(first));
    await killService(first);
    for (const client of clients) await client.waitForClose(10_000);

    const restarted = start(env);
    await expectEachAnsweredOnResume(await serviceUrl(restarted), inFlight);
    // PGlite's data directory belongs to one process at a time: read it once the service has stopped.
    expect(await stopService(restarted)).toBe(0);
    const db = await openDatabase({ databaseUrl: undefined, dataDir });
    try {
      await expectStoredOnce(db, inFlight);
    } finally {
      await db.close();
    }
  }, START_TIMEOUT_MS * 2);
});
