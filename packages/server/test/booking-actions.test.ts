import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messageHistoryResponseSchema } from '@support/protocol';
import { createOpenAIChatModel } from '../src/ai/providers/openai-chat-model.js';
import { addDays, loadDemoData, utcDay, type DemoData } from '../src/demo/demo-data.js';
import { ChatTestClient } from './chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer, type FakeResponder } from './fake-openai-server.js';
import { openSession, signCustomerToken, startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const API_KEY = 'sk-test-booking-actions-000000000';
const DAY_MS = 86_400_000;

// The demo bookings sit around the day they are seeded for: the test and the server take the same day (also across midnight).
const today = utcDay(new Date());
const demo = await loadDemoData({ today });
const startOf = (data: DemoData, reference: string): string => {
  const booking = data.bookings.find((candidate) => candidate.reference === reference);
  if (!booking) throw new Error(`no demo booking ${reference}`);
  return booking.startDate;
};
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** 2027-06-20 as a customer writes it: "20 June 2027". */
const inWords = (date: string) => `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
/** A server clock that runs from `at` on, at the real pace. */
const clockAt = (at: number): (() => Date) => {
  const offset = at - Date.now();
  return () => new Date(Date.now() + offset);
};

/** After any tool call the scripted model just says what the tool returned. */
const echoToolResults: FakeResponder = (body) => {
  const last = body.messages.at(-1);
  return { kind: 'text', chunks: [last?.role === 'tool' ? `Tool said: ${String(last.content ?? '')}` : 'ok'] };
};
/** The real OpenAI adapter, against the fake server. */
const modelOn = (fake: FakeOpenAIServer) => createOpenAIChatModel({ provider: 'openai', apiKey: API_KEY, model: 'gpt-test', baseURL: fake.url, maxRetries: 0 });

/**
 * Booking changes need the customer's confirmation: a model (scripted here,
 * over the real OpenAI protocol) can only propose; the customer's
 * confirm_action, checked against the session, executes once.
 */
describe('confirmed booking actions', () => {
  let fake: FakeOpenAIServer;
  let server: RunningTestServer;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: API_KEY });
    server = await startTestServer({ today, model: modelOn(fake) });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.setDefault(echoToolResults);
  });

  const bookingStatus = async (reference: string) =>
    (await server.db.query<{ status: string; start_date: string }>(`SELECT status, to_char(start_date, 'YYYY-MM-DD') AS start_date FROM demo_bookings WHERE reference = $1`, [reference])).rows[0];

  const customerClient = async (customerId: string) => {
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, customerId) });
    return { session, client: await ChatTestClient.connect(server.url, session.token) };
  };

  const proposeCancellation = async (client: ChatTestClient, reference: string) => {
    fake.script({ kind: 'tool_calls', calls: [{ name: 'request_booking_cancellation', arguments: { bookingReference: reference } }] });
    const { from } = await client.ask(`Cancel my booking ${reference}`);
    return client.waitFor('action_proposed', () => true, { from });
  };

  it('proposes without acting, refuses confirms from elsewhere, executes once on the customer\'s confirm', async () => {
    const { client, session } = await customerClient('cus_alice');
    const proposed = await proposeCancellation(client, 'SKY4F2');
    expect(proposed.action).toMatchObject({ kind: 'booking_cancellation', bookingReference: 'SKY4F2', title: 'Cancel booking SKY4F2' });
    expect(Number(proposed.action.refund?.amount)).toBeGreaterThan(0);
    expect((await bookingStatus('SKY4F2'))?.status).toBe('confirmed');

    // Alice's other session, and another customer, cannot confirm it.
    for (const other of [await customerClient('cus_alice'), await customerClient('cus_kenji')]) {
      other.client.send({ type: 'confirm_action', actionId: proposed.action.id });
      expect(await other.client.waitFor('error')).toMatchObject({ code: 'action_not_found' });
      other.client.close();
    }
    expect((await bookingStatus('SKY4F2'))?.status).toBe('confirmed');

    const from = client.events.length;
    client.send({ type: 'confirm_action', actionId: proposed.action.id });
    expect(await client.waitFor('action_updated', () => true, { from })).toEqual({ type: 'action_updated', actionId: proposed.action.id, status: 'done' });
    const done = await client.waitFor('message', (event) => event.message.text.startsWith('Done'), { from });
    expect(done.message.text).toContain('SKY4F2');
    expect((await bookingStatus('SKY4F2'))?.status).toBe('cancelled');

    // A replayed confirm does nothing.
    const replayFrom = client.events.length;
    client.send({ type: 'confirm_action', actionId: proposed.action.id });
    expect(await client.waitFor('error', () => true, { from: replayFrom })).toMatchObject({ code: 'action_already_decided' });
    await client.settle(150);
    expect(client.events.slice(replayFrom).filter((event) => event.type === 'action_updated')).toEqual([]);
    const actions = await server.db.query<{ status: string }>('SELECT status FROM support_pending_actions WHERE session_id = $1', [session.sessionId]);
    expect(actions.rows).toEqual([{ status: 'done' }]);

    // The confirmation email went out once, from a background job.
    await server.jobs.drain();
    const outbox = await server.db.query<{ customer_id: string; subject: string }>(
      `SELECT customer_id, subject FROM support_outbox WHERE idempotency_key = $1`,
      [`booking_action_follow_up:${proposed.action.id}`],
    );
    expect(outbox.rows).toEqual([{ customer_id: 'cus_alice', subject: 'Your booking SKY4F2 is cancelled' }]);
    client.close();
  });

  it('changes nothing when the customer declines, and re-shows an open proposal after a reconnect', async () => {
    const { client, session } = await customerClient('cus_lucia');
    const newDate = addDays(startOf(demo, 'P9AS5M'), 30);
    fake.script({ kind: 'tool_calls', calls: [{ name: 'request_booking_change', arguments: { bookingReference: 'P9AS5M', newDate } }] });
    const { from } = await client.ask(`Move P9AS5M to ${inWords(newDate)}`);
    const proposed = await client.waitFor('action_proposed', () => true, { from });
    expect(proposed.action).toMatchObject({ kind: 'booking_change', newStartDate: newDate });
    client.close();

    const back = await ChatTestClient.connect(server.url, session.token);
    expect((await back.waitFor('action_proposed')).action.id).toBe(proposed.action.id);
    const before = await bookingStatus('P9AS5M');
    back.send({ type: 'cancel_action', actionId: proposed.action.id });
    expect(await back.waitFor('action_updated')).toMatchObject({ status: 'cancelled' });
    expect(await bookingStatus('P9AS5M')).toEqual(before);
    back.send({ type: 'confirm_action', actionId: proposed.action.id });
    expect(await back.waitFor('error')).toMatchObject({ code: 'action_already_decided' });
    expect(await bookingStatus('P9AS5M')).toEqual(before);
    back.close();
  });

  it('refuses an expired proposal', async () => {
    const { client } = await customerClient('cus_omar');
    const proposed = await proposeCancellation(client, 'W3KR6E');
    // A minute ago by the server's clock (the process clock here), which alone decides expiry.
    await server.db.query(`UPDATE support_pending_actions SET expires_at = $2 WHERE id = $1`, [proposed.action.id, new Date(Date.now() - 60_000)]);
    const from = client.events.length;
    client.send({ type: 'confirm_action', actionId: proposed.action.id });
    expect(await client.waitFor('error', () => true, { from })).toMatchObject({ code: 'action_expired' });
    expect(await client.waitFor('action_updated', () => true, { from })).toMatchObject({ status: 'expired' });
    expect((await bookingStatus('W3KR6E'))?.status).toBe('confirmed');
    client.close();
  });

  it('never proposes anything for another customer\'s booking', async () => {
    const { client, session } = await customerClient('cus_alice');
    fake.script({ kind: 'tool_calls', calls: [{ name: 'request_booking_cancellation', arguments: { bookingReference: 'R2D7KP' } }] });
    const { reply, from } = await client.ask('Cancel R2D7KP');
    expect(reply.text).toContain('booking_not_found');
    await client.settle(150);
    expect(client.events.slice(from).filter((event) => event.type === 'action_proposed')).toEqual([]);
    expect((await server.db.query('SELECT 1 FROM support_pending_actions WHERE session_id = $1', [session.sessionId])).rows).toEqual([]);
    expect((await bookingStatus('R2D7KP'))?.status).toBe('confirmed');
    client.close();
  });
});

/**
 * What a client with no local state (another browser, a fresh tab) needs to
 * rebuild its confirmation cards: which customer message each action answers
 * and where it stands, live, on a reconnect and in the history; and which
 * action a refused confirm or cancel was about.
 */
describe.each(testDrivers)('confirmation cards any client can rebuild, on %s', (driver) => {
  let fake: FakeOpenAIServer;
  let server: RunningTestServer;

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: API_KEY });
    server = await startTestServer({ driver, today, model: modelOn(fake) });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.reset();
    fake.setDefault(echoToolResults);
  });

  const customerClient = async (customerId: string) => {
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, customerId) });
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    return { session, client };
  };
  /** One customer message whose reply proposes an action: the message's id and the live proposal. */
  const propose = async (client: ChatTestClient, text: string, call: { name: string; arguments: Record<string, unknown> }) => {
    fake.script({ kind: 'tool_calls', calls: [call] });
    const from = client.events.length;
    const clientMessageId = `c-${Math.random().toString(36).slice(2)}`;
    client.send({ type: 'send_message', clientMessageId, text });
    const questionId = (await client.waitFor('ack', (event) => event.clientMessageId === clientMessageId, { from })).messageId;
    // Its own reply (not a notice about an earlier card that arrives meanwhile).
    const reply = await client.waitFor('message', (event) => event.message.replyToMessageId === questionId, { from });
    const proposed = await client.waitFor('action_proposed', () => true, { from });
    return { questionId, replyId: reply.message.id, action: proposed.action };
  };
  const history = async (session: { sessionId: string; token: string }) => {
    const response = await fetch(`${server.url}/support/chat/session/${session.sessionId}/messages`, { headers: { authorization: `Bearer ${session.token}` } });
    expect(response.status).toBe(200);
    return messageHistoryResponseSchema.parse(await response.json());
  };

  it('names the customer message each action answers and where it stands: live, on a reconnect and in the history', async () => {
    const { session, client } = await customerClient('cus_alice');
    const newDate = addDays(startOf(demo, 'SKY4F2'), 98);
    const change = await propose(client, `Move SKY4F2 to ${inWords(newDate)}`, { name: 'request_booking_change', arguments: { bookingReference: 'SKY4F2', newDate } });
    // Live: the proposal says which message it answers (the one its reply answers) and that it waits.
    expect(change.action).toMatchObject({ kind: 'booking_change', replyToMessageId: change.questionId, status: 'pending' });
    let from = client.events.length;
    client.send({ type: 'cancel_action', actionId: change.action.id });
    expect(await client.waitFor('action_updated', () => true, { from })).toEqual({ type: 'action_updated', actionId: change.action.id, status: 'cancelled' });

    const cancel = await propose(client, 'Cancel my booking SKY4F2', { name: 'request_booking_cancellation', arguments: { bookingReference: 'SKY4F2' } });
    expect(cancel.action).toMatchObject({ kind: 'booking_cancellation', replyToMessageId: cancel.questionId, status: 'pending' });
    from = client.events.length;
    client.send({ type: 'confirm_action', actionId: cancel.action.id });
    expect(await client.waitFor('action_updated', () => true, { from })).toEqual({ type: 'action_updated', actionId: cancel.action.id, status: 'done' });
    await client.waitFor('message', (event) => event.message.text.startsWith('Done'), { from });

    const open = await propose(client, 'And cancel the hotel K7QM2A too', { name: 'request_booking_cancellation', arguments: { bookingReference: 'K7QM2A' } });
    expect(open.action).toMatchObject({ bookingReference: 'K7QM2A', replyToMessageId: open.questionId, status: 'pending' });
    client.close();

    // The history lists every action, oldest first, decided ones with their outcome, each with the message it answers.
    const listed = await history(session);
    expect(listed.actions?.map((action) => [action.id, action.status, action.replyToMessageId])).toEqual([
      [change.action.id, 'cancelled', change.questionId],
      [cancel.action.id, 'done', cancel.questionId],
      [open.action.id, 'pending', open.questionId],
    ]);
    // The same card as the live one, apart from where it stands.
    expect(listed.actions?.[1]).toEqual({ ...cancel.action, status: 'done' });
    const byId = new Map(listed.messages.map((message) => [message.id, message]));
    for (const { questionId, replyId } of [change, cancel, open]) {
      expect(byId.get(questionId)?.role).toBe('user');
      expect(byId.get(replyId)?.replyToMessageId).toBe(questionId);
    }

    // A reconnect proposes again only what still waits, with the same fields as live.
    const back = await ChatTestClient.connect(server.url, session.token);
    await back.waitFor('action_proposed');
    await back.settle(150);
    expect(back.events.filter((event) => event.type === 'action_proposed')).toEqual([{ type: 'action_proposed', action: open.action }]);
    back.close();

    // Past its expiry (by the service's clock) an unanswered proposal is listed as expired, before anyone tries it.
    await server.db.query(`UPDATE support_pending_actions SET expires_at = $2 WHERE id = $1`, [open.action.id, new Date(Date.now() - 60_000)]);
    expect((await history(session)).actions?.map((action) => action.status)).toEqual(['cancelled', 'done', 'expired']);
  });

  it('lists no actions for a conversation without any', async () => {
    const { session, client } = await customerClient('cus_kenji');
    await client.ask('Hello');
    client.close();
    expect((await history(session)).actions).toEqual([]);
  });

  it('names the action in every error that answers a confirm_action or cancel_action', async () => {
    const { client } = await customerClient('cus_omar');
    const { action } = await propose(client, 'Cancel W3KR6E please', { name: 'request_booking_cancellation', arguments: { bookingReference: 'W3KR6E' } });
    let from = client.events.length;
    client.send({ type: 'cancel_action', actionId: action.id });
    await client.waitFor('action_updated', () => true, { from });

    // Stale: the card was already answered (a second tab, a double click, a replay).
    for (const type of ['confirm_action', 'cancel_action'] as const) {
      from = client.events.length;
      client.send({ type, actionId: action.id });
      expect(await client.waitFor('error', () => true, { from })).toEqual({ type: 'error', code: 'action_already_decided', message: expect.any(String), actionId: action.id });
    }
    // Not this session's (or no such action): the id it was asked about, nothing more.
    const other = await customerClient('cus_omar');
    other.client.send({ type: 'confirm_action', actionId: action.id });
    expect(await other.client.waitFor('error')).toEqual({ type: 'error', code: 'action_not_found', message: expect.any(String), actionId: action.id });
    other.client.close();
    from = client.events.length;
    client.send({ type: 'cancel_action', actionId: 'act_unknown' });
    expect(await client.waitFor('error', () => true, { from })).toMatchObject({ code: 'action_not_found', actionId: 'act_unknown' });

    // An expired proposal: its error and its update both name it.
    const late = await propose(client, 'Then cancel W3KR6E after all', { name: 'request_booking_cancellation', arguments: { bookingReference: 'W3KR6E' } });
    await server.db.query(`UPDATE support_pending_actions SET expires_at = $2 WHERE id = $1`, [late.action.id, new Date(Date.now() - 60_000)]);
    from = client.events.length;
    client.send({ type: 'confirm_action', actionId: late.action.id });
    expect(await client.waitFor('error', () => true, { from })).toMatchObject({ code: 'action_expired', actionId: late.action.id });
    expect(await client.waitFor('action_updated', () => true, { from })).toEqual({ type: 'action_updated', actionId: late.action.id, status: 'expired' });

    // Errors of other frames name no action.
    from = client.events.length;
    client.send({ type: 'feedback', messageId: 'msg_nope', rating: 'up' });
    const feedbackError = await client.waitFor('error', () => true, { from });
    expect(feedbackError.code).toBe('not_found');
    expect(feedbackError).not.toHaveProperty('actionId');
    client.close();
  });
});

describe.runIf(process.env.TEST_REDIS_URL)('background jobs on BullMQ through the whole service', () => {
  it('notifies the team of a new ticket once, through Redis', async () => {
    const { BullMqJobQueue } = await import('../src/bus/bullmq-job-queue.js');
    const { redisOptionsFromUrl } = await import('../src/bus/redis-connection.js');
    const jobs = new BullMqJobQueue({ connection: redisOptionsFromUrl(process.env.TEST_REDIS_URL ?? ''), queueName: `svc-${Date.now()}` });
    const server = await startTestServer({ jobs });
    try {
      const session = await openSession(server.url);
      const client = await ChatTestClient.connect(server.url, session.token);
      client.send({ type: 'escalate', reason: 'please call me' });
      const { ticketId } = await client.waitFor('escalated');
      client.send({ type: 'escalate' });
      await client.settle(200);
      await jobs.drain();
      const outbox = await server.db.query<{ channel: string; subject: string }>(`SELECT channel, subject FROM support_outbox WHERE idempotency_key = $1`, [
        `ticket_notification:${ticketId}`,
      ]);
      expect(outbox.rows).toEqual([{ channel: 'agent_queue', subject: `New ticket ${ticketId}: Chat handoff` }]);
      client.close();
    } finally {
      await server.close();
      await jobs.close();
    }
  });
});

describe('confirmed booking actions with the local provider', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer({ today });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('prepares a cancellation or a date change from plain words, and lists bookings without a reference', async () => {
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_alice') });
    const client = await ChatTestClient.connect(server.url, session.token);

    const cancel = await client.ask('Please cancel my booking SKY4F2');
    const proposed = await client.waitFor('action_proposed', () => true, { from: cancel.from });
    expect(proposed.action).toMatchObject({ kind: 'booking_cancellation', bookingReference: 'SKY4F2' });
    expect(cancel.reply.text).toMatch(/Nothing has changed yet: press "Cancel booking" on the card to go ahead, or "Keep booking"/);

    const newDate = addDays(startOf(demo, 'SKY4F2'), 98);
    const move = await client.ask(`I need to change my booking SKY4F2 to ${inWords(newDate)}`);
    const change = await client.waitFor('action_proposed', () => true, { from: move.from });
    expect(change.action).toMatchObject({ kind: 'booking_change', bookingReference: 'SKY4F2', newStartDate: newDate });

    const list = await client.ask('Where is my booking?');
    expect(list.reply.text).toContain('SKY4F2');
    expect(list.reply.text).toContain('K7QM2A');
    const status = await server.db.query<{ status: string }>(`SELECT status FROM demo_bookings WHERE reference = 'SKY4F2'`);
    expect(status.rows[0]?.status).toBe('confirmed');
    client.close();
  });
});

/**
 * Money and dates in everything the service itself writes about a booking
 * action (the local provider's reply, the card, the policy line, the "Done"
 * notice, the confirmation email), one format per session locale. They once
 * read "£1846.40", "0.00 GBP" and "a fee of 75 per passenger" in one chat.
 */
describe('money and dates in a booking action, written once in the session\'s locale', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer({ today });
  });
  afterAll(async () => {
    await server?.close();
  });

  const utcDate = (locale: string, date: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.parse(`${date}T00:00:00Z`));
  const outboxBody = async (actionId: string) => {
    await server.jobs.drain();
    const { rows } = await server.db.query<{ body: string }>('SELECT body FROM support_outbox WHERE idempotency_key = $1', [`booking_action_follow_up:${actionId}`]);
    return rows[0]?.body;
  };

  it('a cancellation with the default locale: £/€ amounts grouped, the policy fee with its currency', async () => {
    // Kenji's R2D7KP: a Standard fare, 1 passenger, €1124.60; the session takes the default locale ("en").
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_kenji') });
    const client = await ChatTestClient.connect(server.url, session.token);
    const cancel = await client.ask('Please cancel my booking R2D7KP');
    const { action } = await client.waitFor('action_proposed', () => true, { from: cancel.from });
    expect(action).toMatchObject({ fee: { amount: '75.00', currency: 'EUR' }, refund: { amount: '1049.60', currency: 'EUR' } });
    expect(action.details).toEqual([
      'Cancellation fee: €75.00',
      expect.stringMatching(/^Refund: €1,049\.60 to your original payment method/),
      'Standard fares cancel for a fee of €75.00 per passenger.',
    ]);
    expect(cancel.reply.text).toContain('The fee is €75.00, and you would get €1,049.60 back. Standard fares cancel for a fee of €75.00 per passenger.');

    const from = client.events.length;
    client.send({ type: 'confirm_action', actionId: action.id });
    const done = await client.waitFor('message', (event) => event.message.text.startsWith('Done'), { from });
    expect(done.message.text).toBe('Done: booking R2D7KP is cancelled. Your refund of €1,049.60 is on its way. A confirmation email follows.');
    expect(await outboxBody(action.id)).toBe('Booking R2D7KP is cancelled. Refund: €1,049.60.');

    const balance = await client.ask("What's my wallet balance?");
    expect(balance.reply.text).toMatch(/^Your Skyway Wallet balance is €23\.18 \(last updated \d{1,2} [A-Z][a-z]{2} \d{4}\)\./);
    client.close();
  });

  it('a date change in es-ES: amounts and dates as a Spanish reader writes them, on the card, in the notice and the email', async () => {
    // Lucía's P9AS5M: a Standard fare, 3 passengers: 3 × €50.
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_lucia'), locale: 'es-ES' });
    const client = await ChatTestClient.connect(server.url, session.token);
    const newDate = addDays(startOf(demo, 'P9AS5M'), 30);
    const move = await client.ask(`I need to change my booking P9AS5M to ${inWords(newDate)}`);
    const { action } = await client.waitFor('action_proposed', () => true, { from: move.from });
    expect(action).toMatchObject({ newStartDate: newDate, fee: { amount: '150.00', currency: 'EUR' } });
    expect(action.title).toBe(`Move booking P9AS5M to ${utcDate('es-ES', newDate)}`);
    expect(action.details).toEqual([
      'Change fee: 150,00\u00a0€',
      'Date changes cost a fee per passenger (Basic 90,00\u00a0€, Standard 50,00\u00a0€, Flex free) plus any fare difference, shown before payment.',
    ]);
    expect(move.reply.text).toContain(`I've prepared moving booking P9AS5M to ${utcDate('es-ES', newDate)}. The fee is 150,00\u00a0€.`);

    const from = client.events.length;
    client.send({ type: 'confirm_action', actionId: action.id });
    const done = await client.waitFor('message', (event) => event.message.text.startsWith('Done'), { from });
    expect(done.message.text).toBe(`Done: booking P9AS5M now starts on ${utcDate('es-ES', newDate)}. A confirmation email follows.`);
    expect(await outboxBody(action.id)).toBe(`Booking P9AS5M now starts on ${utcDate('es-ES', newDate)}.`);
    client.close();
  });
});

