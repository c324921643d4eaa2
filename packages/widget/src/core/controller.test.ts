import type { ProposedAction } from '@support/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeJwt, fakeService, FakeSocket, memoryStorage, message, type FakeServiceOptions } from '../test-support/fakes.js';
import { ChatController, type ControllerOptions } from './controller.js';

/** Lets fetches, JSON bodies and promise chains finish (real macrotasks; only timers and Date are fake). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

function setup(options: Partial<ControllerOptions> & { service?: FakeServiceOptions } = {}) {
  const service = fakeService(options.service);
  const storage = options.storage ?? memoryStorage();
  const win = new EventTarget();
  const make = (extra: Partial<ControllerOptions> = {}) =>
    new ChatController({
      serviceUrl: 'https://support.test',
      locale: 'en-GB',
      fetch: service.fetch,
      createSocket: (url) => new FakeSocket(url),
      storage,
      random: () => 0.5,
      pageHref: 'https://shop.test/help',
      events: { window: win, document: null },
      isOnline: () => true,
      ...options,
      ...extra,
    });
  return { service, storage, win, controller: make(), make };
}

async function started(options: Parameters<typeof setup>[0] = {}) {
  const env = setup(options);
  await env.controller.start();
  await settle();
  const socket = FakeSocket.last();
  socket.open();
  return { ...env, socket };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(new Date('2026-03-01T10:00:00.000Z'));
  FakeSocket.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('starting a conversation', () => {
  it('creates a guest session, loads its history, then opens the socket with the session token in the query', async () => {
    const { service, controller, socket } = await started();
    expect(service.calls.map((call) => `${call.method} ${call.path}`)).toEqual(['POST /support/chat/session', 'GET /support/chat/session/ses_1/messages']);
    expect(service.calls[0]?.body).toEqual({ locale: 'en-GB' });
    expect(socket.url).toBe('wss://support.test/support/chat/ws?token=st_1');
    expect(controller.getState().connection.phase).toBe('online');
    // Nothing to catch up on yet: no resume on the first connection of an empty conversation.
    expect(socket.sent).toEqual([]);
    controller.stop();
  });

  it('a signed-in customer sends the host token; the session belongs to that customer', async () => {
    const token = fakeJwt('cus_1');
    const { service, controller } = await started({ getCustomerToken: async () => token });
    expect(service.calls[0]?.body).toMatchObject({ customerToken: token });
    expect(controller.getState()).toMatchObject({ signedIn: true, customerName: 'Alice' });
    controller.stop();
  });

  it('resumes after the newest message the history showed', async () => {
    const { socket, controller } = await started({ service: { history: [message({ id: 'h1', role: 'assistant', text: 'earlier' })] } });
    expect(socket.sent).toEqual([{ type: 'resume', afterMessageId: 'h1' }]);
    controller.stop();
  });

  it('a failed start says so and tries again by itself', async () => {
    const env = setup();
    env.service.state.failCreate = 0;
    await env.controller.start();
    await settle();
    expect(env.controller.getState().connection.phase).toBe('failed');
    env.service.state.failCreate = null;
    await advance(3000);
    expect(env.controller.getState().connection.phase).toBe('connecting');
    env.controller.stop();
  });
});

describe('outbox', () => {
  it('sends at once when connected; the ack delivers it', async () => {
    const { controller, socket } = await started();
    expect(controller.send('  How much does it cost to cancel a flight?  ')).toBe(true);
    const [frame] = socket.sentOfType('send_message');
    expect(frame).toMatchObject({ type: 'send_message', text: 'How much does it cost to cancel a flight?' });
    socket.receive({ type: 'ack', clientMessageId: frame?.clientMessageId as string, messageId: 'u1' });
    expect(controller.getState().conversation.items[0]).toMatchObject({ id: 'u1', delivery: 'sent' });
    controller.stop();
  });

  it('keeps messages written while disconnected and resends them, with the same clientMessageId, after the reconnect and resume', async () => {
    const { controller, socket } = await started();
    controller.send('first');
    const first = socket.sentOfType('send_message')[0]?.clientMessageId;
    socket.receive({ type: 'ack', clientMessageId: first as string, messageId: 'u1' });
    socket.receive({ type: 'message', message: message({ id: 'a1', role: 'assistant', text: 'answer', replyToMessageId: 'u1' }) });
    controller.send('second, not acknowledged');
    const second = socket.sentOfType('send_message')[1]?.clientMessageId;
    socket.drop(1006);
    expect(controller.getState().conversation.items.at(-1)?.delivery).toBe('waiting');
    controller.send('third, written offline');
    expect(FakeSocket.instances).toHaveLength(1);

    await advance(500); // first backoff step (random 0.5: no jitter)
    const next = FakeSocket.last();
    expect(next).not.toBe(socket);
    next.open();
    const resent = next.sentOfType('send_message');
    expect(next.sent[0]).toEqual({ type: 'resume', afterMessageId: 'a1' });
    expect(resent.map((frame) => frame.text)).toEqual(['second, not acknowledged', 'third, written offline']);
    expect(resent[0]?.clientMessageId).toBe(second);
    controller.stop();
  });

  it('backs off exponentially while the service is away', async () => {
    const { controller, socket } = await started();
    socket.drop(1006);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const before = FakeSocket.instances.length;
      let waited = 0;
      while (FakeSocket.instances.length === before) {
        await advance(100);
        waited += 100;
      }
      delays.push(waited);
      FakeSocket.last().drop(1006);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(controller.getState().connection.phase).toBe('reconnecting');
    controller.stop();
  });

  it('reconnects at once when the browser comes back online', async () => {
    const { controller, socket, win } = await started();
    socket.drop(1006);
    await advance(500);
    FakeSocket.last().drop(1006); // now waiting 1 s
    const count = FakeSocket.instances.length;
    win.dispatchEvent(new Event('offline'));
    expect(controller.getState().connection.offline).toBe(true);
    win.dispatchEvent(new Event('online'));
    expect(FakeSocket.instances.length).toBe(count + 1);
    expect(controller.getState().connection.offline).toBe(false);
    controller.stop();
  });

  it('survives a reload: the outbox is in sessionStorage and goes out with the same clientMessageId', async () => {
    const first = await started();
    first.socket.drop(1006);
    first.controller.send('written just before the reload');
    const pending = first.controller.getState().conversation.items[0]?.clientMessageId;
    first.controller.stop();

    const reloaded = first.make();
    await reloaded.start();
    await settle();
    // The saved session is refreshed (a fresh token for the same conversation), not replaced.
    expect(first.service.callsTo(/\/refresh$/)).toHaveLength(1);
    expect(reloaded.getState().sessionId).toBe('ses_1');
    expect(reloaded.getState().conversation.items[0]).toMatchObject({ clientMessageId: pending, delivery: 'waiting' });
    const socket = FakeSocket.last();
    expect(socket.token).toBe('st_2');
    socket.open();
    expect(socket.sentOfType('send_message')).toEqual([{ type: 'send_message', clientMessageId: pending, text: 'written just before the reload' }]);
    reloaded.stop();
  });
});

describe('close codes', () => {
  it('4409 during a refresh: waits for the refresh answer, then reconnects with the new token and resumes', async () => {
    const { controller, socket, service } = await started({ service: { history: [message({ id: 'h1', role: 'assistant', text: 'x' })] } });
    service.state.holdRefresh = true;
    const refreshing = controller.refreshNow();
    await settle();
    socket.drop(4409); // the close arrives before the refresh's answer
    await settle();
    expect(FakeSocket.instances).toHaveLength(1);
    service.release();
    await refreshing;
    await settle();
    const next = FakeSocket.last();
    expect(next.token).toBe('st_2');
    next.open();
    expect(next.sent[0]).toEqual({ type: 'resume', afterMessageId: 'h1' });
    controller.stop();
  });

  it('4401 for a guest: the session is over; a new conversation takes the unsent messages along', async () => {
    const { controller, socket, service } = await started();
    socket.drop(4401);
    await settle();
    expect(controller.getState().connection.phase).toBe('expired');
    controller.send('still want an answer');
    await controller.startNewConversation();
    await settle();
    expect(controller.getState().sessionId).toBe('ses_2');
    expect(service.callsTo('/support/chat/session')).toHaveLength(2);
    const next = FakeSocket.last();
    next.open();
    expect(next.sentOfType('send_message').map((frame) => frame.text)).toEqual(['still want an answer']);
    controller.stop();
  });

  it('4408 for a signed-in customer: the same conversation is resumed with resumeSessionId', async () => {
    const token = fakeJwt('cus_1');
    const { controller, socket, service } = await started({ getCustomerToken: async () => token });
    socket.drop(4408);
    await settle();
    const resume = service.callsTo('/support/chat/session')[1];
    expect(resume?.body).toMatchObject({ customerToken: token, resumeSessionId: 'ses_1' });
    expect(controller.getState().sessionId).toBe('ses_1');
    expect(FakeSocket.last().token).toBe('st_2');
    controller.stop();
  });

  it('4429: waits out the cool-down (over 10 s)', async () => {
    const { controller, socket } = await started();
    socket.drop(4429);
    await advance(9_900);
    expect(FakeSocket.instances).toHaveLength(1);
    await advance(1_000);
    expect(FakeSocket.instances).toHaveLength(2);
    controller.stop();
  });

  it('1012 (a node shutting down): reconnects within a second and resumes', async () => {
    const { controller, socket } = await started();
    socket.receive({ type: 'message', message: message({ id: 'm5', role: 'assistant', text: 'x' }) });
    socket.drop(1012);
    await advance(700);
    const next = FakeSocket.last();
    expect(next).not.toBe(socket);
    next.open();
    expect(next.sent).toEqual([{ type: 'resume', afterMessageId: 'm5' }]);
    // The replay repeats what we had: still one copy.
    next.receive({ type: 'message', message: message({ id: 'm5', role: 'assistant', text: 'x' }) });
    expect(controller.getState().conversation.items).toHaveLength(1);
    controller.stop();
  });
});

describe('token refresh', () => {
  it('refreshes at 80 % of the lifetime read on the server clock (its Date header 2 minutes ahead of ours)', async () => {
    const { controller, service } = await started({ service: { serverAheadMs: 120_000 } });
    // expiresAt is server now + 900 s, i.e. local now + 1020 s. Read on our own clock the refresh would come at
    // 816 s, after the token had expired; corrected (121 s: the Date header's second rounded up) 899 s are left.
    await advance(719_000);
    expect(service.callsTo(/\/refresh$/)).toHaveLength(0);
    await advance(400);
    expect(service.callsTo(/\/refresh$/)).toHaveLength(1);
    controller.stop();
  });

  it('a local clock ahead of the server does not make the refresh needlessly early', async () => {
    const { controller, service } = await started({ service: { serverAheadMs: -600_000 } });
    // expiresAt is local now + 300 s: uncorrected, the refresh would come after 240 s, needlessly early; corrected
    // for the skew (-599 s) the token still has 899 s on the server's clock.
    await advance(600_000);
    expect(service.callsTo(/\/refresh$/)).toHaveLength(0);
    await advance(120_000);
    expect(service.callsTo(/\/refresh$/)).toHaveLength(1);
    controller.stop();
  });

  it('with a correct clock, at 720 s of 900; the new token is used for the next connection and refreshed again', async () => {
    const { controller, service, socket } = await started();
    await advance(719_000);
    expect(service.callsTo(/\/refresh$/)).toHaveLength(0);
    await advance(1_000);
    expect(service.callsTo(/\/refresh$/)).toHaveLength(1);
    socket.drop(4409);
    await settle();
    expect(FakeSocket.last().token).toBe('st_2');
    await advance(720_000);
    expect(service.callsTo(/\/refresh$/)).toHaveLength(2);
    controller.stop();
  });

  it('a refresh lost on the network is tried again 10 s later; a refused one ends the session', async () => {
    const { controller, service } = await started();
    service.state.failRefresh = 0;
    await advance(720_000);
    expect(service.callsTo(/\/refresh$/)).toHaveLength(1);
    await advance(10_000);
    expect(service.callsTo(/\/refresh$/)).toHaveLength(2);
    service.state.failRefresh = 401;
    await advance(10_000);
    expect(controller.getState().connection.phase).toBe('expired');
    controller.stop();
  });

  it('tabs of one signed-in customer share the rotating token', async () => {
    const token = fakeJwt('cus_1');
    const tabA = await started({ getCustomerToken: async () => token });
    const tabB = tabA.make();
    await tabB.start();
    await settle();
    const socketB = FakeSocket.last();
    socketB.open();
    expect(tabB.getState().sessionId).toBe('ses_1');
    // Tab B's reopening refreshed the token: tab A's socket is closed with 4409 and picks up B's token.
    tabA.socket.drop(4409);
    await settle();
    expect(FakeSocket.last().token).toBe(socketB.token);
    tabA.controller.stop();
    tabB.stop();
  });
});

describe('events', () => {
  it('calls onEscalated once per ticket', async () => {
    const onEscalated = vi.fn();
    const { socket, controller } = await started({ onEscalated });
    socket.receive({ type: 'escalated', ticketId: 'T-1', mode: 'ticket' });
    socket.receive({ type: 'escalated', ticketId: 'T-1', mode: 'ticket' });
    expect(onEscalated).toHaveBeenCalledTimes(1);
    expect(onEscalated).toHaveBeenCalledWith({ ticketId: 'T-1', mode: 'ticket' });
    controller.stop();
  });

  it('ignores malformed frames and unknown events', async () => {
    const { socket, controller } = await started();
    socket.onmessage?.({ data: 'not json' });
    socket.receive({ type: 'message', message: { id: 'x' } } as Record<string, unknown>);
    socket.receive({ type: 'brand_new_event' });
    expect(controller.getState().conversation.items).toEqual([]);
    controller.stop();
  });

  it('escalate, feedback and confirmations need a connection', async () => {
    const { socket, controller } = await started();
    socket.receive({ type: 'message', message: message({ id: 'a1', role: 'assistant', text: 'x' }) });
    expect(controller.feedback('a1', 'up')).toBe(true);
    expect(controller.escalate()).toBe(true);
    expect(controller.escalate()).toBe(false); // already on its way
    expect(socket.sent.map((frame) => frame.type)).toEqual(['feedback', 'escalate']);
    socket.drop(1006);
    expect(controller.feedback('a1', 'down')).toBe(false);
    expect(controller.getState().conversation.notice?.code).toBe('not_connected');
    controller.stop();
  });

  it('clears a typing indicator that never ends after a minute', async () => {
    const { socket, controller } = await started();
    socket.receive({ type: 'typing', role: 'assistant', replyToMessageId: 'u1' });
    expect(controller.getState().conversation.typing).not.toBeNull();
    await advance(60_000);
    expect(controller.getState().conversation.typing).toBeNull();
    controller.stop();
  });
});

describe('earlier conversations', () => {
  it('lists them for a signed-in customer and reopens one with resumeSessionId', async () => {
    const token = fakeJwt('cus_1');
    const conversations = [{ sessionId: 'ses_1', startedAt: '2026-02-01T10:00:00Z', lastMessageAt: '2026-02-01T10:05:00Z', status: 'closed', preview: null }];
    const { controller, service } = await started({ getCustomerToken: async () => token, service: { conversations } });
    await settle();
    expect(controller.getState().conversations).toEqual({ available: true, loading: false, list: [{ ...conversations[0], preview: '' }] });
    expect(service.callsTo('/support/chat/conversations')[0]?.authorization).toBe(`Bearer ${token}`);
    await controller.startNewConversation();
    await settle();
    expect(controller.getState().sessionId).toBe('ses_2');
    await controller.openConversation('ses_1');
    await settle();
    expect(service.callsTo('/support/chat/session').at(-1)?.body).toMatchObject({ resumeSessionId: 'ses_1', customerToken: token });
    expect(controller.getState().sessionId).toBe('ses_1');
    controller.stop();
  });

  it('hides the list when the endpoint answers 404, and for guests', async () => {
    const signedIn = await started({ getCustomerToken: async () => fakeJwt('cus_1') });
    await settle();
    expect(signedIn.controller.getState().conversations.available).toBe(false);
    signedIn.controller.stop();
    const guest = await started();
    await guest.controller.loadConversations();
    expect(guest.service.callsTo('/support/chat/conversations')).toHaveLength(0);
    guest.controller.stop();
  });
});

describe('confirmation cards from the service', () => {
  const proposal = (partial: Partial<ProposedAction> = {}): ProposedAction => ({
    id: 'act_1',
    kind: 'booking_cancellation',
    bookingReference: 'SKY4F2',
    title: 'Cancel booking SKY4F2',
    details: [],
    fee: { amount: '0.00', currency: 'GBP' },
    refund: { amount: '1846.40', currency: 'GBP' },
    newStartDate: null,
    expiresAt: '2026-03-01T10:15:00.000Z',
    ...partial,
  });
  const transcript = () => [
    message({ id: 'u1', role: 'user', text: 'Cancel SKY4F2', clientMessageId: 'c1' }),
    message({ id: 'a1', role: 'assistant', text: 'Confirm on the card.', replyToMessageId: 'u1' }),
    message({ id: 'u2', role: 'user', text: 'Is SKY4F2 refundable?', clientMessageId: 'c2' }),
    message({ id: 'a2', role: 'assistant', text: 'SKY4F2 is fully refundable.', replyToMessageId: 'u2' }),
  ];
  const cards = (controller: ChatController) => controller.getState().conversation.actions.map((card) => [card.action.id, card.phase, card.anchor]);

  it('a browser with nothing stored rebuilds every card from the history, decided ones with their outcome', async () => {
    const actions = [proposal({ replyToMessageId: 'u1', status: 'done' }), proposal({ id: 'act_2', kind: 'booking_change', newStartDate: '2026-05-14', replyToMessageId: 'u2', status: 'pending' })];
    const { controller, socket } = await started({ service: { history: transcript(), actions } });
    expect(cards(controller)).toEqual([
      ['act_1', 'done', { replyTo: 'u1' }],
      ['act_2', 'pending', { replyTo: 'u2' }],
    ]);
    // The open one, proposed again on connect, stays one card; only it can be answered.
    socket.receive({ type: 'action_proposed', action: actions[1] as ProposedAction });
    expect(cards(controller)).toHaveLength(2);
    expect(controller.answerAction('act_1', 'confirm')).toBe(false);
    expect(controller.answerAction('act_2', 'confirm')).toBe(true);
    expect(socket.sentOfType('confirm_action')).toEqual([{ type: 'confirm_action', actionId: 'act_2' }]);
    controller.stop();
  });

  it('what this browser stored is a fallback: used only when the service lists no actions', async () => {
    const serviceOptions: FakeServiceOptions = { history: transcript() };
    const env = await started({ service: serviceOptions });
    // An older service: the card is seen live (no replyToMessageId), decided, and kept over a reload from storage.
    env.socket.receive({ type: 'action_proposed', action: proposal() });
    env.socket.receive({ type: 'action_updated', actionId: 'act_1', status: 'done' });
    env.controller.stop();
    const reloaded = env.make();
    await reloaded.start();
    await settle();
    expect(cards(reloaded)).toEqual([['act_1', 'done', { after: 'a2' }]]);
    reloaded.stop();

    // A service that lists the session's actions is believed over storage, its outcome and its place.
    serviceOptions.actions = [proposal({ replyToMessageId: 'u1', status: 'cancelled' })];
    const listed = env.make();
    await listed.start();
    await settle();
    expect(cards(listed)).toEqual([['act_1', 'cancelled', { replyTo: 'u1' }]]);
    listed.stop();
    // And a card it does not list is not shown from storage.
    serviceOptions.actions = [];
    const none = env.make();
    await none.start();
    await settle();
    expect(cards(none)).toEqual([]);
    none.stop();
  });

  it('takes the handoff mode from session_state, with nothing stored', async () => {
    const { controller, socket } = await started({ service: { history: [message({ id: 'h', role: 'system', kind: 'handoff', text: 'Ticket T-5 is open.' })] } });
    socket.receive({ type: 'session_state', sessionId: 'ses_1', status: 'escalated', ticketId: 'T-5', mode: 'ticket' });
    expect(controller.getState().conversation.escalation).toEqual({ ticketId: 'T-5', mode: 'ticket', agentName: null });
    controller.stop();
  });
});

describe('training consent', () => {
  const consentFrames = (socket: FakeSocket) => socket.sentOfType('consent');

  it('takes the answer from the session response, new or resumed', async () => {
    const fresh = await started({ service: { trainingConsent: null } });
    expect(fresh.controller.getState().conversation).toMatchObject({ trainingConsent: null, consentPending: null });
    fresh.controller.stop();

    FakeSocket.reset();
    const token = fakeJwt('cus_1');
    const env = setup({ getCustomerToken: async () => token, service: { trainingConsent: null } });
    await env.controller.start();
    await settle();
    env.controller.stop();
    // Answered meanwhile (in another browser): the resumed session's response says so.
    env.service.state.trainingConsent = true;
    const other = env.make({ storage: memoryStorage(), initialOpenSessionId: 'ses_1' });
    await other.start();
    await settle();
    expect(env.service.callsTo('/support/chat/session').at(-1)?.body).toMatchObject({ resumeSessionId: 'ses_1' });
    expect(other.getState().conversation.trainingConsent).toBe(true);
    other.stop();
  });

  it('sends the answer at once when connected; consent_recorded confirms it; answering again sends again', async () => {
    const { controller, socket } = await started({ service: { trainingConsent: null } });
    controller.answerConsent(true);
    expect(consentFrames(socket)).toEqual([{ type: 'consent', training: true }]);
    expect(controller.getState().conversation).toMatchObject({ trainingConsent: null, consentPending: true });
    socket.receive({ type: 'consent_recorded', training: true, at: '2026-03-01T10:00:01.000Z' });
    expect(controller.getState().conversation).toMatchObject({ trainingConsent: true, consentPending: null });

    controller.answerConsent(false);
    controller.answerConsent(false);
    expect(consentFrames(socket)).toEqual([
      { type: 'consent', training: true },
      { type: 'consent', training: false },
      { type: 'consent', training: false },
    ]);
    socket.receive({ type: 'consent_recorded', training: false, at: '2026-03-01T10:00:02.000Z' });
    expect(controller.getState().conversation).toMatchObject({ trainingConsent: false, consentPending: null });
    controller.stop();
  });

  it('an answer given while disconnected is sent once connected, once; not again after it is recorded', async () => {
    const { controller, socket } = await started();
    socket.drop(1006);
    controller.answerConsent(true);
    expect(consentFrames(socket)).toEqual([]);
    expect(controller.getState().conversation.consentPending).toBe(true);

    await advance(500); // first backoff step
    const next = FakeSocket.last();
    expect(next).not.toBe(socket);
    next.open();
    expect(consentFrames(next)).toEqual([{ type: 'consent', training: true }]);
    next.receive({ type: 'consent_recorded', training: true, at: '2026-03-01T10:00:01.000Z' });
    expect(controller.getState().conversation).toMatchObject({ trainingConsent: true, consentPending: null });

    next.drop(1006);
    await advance(500);
    const third = FakeSocket.last();
    expect(third).not.toBe(next);
    third.open();
    expect(consentFrames(third)).toEqual([]);
    controller.stop();
  });

  it('an answer the drop cut before it was recorded goes again after the reconnect', async () => {
    const { controller, socket } = await started();
    controller.answerConsent(false);
    socket.drop(1006);
    await advance(500);
    const next = FakeSocket.last();
    next.open();
    expect(consentFrames(next)).toEqual([{ type: 'consent', training: false }]);
    controller.stop();
  });

  it('another tab’s answer (consent_recorded) is taken as it comes', async () => {
    const { controller, socket } = await started();
    socket.receive({ type: 'consent_recorded', training: false, at: '2026-03-01T10:00:01.000Z' });
    expect(controller.getState().conversation.trainingConsent).toBe(false);
    expect(consentFrames(socket)).toEqual([]);
    controller.stop();
  });

  it('a reload (a token refresh, no session response) keeps the recorded answer and the one still on its way', async () => {
    const first = await started({ service: { trainingConsent: null } });
    first.controller.answerConsent(true);
    first.socket.receive({ type: 'consent_recorded', training: true, at: '2026-03-01T10:00:01.000Z' });
    first.controller.stop();

    const reloaded = first.make();
    await reloaded.start();
    await settle();
    expect(first.service.callsTo(/\/refresh$/)).toHaveLength(1);
    expect(reloaded.getState().conversation).toMatchObject({ trainingConsent: true, consentPending: null });
    const socket = FakeSocket.last();
    socket.open();
    expect(consentFrames(socket)).toEqual([]);
    // Changed while offline, then reloaded before it went: it goes on the next connection.
    socket.drop(1006);
    reloaded.answerConsent(false);
    reloaded.stop();

    const again = first.make();
    await again.start();
    await settle();
    expect(again.getState().conversation).toMatchObject({ trainingConsent: true, consentPending: false });
    const last = FakeSocket.last();
    last.open();
    expect(consentFrames(last)).toEqual([{ type: 'consent', training: false }]);
    again.stop();
  });
});

describe('end-of-chat rating', () => {
  const ratingFrames = (socket: FakeSocket) => socket.sentOfType('rate_conversation');

  it('sends the frame at once when connected (comment trimmed, empty left out); conversation_rated confirms it', async () => {
    const { controller, socket } = await started();
    expect(controller.rateConversation(4, '  Quick and clear  ')).toBe(true);
    expect(ratingFrames(socket)).toEqual([{ type: 'rate_conversation', score: 4, comment: 'Quick and clear' }]);
    expect(controller.getState().conversation).toMatchObject({ conversationRating: null, ratingPending: { score: 4, comment: 'Quick and clear' } });
    socket.receive({ type: 'conversation_rated', score: 4, at: '2026-03-01T10:00:01.000Z' });
    expect(controller.getState().conversation).toMatchObject({ conversationRating: { score: 4, at: '2026-03-01T10:00:01.000Z' }, ratingPending: null });

    // Rating again replaces it; a blank comment is not sent.
    controller.rateConversation(5, '   ');
    expect(ratingFrames(socket).at(-1)).toEqual({ type: 'rate_conversation', score: 5 });
    // Not a score of 1 to 5: nothing is sent.
    expect(controller.rateConversation(0)).toBe(false);
    expect(controller.rateConversation(6)).toBe(false);
    expect(controller.rateConversation(2.5)).toBe(false);
    expect(ratingFrames(socket)).toHaveLength(2);
    // A comment longer than the service takes is cut to 1000 characters.
    controller.rateConversation(3, 'x'.repeat(1200));
    expect((ratingFrames(socket).at(-1)?.comment as string).length).toBe(1000);
    controller.stop();
  });

  it('a rating given while disconnected goes once connected, once; not again after it is confirmed', async () => {
    const { controller, socket } = await started();
    socket.drop(1006);
    controller.rateConversation(4, 'Thanks');
    expect(ratingFrames(socket)).toEqual([]);
    expect(controller.getState().conversation.ratingPending).toEqual({ score: 4, comment: 'Thanks' });

    await advance(500); // first backoff step
    const next = FakeSocket.last();
    expect(next).not.toBe(socket);
    next.open();
    expect(ratingFrames(next)).toEqual([{ type: 'rate_conversation', score: 4, comment: 'Thanks' }]);
    next.receive({ type: 'conversation_rated', score: 4, at: '2026-03-01T10:00:01.000Z' });
    expect(controller.getState().conversation).toMatchObject({ conversationRating: { score: 4 }, ratingPending: null });

    next.drop(1006);
    await advance(500);
    const third = FakeSocket.last();
    expect(third).not.toBe(next);
    third.open();
    expect(ratingFrames(third)).toEqual([]);
    controller.stop();
  });

  it('a rating the drop cut before it was confirmed goes again after the reconnect, once', async () => {
    const { controller, socket } = await started();
    controller.rateConversation(2);
    expect(ratingFrames(socket)).toHaveLength(1);
    socket.drop(1006);
    await advance(500);
    const next = FakeSocket.last();
    next.open();
    expect(ratingFrames(next)).toEqual([{ type: 'rate_conversation', score: 2 }]);
    controller.stop();
  });

  it('a reload keeps the confirmed rating, its comment, and one still on its way (sent on the next connection)', async () => {
    const first = await started();
    first.controller.rateConversation(4, 'Helpful');
    first.socket.receive({ type: 'conversation_rated', score: 4, at: '2026-03-01T10:00:01.000Z' });
    first.controller.stop();

    const reloaded = first.make();
    await reloaded.start();
    await settle();
    expect(reloaded.getState().conversation).toMatchObject({ conversationRating: { score: 4, at: '2026-03-01T10:00:01.000Z' }, ratingPending: null, ratingComment: 'Helpful' });
    const socket = FakeSocket.last();
    socket.open();
    expect(ratingFrames(socket)).toEqual([]);
    // Changed while offline, then reloaded before it went: it goes on the next connection.
    socket.drop(1006);
    reloaded.rateConversation(5, 'Helpful');
    reloaded.stop();

    const again = first.make();
    await again.start();
    await settle();
    expect(again.getState().conversation).toMatchObject({ conversationRating: { score: 4 }, ratingPending: { score: 5, comment: 'Helpful' } });
    const last = FakeSocket.last();
    last.open();
    expect(ratingFrames(last)).toEqual([{ type: 'rate_conversation', score: 5, comment: 'Helpful' }]);
    again.stop();
  });

  it('reads back only a well-formed stored rating', async () => {
    const env = setup();
    await env.controller.start();
    await settle();
    const sessionId = env.controller.getState().sessionId as string;
    env.controller.stop();
    const key = `support-widget:v1:https://support.test:extras:${sessionId}`;
    expect(env.storage.session.getItem(key), 'the extras are stored under this key').not.toBeNull();
    env.storage.session.setItem(key, JSON.stringify({ conversationRating: { score: 9, at: 'x' }, ratingPending: { score: 'five' }, ratingComment: 42 }));
    const reloaded = env.make();
    await reloaded.start();
    await settle();
    expect(reloaded.getState().conversation).toMatchObject({ conversationRating: null, ratingPending: null, ratingComment: null });
    reloaded.stop();
  });
});
