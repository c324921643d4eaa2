import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessSessionEventBus, isControlEvent, type SessionEventBus } from '../src/bus/session-event-bus.js';
import { MAX_QUEUED_FRAMES } from '../src/ws/chat-connection.js';
import type { Database, Queryable } from '../src/storage/database.js';
import { DatabaseQueryError } from '../src/storage/database-error.js';
import { CLOSE_TOKEN_REPLACED, CLOSE_TOO_MANY_REQUESTS, CLOSE_TRY_AGAIN_LATER } from '../src/ws/chat-socket.js';
import { connectionBudgets } from '../src/ws/frame-budgets.js';
import { MAX_FRAME_BYTES, MAX_PARSED_FRAME_BYTES } from '../src/ws/frame-parsing.js';
import { ChatTestClient } from './chat-client.js';
import { createTestDatabase, openSession, postSession, signCustomerToken, startTestServer, TEST_HOST_SECRET, testDrivers, type RunningTestServer, type TestDatabase } from './test-server.js';

/** The HTTP status of a websocket upgrade that the server refuses (101 if it accepts). */
function upgradeStatus(baseUrl: string, token: string): Promise<number> {
  return new Promise<number>((resolve) => {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/support/chat/ws?token=${token}`);
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('error', () => {});
  });
}

/**
 * Bounded work per client, over the real websocket: oversized and NUL-carrying
 * frames are bad input that keeps the connection usable; every frame type has
 * a budget; a client that ignores refusals is disconnected; sockets per
 * session are capped; a repeated escalation is not re-broadcast; a token
 * rotation evicts sockets opened with the old token.
 */
describe.each(testDrivers)('client limits on %s', (driver) => {
  let server: RunningTestServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ driver, logLines });
  });
  afterAll(async () => {
    await server?.close();
  });

  const errorLogLines = () => logLines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
  const storedCount = async (sessionId: string) =>
    (await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM support_chat_messages WHERE session_id = $1', [sessionId])).rows[0]?.n;

  it('answers frames up to 1 MiB with too_long and keeps the connection usable, logging no error', async () => {
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    const before = errorLogLines().length;
    for (const size of [MAX_PARSED_FRAME_BYTES + 1, 200 * 1024, MAX_FRAME_BYTES]) {
      const head = JSON.stringify({ type: 'send_message', clientMessageId: `big-${size}`, text: '' }).slice(0, -2);
      const frame = `${head}${'x'.repeat(size - head.length - 2)}"}`;
      expect(Buffer.byteLength(frame)).toBe(size);
      const from = client.events.length;
      client.sendRaw(frame);
      const error = await client.waitFor('error', () => true, { from });
      expect(error).toMatchObject({ code: 'too_long', clientMessageId: `big-${size}` });
    }
    const { reply } = await client.ask('How long does a refund take?');
    expect(reply.role).toBe('assistant');
    expect(client.closeCode).toBeNull();
    expect(errorLogLines().length).toBe(before);
    expect(await storedCount(session.sessionId)).toBe(2);
    client.close();
  });

  it('refuses NUL (U+0000) in every string field with invalid_message, stores nothing and logs no driver error', async () => {
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    const before = errorLogLines().length;
    const frames = [
      { type: 'send_message', clientMessageId: 'nul-1', text: 'my card 4111111111111111\u0000 please' },
      { type: 'send_message', clientMessageId: 'nul\u00002', text: 'hello' },
      { type: 'escalate', reason: 'help\u0000' },
      { type: 'feedback', messageId: 'msg_\u0000', rating: 'up' },
      { type: 'resume', afterMessageId: 'msg\u0000' },
      { type: 'confirm_action', actionId: 'act\u0000' },
    ];
    for (const frame of frames) {
      const from = client.events.length;
      client.send(frame);
      const error = await client.waitFor('error', () => true, { from });
      expect(error.code, JSON.stringify(frame)).toBe('invalid_message');
      expect(error.message).toContain('U+0000');
    }
    expect(await storedCount(session.sessionId)).toBe(0);
    const { reply } = await client.ask('hello');
    expect(reply.role).toBe('assistant');
    expect(errorLogLines().length).toBe(before);
    expect(logLines.some((line) => line.includes('4111111111111111'))).toBe(false);
    client.close();
  });

  it('refuses a host token whose claims carry NUL with 401 invalid_customer_token, not a server error', async () => {
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({ name: 'Eve' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('cus_\u0000alice')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(TEST_HOST_SECRET));
    const response = await postSession(server.url, { customerToken: token });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'invalid_customer_token' } });
  });

  it('refuses NUL in REST bodies with 400 invalid_request', async () => {
    for (const body of [{ resumeSessionId: 'ses_\u0000' }, { customerToken: 'a\u0000b' }, { locale: 'en\u0000' }]) {
      const response = await postSession(server.url, body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'invalid_request' } });
    }
  });

  it('gives each frame type a budget: a flood of resume frames is refused, then the client is disconnected', async () => {
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    await client.ask('hello');
    const from = client.events.length;
    const flood = 200;
    for (let index = 0; index < flood; index += 1) client.send({ type: 'resume' });
    const code = await client.waitForClose(20_000);
    expect(code).toBe(CLOSE_TOO_MANY_REQUESTS);
    const after = client.events.slice(from);
    const replayed = after.filter((event) => event.type === 'message').length;
    // At most the burst of resumes ran (each replays the 2 stored messages); the rest were refused or never read.
    expect(replayed).toBeLessThanOrEqual(connectionBudgets.resume.burst * 2);
    expect(after.some((event) => event.type === 'error' && (event.code === 'rate_limited' || event.code === 'resume_in_progress'))).toBe(true);
    // The same token may not come straight back...
    expect(await upgradeStatus(server.url, session.token)).toBe(429);
    // ...but the session itself is fine: a refreshed token connects.
    const refreshed = await fetch(`${server.url}/support/chat/session/${session.sessionId}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
    const { token } = (await refreshed.json()) as { token: string };
    const again = await ChatTestClient.connect(server.url, token);
    expect((await again.ask('How long does a refund take?')).reply.role).toBe('assistant');
    again.close();
  });

  it('answers every send_message of a burst with exactly one ack or one error', async () => {
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    // More than the queue holds at once: the socket stops being read, and every frame is still answered.
    const ids = Array.from({ length: 60 }, (_, index) => `burst-${index}`);
    for (const id of ids) client.send({ type: 'send_message', clientMessageId: id, text: 'hello' });
    const answered = (events: typeof client.events, id: string) => events.some((event) => (event.type === 'ack' || event.type === 'error') && event.clientMessageId === id);
    await client.waitUntil((events) => ids.every((id) => answered(events, id)), 30_000);
    // ...and none answered twice (a quiet spell after the last answer).
    await client.settle(300);
    for (const id of ids) {
      const answers = client.events.filter((event) => (event.type === 'ack' || event.type === 'error') && event.clientMessageId === id);
      expect(answers.length, id).toBe(1);
    }
    // Frames ws had already read when the queue filled are refused (rate_limited, with their id), not queued without bound.
    const acked = client.events.filter((event) => event.type === 'ack').length;
    const refused = client.events.filter((event) => event.type === 'error' && event.code === 'rate_limited').length;
    expect(acked + refused).toBe(ids.length);
    expect(acked).toBeGreaterThanOrEqual(MAX_QUEUED_FRAMES);
    const stored = await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM support_chat_messages WHERE session_id = $1 AND role = 'user'`, [session.sessionId]);
    expect(stored.rows[0]?.n).toBe(acked);
    client.close();
  });

  it('caps the sockets of one session', async () => {
    const session = await openSession(server.url);
    const clients: ChatTestClient[] = [];
    for (let index = 0; index < server.config.websocket.maxConnectionsPerSession; index += 1) {
      const client = await ChatTestClient.connect(server.url, session.token);
      await client.waitFor('session_state');
      clients.push(client);
    }
    const extra = await ChatTestClient.connect(server.url, session.token);
    expect(await extra.waitFor('error')).toMatchObject({ code: 'too_many_connections' });
    expect(await extra.waitForClose()).toBe(CLOSE_TOO_MANY_REQUESTS);
    // Closing one makes room again (once the server has seen the close).
    const leaving = clients.pop();
    leaving?.close();
    await leaving?.waitForClose();
    const admittedOrRefused = async () => {
      const client = await ChatTestClient.connect(server.url, session.token);
      await client.waitUntil((events) => events.some((event) => event.type === 'session_state' || (event.type === 'error' && event.code === 'too_many_connections')));
      return { client, admitted: client.events.some((event) => event.type === 'session_state') };
    };
    let attempt = await admittedOrRefused();
    for (let tries = 0; !attempt.admitted && tries < 50; tries += 1) attempt = await admittedOrRefused();
    expect(attempt.admitted).toBe(true);
    const replacement = attempt.client;
    for (const client of [...clients, replacement]) client.close();
  });

  it('does not re-broadcast a repeated escalate: other sockets see one escalated, the sender is answered each time', async () => {
    const session = await openSession(server.url);
    const sender = await ChatTestClient.connect(server.url, session.token);
    const watcher = await ChatTestClient.connect(server.url, session.token);
    await sender.waitFor('session_state');
    await watcher.waitFor('session_state');
    sender.send({ type: 'escalate', reason: 'help' });
    const first = await sender.waitFor('escalated');
    // Within the escalate budget (connectionBudgets.escalate.burst = 3 at once).
    for (let index = 0; index < 2; index += 1) sender.send({ type: 'escalate', reason: 'help' });
    await sender.settle(300);
    await watcher.settle(100);
    expect(sender.events.filter((event) => event.type === 'escalated').length).toBe(3);
    expect(sender.events.filter((event) => event.type === 'escalated').every((event) => event.type === 'escalated' && event.ticketId === first.ticketId)).toBe(true);
    expect(watcher.events.filter((event) => event.type === 'escalated').length).toBe(1);
    const tickets = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM support_tickets WHERE session_id = $1', [session.sessionId]);
    expect(tickets.rows[0]?.n).toBe(1);
    sender.close();
    watcher.close();
  });

  it('closes sockets opened with a token that a refresh replaced (4409); the new token connects', async () => {
    const session = await openSession(server.url);
    const stolen = await ChatTestClient.connect(server.url, session.token);
    await stolen.waitFor('session_state');
    const refreshed = await fetch(`${server.url}/support/chat/session/${session.sessionId}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
    expect(refreshed.status).toBe(200);
    const { token } = (await refreshed.json()) as { token: string };
    expect(await stolen.waitForClose()).toBe(CLOSE_TOKEN_REPLACED);
    const owner = await ChatTestClient.connect(server.url, token);
    expect((await owner.ask('How long does a refund take?')).reply.role).toBe('assistant');
    owner.close();
  });

  it('closes the old sockets when a signed-in customer resumes the session with a new token', async () => {
    const customerToken = await signCustomerToken(server, 'cus_alice');
    const session = await openSession(server.url, { customerToken });
    const old = await ChatTestClient.connect(server.url, session.token);
    await old.waitFor('session_state');
    const resumed = await openSession(server.url, { customerToken, resumeSessionId: session.sessionId });
    expect(resumed.sessionId).toBe(session.sessionId);
    expect(await old.waitForClose()).toBe(CLOSE_TOKEN_REPLACED);
    const fresh = await ChatTestClient.connect(server.url, resumed.token);
    await fresh.waitFor('session_state');
    fresh.close();
  });

  it('pages a long resume to a client that reads slowly, and delivers every message once, in order', async () => {
    const session = await openSession(server.url);
    const total = 400;
    await server.db.query(
      `INSERT INTO support_chat_messages (id, session_id, role, text)
       SELECT 'msg_bulk_' || lpad(g::text, 4, '0'), $1, CASE WHEN g % 2 = 0 THEN 'user' ELSE 'assistant' END, repeat('y', 3000) || g
         FROM generate_series(1, $2::int) AS g`,
      [session.sessionId, total],
    );
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    // Stop reading for a while: the server must wait for the client instead of buffering everything.
    client.socket.pause();
    client.send({ type: 'resume' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    client.socket.resume();
    const last = await client.waitFor('message', (event) => event.message.text.endsWith(String(total)), { timeoutMs: 30_000 });
    expect(last.message.id).toBe(`msg_bulk_${String(total).padStart(4, '0')}`);
    const ids = client.events.flatMap((event) => (event.type === 'message' ? [event.message.id] : []));
    expect(ids.length).toBe(total);
    expect(new Set(ids).size).toBe(total);
    expect(ids).toEqual([...ids].sort());
    client.close();
  });
});

describe('a token rotation whose eviction broadcast is lost', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    // Pub/sub is at most once: this bus drops every control event, as a Redis reconnect might.
    const inner = new InProcessSessionEventBus();
    const lossy: SessionEventBus = {
      publish: (sessionId, event) => (isControlEvent(event) ? undefined : inner.publish(sessionId, event)),
      subscribe: (sessionId, listener) => inner.subscribe(sessionId, listener),
      ready: () => inner.ready(),
    };
    server = await startTestServer({ bus: lossy });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('still closes the old token\'s socket (4409) on its next frame, without handling the frame', async () => {
    const session = await openSession(server.url);
    const stolen = await ChatTestClient.connect(server.url, session.token);
    await stolen.waitFor('session_state');
    const refreshed = await fetch(`${server.url}/support/chat/session/${session.sessionId}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
    expect(refreshed.status).toBe(200);
    stolen.send({ type: 'send_message', clientMessageId: 'after-rotation', text: 'hello' });
    expect(await stolen.waitForClose()).toBe(CLOSE_TOKEN_REPLACED);
    expect(stolen.events.some((event) => event.type === 'ack')).toBe(false);
    const stored = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM support_chat_messages WHERE session_id = $1', [session.sessionId]);
    expect(stored.rows[0]?.n).toBe(0);
  });

  it('closes it too when its next frame is not a message (those are checked without a write, between the token\'s slides)', async () => {
    const session = await openSession(server.url);
    const stolen = await ChatTestClient.connect(server.url, session.token);
    await stolen.waitFor('session_state');
    const refreshed = await fetch(`${server.url}/support/chat/session/${session.sessionId}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
    expect(refreshed.status).toBe(200);
    stolen.send({ type: 'feedback', messageId: 'msg_none', rating: 'up' });
    expect(await stolen.waitForClose()).toBe(CLOSE_TOKEN_REPLACED);
    expect(stolen.events.some((event) => event.type === 'error' || event.type === 'feedback_recorded')).toBe(false);
  });
});

describe('a database that fails while a socket connects', () => {
  let server: RunningTestServer;
  let database: TestDatabase;
  let failing: RegExp | null = null;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    // While `failing` matches, those queries fail as the driver reports a lost connection (a database outage).
    // Inside transactions too: a message and the record that it awaits a reply are stored in one.
    const failingWhenAsked = (queryable: Queryable): Queryable['query'] => (sql, params) =>
      failing && failing.test(sql)
        ? Promise.reject(new DatabaseQueryError(new Error('Connection terminated unexpectedly'), sql, params ?? []))
        : queryable.query(sql, params);
    const db: Database = {
      ...database.db,
      query: failingWhenAsked(database.db),
      transaction: (work) => database.db.transaction((tx) => work({ query: failingWhenAsked(tx) })),
    } as Database;
    server = await startTestServer({ database: { db, drop: database.drop } });
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('closes with 1013 and a retryable error, not 4401: the same token connects once the database is back', async () => {
    const session = await openSession(server.url);
    failing = /FROM support_chat_sessions WHERE token_hash/;
    const refused = await ChatTestClient.connect(server.url, session.token);
    expect(await refused.waitFor('error')).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await refused.waitForClose()).toBe(CLOSE_TRY_AGAIN_LATER);
    failing = null;
    const back = await ChatTestClient.connect(server.url, session.token);
    await back.waitFor('session_state');
    back.close();
  });

  it('answers a message it could not store with a retryable unavailable (its clientMessageId), and takes the retry', async () => {
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    failing = /INSERT INTO support_chat_messages/;
    client.send({ type: 'send_message', clientMessageId: 'during-outage', text: 'How long does a refund take?' });
    expect(await client.waitFor('error')).toMatchObject({ code: 'unavailable', retryable: true, clientMessageId: 'during-outage' });
    failing = null;
    const { ack, reply } = await client.ask('How long does a refund take?', 'during-outage');
    expect(reply.replyToMessageId).toBe(ack.messageId);
    client.close();
  });

  it('answers REST calls during the outage with 503 unavailable, retryable', async () => {
    failing = /INSERT INTO support_chat_sessions/;
    const response = await postSession(server.url);
    failing = null;
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ error: { code: 'unavailable', retryable: true } });
  });
});

describe('a connection sending messages faster than its session may', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { RATE_LIMIT_MESSAGES_PER_MINUTE: '10' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('gets rate_limited for each message over the budget (with its clientMessageId), and nothing of those is stored', async () => {
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    const ids = Array.from({ length: 25 }, (_, index) => `fast-${index}`);
    for (const id of ids) client.send({ type: 'send_message', clientMessageId: id, text: 'hello' });
    await client.waitUntil((events) => ids.every((id) => events.some((event) => (event.type === 'ack' || event.type === 'error') && event.clientMessageId === id)), 30_000);
    const acked = ids.filter((id) => client.events.some((event) => event.type === 'ack' && event.clientMessageId === id));
    const refused = ids.filter((id) => client.events.some((event) => event.type === 'error' && event.code === 'rate_limited' && event.clientMessageId === id));
    expect(acked).toEqual(ids.slice(0, 10));
    expect(refused).toEqual(ids.slice(10));
    const stored = await server.db.query<{ client_message_id: string }>(`SELECT client_message_id FROM support_chat_messages WHERE session_id = $1 AND role = 'user'`, [session.sessionId]);
    expect(stored.rows.map((row) => row.client_message_id).sort()).toEqual([...acked].sort());
    client.close();
  });

  it('is disconnected with 4429 when it keeps sending after the refusals', async () => {
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    for (let index = 0; index < 200; index += 1) client.send({ type: 'send_message', clientMessageId: `spam-${index}`, text: 'hello' });
    expect(await client.waitForClose(20_000)).toBe(CLOSE_TOO_MANY_REQUESTS);
  });
});

describe('sockets per client address', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { WS_MAX_CONNECTIONS_PER_IP: '6' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses the upgrade with 429 once an address holds its maximum', async () => {
    const clients: ChatTestClient[] = [];
    for (let index = 0; index < 6; index += 1) {
      const session = await openSession(server.url);
      clients.push(await ChatTestClient.connect(server.url, session.token));
    }
    const session = await openSession(server.url);
    expect(await upgradeStatus(server.url, session.token)).toBe(429);
    for (const client of clients) client.close();
  });
});
