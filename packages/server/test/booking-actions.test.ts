import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAIChatModel } from '../src/ai/providers/openai-chat-model.js';
import { ChatTestClient } from './chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { openSession, signCustomerToken, startTestServer, type RunningTestServer } from './test-server.js';

const API_KEY = 'sk-test-booking-actions-000000000';

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
    server = await startTestServer({ model: createOpenAIChatModel({ provider: 'openai', apiKey: API_KEY, model: 'gpt-test', baseURL: fake.url, maxRetries: 0 }) });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.reset();
    // After any tool call the model just says what the tool returned.
    fake.setDefault((body) => {
      const last = body.messages.at(-1);
      return { kind: 'text', chunks: [last?.role === 'tool' ? `Tool said: ${String(last.content ?? '')}` : 'ok'] };
    });
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
    fake.script({ kind: 'tool_calls', calls: [{ name: 'request_booking_change', arguments: { bookingReference: 'P9AS5M', newDate: '2027-06-20' } }] });
    const { from } = await client.ask('Move P9AS5M to 20 June 2027');
    const proposed = await client.waitFor('action_proposed', () => true, { from });
    expect(proposed.action).toMatchObject({ kind: 'booking_change', newStartDate: '2027-06-20' });
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
    await server.db.query(`UPDATE support_pending_actions SET expires_at = now() - interval '1 minute' WHERE id = $1`, [proposed.action.id]);
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
    server = await startTestServer();
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
    expect(cancel.reply.text).toMatch(/Nothing has changed yet/);

    const move = await client.ask('I need to change my booking SKY4F2 to 20 June 2027');
    const change = await client.waitFor('action_proposed', () => true, { from: move.from });
    expect(change.action).toMatchObject({ kind: 'booking_change', bookingReference: 'SKY4F2', newStartDate: '2027-06-20' });

    const list = await client.ask('Where is my booking?');
    expect(list.reply.text).toContain('SKY4F2');
    expect(list.reply.text).toContain('K7QM2A');
    const status = await server.db.query<{ status: string }>(`SELECT status FROM demo_bookings WHERE reference = 'SKY4F2'`);
    expect(status.rows[0]?.status).toBe('confirmed');
    client.close();
  });
});