/**
 * The date bomb: the demo bookings were once fixed dates, the fare rules read
 * the clock, and the day after a departure its tests failed. Here the
 * server's clock (not the process's) is set after those dates, a year ahead
 * and a year back; the database's now() and the process clock stay where
 * they are, so whatever still asked them instead (a fare rule, an expiry
 * check in SQL) would refuse a live trip, token or proposal.
 */
describe.each(testDrivers)('the booking flow on any day, on %s', (driver) => {
  let fake: FakeOpenAIServer;
  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: API_KEY });
    fake.setDefault(echoToolResults);
  });
  afterAll(async () => {
    await fake?.close();
  });

  it.each([
    ['the day after the first fixed departure', Date.parse('2026-12-23T09:00:00Z')],
    ['the day after the fixed March trips', Date.parse('2027-03-15T09:00:00Z')],
    ['a year from now', Date.now() + 365 * DAY_MS],
    // Behind the database's and the process's clocks: whatever still asked either would see every token and proposal as expired.
    ['a year ago', Date.now() - 365 * DAY_MS],
  ])('cancels and moves bookings %s', async (_label, at) => {
    const now = clockAt(at);
    const day = utcDay(now());
    const data = await loadDemoData({ today: day });
    const server = await startTestServer({
      driver,
      now,
      today: day,
      model: modelOn(fake),
    });
    const status = async (reference: string) =>
      (await server.db.query<{ status: string; start_date: string }>(`SELECT status, to_char(start_date, 'YYYY-MM-DD') AS start_date FROM demo_bookings WHERE reference = $1`, [reference])).rows[0];
    try {
      const alice = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_alice') });
      expect(Date.parse(alice.expiresAt)).toBeGreaterThan(now().getTime());
      const aliceClient = await ChatTestClient.connect(server.url, alice.token);
      fake.script({ kind: 'tool_calls', calls: [{ name: 'request_booking_cancellation', arguments: { bookingReference: 'SKY4F2' } }] });
      const cancel = await aliceClient.ask('Cancel my booking SKY4F2');
      const proposed = await aliceClient.waitFor('action_proposed', () => true, { from: cancel.from });
      // A Flex fare well before departure: free, all of it back.
      expect(proposed.action).toMatchObject({ kind: 'booking_cancellation', fee: { amount: '0.00' }, refund: { amount: '1846.40' } });
      expect(Date.parse(proposed.action.expiresAt)).toBeGreaterThan(now().getTime());
      let from = aliceClient.events.length;
      aliceClient.send({ type: 'confirm_action', actionId: proposed.action.id });
      expect(await aliceClient.waitFor('action_updated', () => true, { from })).toMatchObject({ status: 'done' });
      expect(await status('SKY4F2')).toEqual({ status: 'cancelled', start_date: startOf(data, 'SKY4F2') });
      aliceClient.close();

      const lucia = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_lucia') });
      const luciaClient = await ChatTestClient.connect(server.url, lucia.token);
      const newDate = addDays(startOf(data, 'P9AS5M'), 30);
      fake.script({ kind: 'tool_calls', calls: [{ name: 'request_booking_change', arguments: { bookingReference: 'P9AS5M', newDate } }] });
      const move = await luciaClient.ask(`Move P9AS5M to ${newDate}`);
      const change = await luciaClient.waitFor('action_proposed', () => true, { from: move.from });
      expect(change.action).toMatchObject({ kind: 'booking_change', newStartDate: newDate, fee: { amount: '150.00' } });
      luciaClient.close();

      // A refreshed token, and a reconnect that finds the open proposal: both ask the server's clock whether they are live.
      const refreshed = await fetch(`${server.url}/support/chat/session/${lucia.sessionId}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${lucia.token}` } });
      expect(refreshed.status).toBe(200);
      const { token } = (await refreshed.json()) as { token: string };
      const back = await ChatTestClient.connect(server.url, token);
      expect((await back.waitFor('action_proposed')).action.id).toBe(change.action.id);
      from = back.events.length;
      back.send({ type: 'confirm_action', actionId: change.action.id });
      expect(await back.waitFor('action_updated', () => true, { from })).toMatchObject({ status: 'done' });
      expect(await status('P9AS5M')).toEqual({ status: 'changed', start_date: newDate });
      back.close();
    } finally {
      await server.close();
    }
  });
});
