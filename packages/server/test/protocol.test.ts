import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageHistoryResponseSchema, refreshSessionResponseSchema, type Message } from '@support/protocol';
import { SignJWT } from 'jose';
import { agentLogin, AgentTestClient, MAYA } from './agent-client.js';
import { ChatTestClient } from './chat-client.js';
import { openSession, postSession, signCustomerToken, startTestServer, TEST_HOST_SECRET, testDrivers, type RunningTestServer } from './test-server.js';
import { PROTOCOL_QUESTIONS } from './unseen-sentences.js';

/**
 * The wire contract (shared/PROTOCOL.md) exercised over real HTTP and a real
 * websocket against a started server, on each storage driver.
 */
describe.each(testDrivers)('chat protocol on %s', (driver) => {
  let server: RunningTestServer;

  beforeAll(async () => {
    server = await startTestServer({ driver });
  });
  afterAll(async () => {
    await server?.close();
  });

  const countRows = async (sql: string, params: string[] = []) => {
    const { rows } = await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) AS counted`, params);
    return rows[0]?.n ?? -1;
  };

  describe('REST', () => {
    it('answers /healthz and /readyz with the driver in use', async () => {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', driver, checks: { database: 'ok' } });
    });

    it('creates a guest session and a customer session from a host-signed token', async () => {
      const guest = await openSession(server.url);
      expect(guest.sessionId).toMatch(/^ses_/);
      expect(guest.wsUrl).toBe('/support/chat/ws');
      expect(new Date(guest.expiresAt).getTime()).toBeGreaterThan(Date.now());
      expect(guest.customer).toBeNull();

      const customer = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_alice'), locale: 'en-GB' });
      expect(customer.customer).toEqual({ id: 'cus_alice', name: null });
      expect(customer.token).not.toBe(guest.token);
    });

    it('accepts a token the host signs on its own with HOST_JWT_SECRET, exactly like the demo site\'s', async () => {
      // What a reader of the README does: sign with any JWT library, no code of ours involved.
      const hostSigned = await new SignJWT({ name: 'Alice Martin', email: 'alice.martin@example.com' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('cus_alice')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(TEST_HOST_SECRET));
      const session = await openSession(server.url, { customerToken: hostSigned });
      expect(session.customer).toEqual({ id: 'cus_alice', name: 'Alice Martin' });
      const client = await ChatTestClient.connect(server.url, session.token);
      const { reply } = await client.ask(PROTOCOL_QUESTIONS.bookingStatus);
      expect(reply.text).toContain('SKY4F2');
      expect(reply.text).toMatch(/confirmed/);
      client.close();

      const wrongSecret = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('cus_alice').setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(40)));
      expect((await postSession(server.url, { customerToken: wrongSecret })).status).toBe(401);
    });

    it('refuses bad customer tokens and malformed bodies with the error shape of the contract', async () => {
      const forged = await postSession(server.url, { customerToken: (await signCustomerToken(server, 'cus_alice')).slice(0, -4) + 'AAAA' });
      expect(forged.status).toBe(401);
      expect(forged.body).toMatchObject({ error: { code: 'invalid_customer_token' } });

      const expired = await postSession(server.url, { customerToken: await server.customerTokens.sign({ sub: 'cus_alice' }, -120) });
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ error: { code: 'customer_token_expired' } });

      for (const bad of ['{not json', JSON.stringify({ customerToken: 42 }), JSON.stringify({ surprise: true }), JSON.stringify({ locale: 'english please' })]) {
        const response = await postSession(server.url, bad);
        expect(response.status, bad).toBe(400);
        expect(response.body, bad).toMatchObject({ error: { code: 'invalid_request', message: expect.any(String) } });
        expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts|node_modules/);
      }
    });

    it('serves history only to the token of that session', async () => {
      const mine = await openSession(server.url);
      const theirs = await openSession(server.url);
      const client = await ChatTestClient.connect(server.url, mine.token);
      await client.ask(PROTOCOL_QUESTIONS.greeting);
      client.close();

      const own = await fetch(`${server.url}/support/chat/session/${mine.sessionId}/messages`, { headers: { authorization: `Bearer ${mine.token}` } });
      expect(own.status).toBe(200);
      const history = messageHistoryResponseSchema.parse(await own.json());
      expect(history.messages.map((message) => message.role)).toEqual(['user', 'assistant']);

      const other = await fetch(`${server.url}/support/chat/session/${mine.sessionId}/messages`, { headers: { authorization: `Bearer ${theirs.token}` } });
      expect([403, 404]).toContain(other.status);
      expect(JSON.stringify(await other.json())).not.toContain(PROTOCOL_QUESTIONS.greeting);

      const anonymous = await fetch(`${server.url}/support/chat/session/${mine.sessionId}/messages`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthorized' } });
    });

    it('rotates the token on refresh: the new one works, the old one stops', async () => {
      const session = await openSession(server.url);
      const refreshed = await fetch(`${server.url}/support/chat/session/${session.sessionId}/refresh`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.token}` },
      });
      expect(refreshed.status).toBe(200);
      const next = refreshSessionResponseSchema.parse(await refreshed.json());
      expect(next.token).not.toBe(session.token);

      const withOld = await fetch(`${server.url}/support/chat/session/${session.sessionId}/messages`, { headers: { authorization: `Bearer ${session.token}` } });
      expect(withOld.status).toBe(401);
      const withNew = await fetch(`${server.url}/support/chat/session/${session.sessionId}/messages`, { headers: { authorization: `Bearer ${next.token}` } });
      expect(withNew.status).toBe(200);

      const replay = await fetch(`${server.url}/support/chat/session/${session.sessionId}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
      expect(replay.status).toBe(401);
    });

    it('resumes an earlier session only for the same customer', async () => {
      const aliceToken = await signCustomerToken(server, 'cus_alice');
      const first = await openSession(server.url, { customerToken: aliceToken });
      const resumed = await openSession(server.url, { customerToken: aliceToken, resumeSessionId: first.sessionId });
      expect(resumed.sessionId).toBe(first.sessionId);

      const byKenji = await postSession(server.url, { customerToken: await signCustomerToken(server, 'cus_kenji'), resumeSessionId: first.sessionId });
      expect(byKenji.status).toBe(404);
      const byGuest = await postSession(server.url, { resumeSessionId: first.sessionId });
      expect(byGuest.status).toBe(404);
    });

    it('answers unknown endpoints with a JSON not_found', async () => {
      const response = await fetch(`${server.url}/support/nope`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    });
  });

  describe('websocket', () => {
    it('acks, streams deltas and ends with one message whose text the deltas add up to', async () => {
      const session = await openSession(server.url);
      const client = await ChatTestClient.connect(server.url, session.token);
      await client.waitFor('session_state');
      const { ack, reply, from } = await client.ask(PROTOCOL_QUESTIONS.cancellationFee);

      expect(ack.messageId).toMatch(/^msg_/);
      expect(reply.role).toBe('assistant');
      const deltas = client.events.slice(from).filter((event) => event.type === 'message_delta' && event.messageId === reply.id);
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.map((event) => (event.type === 'message_delta' ? event.delta : '')).join('')).toBe(reply.text);
      expect(client.events.slice(from).filter((event) => event.type === 'ack')).toHaveLength(1);
      expect(client.events.slice(from).filter((event) => event.type === 'message' && event.message.id === reply.id)).toHaveLength(1);

      // Grounded in the fee article and cited.
      expect(reply.text).toMatch(/€75/);
      expect(reply.citations.map((citation) => citation.articleId)).toContain('flight-cancellation-fees-by-fare');
      expect(reply.citations[0]?.url).toMatch(/^https:\/\/help\.skyway\.example\//);
      expect(reply.text).toContain(`[${reply.citations[0]?.ref}]`);
      client.close();
    });

    it('says it does not know, and offers a human, when no article answers', async () => {
      const client = await ChatTestClient.connect(server.url, (await openSession(server.url)).token);
      const { reply } = await client.ask(PROTOCOL_QUESTIONS.unanswerable);
      expect(reply.text).toMatch(/don't (know|have reliable information)/i);
      expect(reply.text).toMatch(/human agent/i);
      expect(reply.citations).toEqual([]);
      client.close();
    });

    it('stores and answers a retried clientMessageId once', async () => {
      const session = await openSession(server.url);
      const client = await ChatTestClient.connect(server.url, session.token);
      const first = await client.ask(PROTOCOL_QUESTIONS.refundTime, 'retry-1');
      client.close();

      // The retry comes on a new connection, as after a reconnect.
      const again = await ChatTestClient.connect(server.url, session.token);
      const second = await again.ask(PROTOCOL_QUESTIONS.refundTime, 'retry-1');
      expect(second.ack.messageId).toBe(first.ack.messageId);
      expect(second.reply.id).toBe(first.reply.id);
      await again.settle();
      expect(again.events.filter((event) => event.type === 'message_delta')).toHaveLength(0);
      expect(await countRows(`SELECT 1 FROM support_chat_messages WHERE session_id = $1 AND role = 'user'`, [session.sessionId])).toBe(1);
      expect(await countRows(`SELECT 1 FROM support_chat_messages WHERE session_id = $1 AND role = 'assistant'`, [session.sessionId])).toBe(1);
      again.close();
    });

    it('answers two messages sent back to back in order, each exactly once', async () => {
      const session = await openSession(server.url);
      const client = await ChatTestClient.connect(server.url, session.token);
      client.send({ type: 'send_message', clientMessageId: 'fast-1', text: PROTOCOL_QUESTIONS.refundTime });
      client.send({ type: 'send_message', clientMessageId: 'fast-2', text: PROTOCOL_QUESTIONS.cabinBaggage });
      const ack1 = await client.waitFor('ack', (event) => event.clientMessageId === 'fast-1');
      const ack2 = await client.waitFor('ack', (event) => event.clientMessageId === 'fast-2');
      await waitForRows(server, session.sessionId, 4);
      const replies = await Promise.all(
        [ack1, ack2].map((ack) =>
          server.db.query<{ seq: string }>('SELECT seq::text AS seq FROM support_chat_messages WHERE reply_to_id = $1', [ack.messageId]),
        ),
      );
      expect(replies.map((reply) => reply.rows.length)).toEqual([1, 1]);
      // The first question is answered first: replies of one session are made one at a time.
      expect(Number(replies[0]?.rows[0]?.seq)).toBeLessThan(Number(replies[1]?.rows[0]?.seq));
      client.close();
    });

    it('escalates on an explicit request: escalated event, stored ticket, and no more AI replies', async () => {
      const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_lucia') });
      const client = await ChatTestClient.connect(server.url, session.token);
      // Nothing handed over yet: no ticket, no mode.
      expect(await client.waitFor('session_state')).toEqual({ type: 'session_state', sessionId: session.sessionId, status: 'ai', ticketId: null, mode: null, trainingConsent: null });
      const { reply, from } = await client.ask(PROTOCOL_QUESTIONS.human);
      const escalated = await client.waitFor('escalated', () => true, { from });
      expect(escalated.ticketId).toMatch(/^TKT-[A-Z2-9]{8}$/);
      expect(escalated.mode).toBe('ticket');
      expect(reply.role).toBe('system');
      expect(reply.text).toContain(escalated.ticketId);

      const ticket = await server.db.query<{ session_id: string; customer_id: string; source: string; status: string }>(
        'SELECT session_id, customer_id, source, status FROM support_tickets WHERE id = $1',
        [escalated.ticketId],
      );
      expect(ticket.rows).toEqual([{ session_id: session.sessionId, customer_id: 'cus_lucia', source: 'explicit_request', status: 'open' }]);

      // From now on the conversation belongs to humans.
      const afterFrom = client.events.length;
      client.send({ type: 'send_message', clientMessageId: 'after-escalation', text: PROTOCOL_QUESTIONS.cancellationFee });
      await client.waitFor('ack', (event) => event.clientMessageId === 'after-escalation', { from: afterFrom });
      await client.settle();
      expect(client.events.slice(afterFrom).filter((event) => event.type === 'message' || event.type === 'message_delta')).toEqual([]);
      expect(await countRows(`SELECT 1 FROM support_chat_messages WHERE session_id = $1 AND role = 'assistant'`, [session.sessionId])).toBe(0);

      // A reconnecting client learns the state at once, the handoff's mode too (no agent online: a ticket).
      const reconnected = await ChatTestClient.connect(server.url, session.token);
      expect(await reconnected.waitFor('session_state')).toEqual({ type: 'session_state', sessionId: session.sessionId, status: 'escalated', ticketId: escalated.ticketId, mode: 'ticket', trainingConsent: null });
      client.close();
      reconnected.close();
    });

    it('tells a reconnecting client that its handoff is a live chat when an agent took it live', async () => {
      // A database of its own: an agent online here would make every other test's handoff a live one.
      const live = await startTestServer({ driver });
      try {
        const maya = await agentLogin(live.url, MAYA.email);
        const desk = await AgentTestClient.online(live.url, maya.token);
        const session = await openSession(live.url);
        const client = await ChatTestClient.connect(live.url, session.token);
        await client.waitFor('session_state');
        client.send({ type: 'escalate' });
        const escalated = await client.waitFor('escalated');
        expect(escalated.mode).toBe('live_agent');
        client.close();

        // Another tab or browser that never saw `escalated`: session_state says it is a live chat.
        const reconnected = await ChatTestClient.connect(live.url, session.token);
        expect(await reconnected.waitFor('session_state')).toEqual({ type: 'session_state', sessionId: session.sessionId, status: 'escalated', ticketId: escalated.ticketId, mode: 'live_agent', trainingConsent: null });
        reconnected.close();
        desk.close();
      } finally {
        await live.close();
      }
    });

    it('hands over after two replies in a row that could not help, not after one', async () => {
      const strict = await startTestServer({ database: { db: server.db, drop: async () => {} }, env: { ESCALATE_AFTER_FAILED_REPLIES: '2' } });
      try {
        const session = await openSession(strict.url);
        const client = await ChatTestClient.connect(strict.url, session.token);
        const first = await client.ask(PROTOCOL_QUESTIONS.unanswerable);
        expect(first.reply.text).toMatch(/don't (know|have reliable information)/i);
        const answered = await client.ask(PROTOCOL_QUESTIONS.refundTime);
        expect(answered.reply.citations.length).toBeGreaterThan(0);
        await client.ask(PROTOCOL_QUESTIONS.unanswerableFootball);
        await client.settle(200);
        expect(client.events.filter((event) => event.type === 'escalated')).toEqual([]);

        const from = client.events.length;
        await client.ask(PROTOCOL_QUESTIONS.unanswerablePizza);
        const escalated = await client.waitFor('escalated', () => true, { from });
        const ticket = await server.db.query<{ source: string }>('SELECT source FROM support_tickets WHERE id = $1', [escalated.ticketId]);
        expect(ticket.rows[0]?.source).toBe('repeated_failure');
        const outcomes = await server.db.query<{ outcome: string }>(
          `SELECT outcome FROM support_chat_messages WHERE session_id = $1 AND role = 'assistant' ORDER BY seq`,
          [session.sessionId],
        );
        expect(outcomes.rows.map((row) => row.outcome)).toEqual(['dont_know', 'answered', 'dont_know', 'dont_know']);
        client.close();
      } finally {
        await strict.app.close();
      }
    });

    it('escalates from the button once, however often it is pressed', async () => {
      const session = await openSession(server.url);
      const client = await ChatTestClient.connect(server.url, session.token);
      client.send({ type: 'escalate', reason: 'The bot does not understand me' });
      const first = await client.waitFor('escalated');
      const from = client.events.length;
      client.send({ type: 'escalate' });
      const second = await client.waitFor('escalated', () => true, { from });
      expect(second.ticketId).toBe(first.ticketId);
      expect(await countRows('SELECT 1 FROM support_tickets WHERE session_id = $1', [session.sessionId])).toBe(1);
      const stored = await server.db.query<{ source: string; reason: string }>('SELECT source, reason FROM support_tickets WHERE session_id = $1', [session.sessionId]);
      expect(stored.rows[0]).toEqual({ source: 'customer_button', reason: 'The bot does not understand me' });
      client.close();
    });

    it('records thumbs up/down on replies and refuses feedback on anything else', async () => {
      const session = await openSession(server.url);
      const client = await ChatTestClient.connect(server.url, session.token);
      const { ack, reply } = await client.ask(PROTOCOL_QUESTIONS.cabinBaggage);

      client.send({ type: 'feedback', messageId: reply.id, rating: 'down' });
      expect(await client.waitFor('feedback_recorded')).toEqual({ type: 'feedback_recorded', messageId: reply.id, rating: 'down' });
      const stored = await server.db.query<{ rating: string }>('SELECT rating FROM support_chat_messages WHERE id = $1', [reply.id]);
      expect(stored.rows[0]?.rating).toBe('down');
      const history = await fetch(`${server.url}/support/chat/session/${session.sessionId}/messages`, { headers: { authorization: `Bearer ${session.token}` } });
      const rated = messageHistoryResponseSchema.parse(await history.json()).messages.find((message) => message.id === reply.id);
      expect(rated?.rating).toBe('down');

      for (const messageId of [ack.messageId, 'msg_does_not_exist']) {
        const from = client.events.length;
        client.send({ type: 'feedback', messageId, rating: 'up' });
        expect(await client.waitFor('error', () => true, { from })).toMatchObject({ code: 'not_found' });
      }

      // Another session's reply cannot be rated from here.
      const other = await ChatTestClient.connect(server.url, (await openSession(server.url)).token);
      other.send({ type: 'feedback', messageId: reply.id, rating: 'up' });
      expect(await other.waitFor('error')).toMatchObject({ code: 'not_found' });
      expect((await server.db.query<{ rating: string }>('SELECT rating FROM support_chat_messages WHERE id = $1', [reply.id])).rows[0]?.rating).toBe('down');
      client.close();
      other.close();
    });

    it('moves an open connection to the new token on refresh: the old socket closes with 4409, the new token connects', async () => {
      const session = await openSession(server.url);
      const client = await ChatTestClient.connect(server.url, session.token);
      await client.waitFor('session_state');
      const refreshed = await fetch(`${server.url}/support/chat/session/${session.sessionId}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
      expect(refreshed.status).toBe(200);
      expect(await client.waitForClose()).toBe(4409);
      const { token } = refreshSessionResponseSchema.parse(await refreshed.json());
      const moved = await ChatTestClient.connect(server.url, token);
      const { reply } = await moved.ask(PROTOCOL_QUESTIONS.refundTime);
      expect(reply.role).toBe('assistant');
      moved.close();
      // ...but the old token opens no new connection.
      const stale = await ChatTestClient.connect(server.url, session.token);
      expect(await stale.waitFor('error')).toMatchObject({ code: 'unauthorized' });
      client.close();
    });

    it('says which customer message each reply answers: live, in history and on resume', async () => {
      const session = await openSession(server.url);
      const client = await ChatTestClient.connect(server.url, session.token);
      const first = await client.ask(PROTOCOL_QUESTIONS.greeting);
      const second = await client.ask(PROTOCOL_QUESTIONS.refundTime);
      expect(first.reply.replyToMessageId).toBe(first.ack.messageId);
      expect(second.reply.replyToMessageId).toBe(second.ack.messageId);
      client.close();

      const history = messageHistoryResponseSchema.parse(
        await (await fetch(`${server.url}/support/chat/session/${session.sessionId}/messages`, { headers: { authorization: `Bearer ${session.token}` } })).json(),
      );
      const byId = new Map(history.messages.map((message) => [message.id, message]));
      expect(byId.get(second.reply.id)?.replyToMessageId).toBe(second.ack.messageId);
      // A customer message answers nothing.
      expect(byId.get(second.ack.messageId)?.replyToMessageId).toBeUndefined();

      const back = await ChatTestClient.connect(server.url, session.token);
      back.send({ type: 'resume', afterMessageId: first.reply.id });
      const replayed = await back.waitFor('message', (event) => event.message.id === second.reply.id);
      expect(replayed.message.replyToMessageId).toBe(second.ack.messageId);
      back.close();
    });

    it('replays what was missed on resume', async () => {
      const session = await openSession(server.url);
      const client = await ChatTestClient.connect(server.url, session.token);
      const first = await client.ask(PROTOCOL_QUESTIONS.greeting);
      await client.ask(PROTOCOL_QUESTIONS.refundTime);
      client.close();

      const back = await ChatTestClient.connect(server.url, session.token);
      back.send({ type: 'resume', afterMessageId: first.reply.id });
      await back.settle();
      const replayed = back.events.flatMap((event) => (event.type === 'message' ? [event.message] : []));
      expect(replayed.map((message: Message) => message.role)).toEqual(['user', 'assistant']);
      expect(replayed[0]?.text).toBe(PROTOCOL_QUESTIONS.refundTime);

      const from = back.events.length;
      back.send({ type: 'resume', afterMessageId: 'msg_unknown' });
      expect(await back.waitFor('error', () => true, { from })).toMatchObject({ code: 'not_found' });
      back.close();
    });
  });

  describe('bad input', () => {
    it('answers each bad frame with its error code, keeps the connection, and writes nothing', async () => {
      const session = await openSession(server.url);
      const client = await ChatTestClient.connect(server.url, session.token);
      await client.waitFor('session_state');

      const cases: Array<{ frame: string | Buffer; binary?: boolean; code: string; clientMessageId?: string }> = [
        { frame: 'this is not json', code: 'invalid_message' },
        { frame: '[1,2,3]', code: 'invalid_message' },
        { frame: JSON.stringify({ type: 'order_pizza' }), code: 'invalid_message' },
        { frame: JSON.stringify({ type: 'send_message', text: 'no id' }), code: 'invalid_message' },
        { frame: JSON.stringify({ type: 'send_message', clientMessageId: 'e1', text: '' }), code: 'invalid_message', clientMessageId: 'e1' },
        { frame: JSON.stringify({ type: 'send_message', clientMessageId: 'e2', text: '   \n ' }), code: 'invalid_message', clientMessageId: 'e2' },
        { frame: JSON.stringify({ type: 'send_message', clientMessageId: 'e3', text: 'x'.repeat(4001) }), code: 'too_long', clientMessageId: 'e3' },
        { frame: JSON.stringify({ type: 'send_message', clientMessageId: 'e4', text: 42 }), code: 'invalid_message', clientMessageId: 'e4' },
        { frame: JSON.stringify({ type: 'feedback', messageId: 'x', rating: 'meh' }), code: 'invalid_message' },
        { frame: Buffer.from([0xde, 0xad, 0xbe, 0xef]), binary: true, code: 'invalid_message' },
      ];
      for (const testCase of cases) {
        const from = client.events.length;
        client.sendRaw(testCase.frame, { binary: testCase.binary ?? false });
        const error = await client.waitFor('error', () => true, { from });
        expect(error.code, String(testCase.frame).slice(0, 60)).toBe(testCase.code);
        expect(error.message.length).toBeGreaterThan(0);
        if (testCase.clientMessageId && testCase.code !== 'invalid_message') expect(error.clientMessageId).toBe(testCase.clientMessageId);
      }
      await client.settle(100);
      expect(client.events.filter((event) => event.type === 'ack')).toEqual([]);
      expect(await countRows('SELECT 1 FROM support_chat_messages WHERE session_id = $1', [session.sessionId])).toBe(0);
      expect(client.closeCode).toBeNull();

      // Still usable after all of that.
      const { reply } = await client.ask(PROTOCOL_QUESTIONS.refundTime);
      expect(reply.role).toBe('assistant');
      client.close();
    });

    it('refuses an unknown token on the websocket with unauthorized and closes', async () => {
      const client = await ChatTestClient.connect(server.url, 'st_not-a-real-token');
      expect(await client.waitFor('error')).toMatchObject({ code: 'unauthorized' });
      expect(await client.waitForClose()).toBe(4401);
    });

    it('rate-limits session creation per client IP and messages per session', async () => {
      const strict = await startTestServer({
        database: { db: server.db, drop: async () => {} },
        env: { RATE_LIMIT_SESSIONS_PER_IP_PER_MINUTE: '3', RATE_LIMIT_MESSAGES_PER_MINUTE: '2' },
      });
      try {
        const statuses = [];
        for (let attempt = 0; attempt < 4; attempt += 1) statuses.push((await postSession(strict.url)).status);
        expect(statuses).toEqual([201, 201, 201, 429]);
        const refused = await fetch(`${strict.url}/support/chat/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });

        // Sessions made before the limit still chat, within their own message budget.
        const session = await openSession(server.url);
        const client = await ChatTestClient.connect(strict.url, session.token);
        await client.ask(PROTOCOL_QUESTIONS.greeting, 'rl-1');
        await client.ask(PROTOCOL_QUESTIONS.thanks, 'rl-2');
        const from = client.events.length;
        client.send({ type: 'send_message', clientMessageId: 'rl-3', text: 'one more' });
        expect(await client.waitFor('error', () => true, { from })).toMatchObject({ code: 'rate_limited', clientMessageId: 'rl-3' });
        expect(client.closeCode).toBeNull();
        const stored = await server.db.query('SELECT 1 FROM support_chat_messages WHERE session_id = $1 AND client_message_id = $2', [session.sessionId, 'rl-3']);
        expect(stored.rows).toEqual([]);
        client.close();
      } finally {
        await strict.app.close();
      }
    });

    it('refuses an idle-expired token with token_expired on REST and websocket', async () => {
      // A second server over the same database, with a one-second idle lifetime.
      const shortLived = await startTestServer({ database: { db: server.db, drop: async () => {} }, env: { SESSION_TOKEN_TTL_SECONDS: '1' } });
      try {
        const session = await openSession(shortLived.url);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const rest = await fetch(`${shortLived.url}/support/chat/session/${session.sessionId}/messages`, { headers: { authorization: `Bearer ${session.token}` } });
        expect(rest.status).toBe(401);
        expect(await rest.json()).toMatchObject({ error: { code: 'token_expired' } });

        const client = await ChatTestClient.connect(shortLived.url, session.token);
        expect(await client.waitFor('error')).toMatchObject({ code: 'token_expired' });
        expect(await client.waitForClose()).toBe(4408);
        const refresh = await fetch(`${shortLived.url}/support/chat/session/${session.sessionId}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } });
        expect(refresh.status).toBe(401);
      } finally {
        await shortLived.close();
      }
    });
  });
});

async function waitForRows(server: RunningTestServer, sessionId: string, count: number) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const result = await server.db.query<{ role: string }>('SELECT role FROM support_chat_messages WHERE session_id = $1 ORDER BY seq', [sessionId]);
    if (result.rows.length >= count) return result;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`session ${sessionId} never reached ${count} messages`);
}
