import type { Message, ProposedAction, ServerEvent } from '@support/protocol';
import { describe, expect, it } from 'vitest';
import { message } from '../test-support/fakes.js';
import {
  asksConsent,
  canRate,
  consentAnswer,
  conversationReducer,
  initialConversation,
  ratingScore,
  lastSeenMessageId,
  outbox,
  timeline,
  type ConversationAction,
  type ConversationState,
} from './conversation.js';

const run = (actions: ConversationAction[], from: ConversationState = initialConversation) => actions.reduce(conversationReducer, from);
const server = (event: ServerEvent): ConversationAction => ({ type: 'server', event });
const msg = (m: Message): ConversationAction => server({ type: 'message', message: m });
const delta = (messageId: string, text: string, replyToMessageId?: string): ConversationAction =>
  server({ type: 'message_delta', messageId, delta: text, ...(replyToMessageId ? { replyToMessageId } : {}) });
const send = (clientMessageId: string, text = 'hello'): ConversationAction => ({ type: 'local_send', clientMessageId, text, createdAt: '2026-03-01T10:00:00.000Z', delivery: 'sending' });
const texts = (state: ConversationState) => state.items.map((item) => `${item.role}:${item.text}`);

function action(partial: Partial<ProposedAction> = {}): ProposedAction {
  return {
    id: 'act_1',
    kind: 'booking_cancellation',
    bookingReference: 'SKY4F2',
    title: 'Cancel booking SKY4F2',
    details: ['Cancellation fee: 75.00 EUR', 'Refund: 100.00 EUR to your card', 'Standard fares cancel for a fee.'],
    fee: { amount: '75.00', currency: 'EUR' },
    refund: { amount: '100.00', currency: 'EUR' },
    newStartDate: null,
    expiresAt: '2026-03-01T10:15:00.000Z',
    ...partial,
  };
}

describe('streaming replies', () => {
  it('appends deltas, then the final message replaces them in place', () => {
    const streamed = run([delta('a1', 'Hel', 'u1'), delta('a1', 'lo wor', 'u1')]);
    expect(streamed.items).toHaveLength(1);
    expect(streamed.items[0]).toMatchObject({ id: 'a1', role: 'assistant', text: 'Hello wor', streaming: true });

    const final = conversationReducer(streamed, msg(message({ id: 'a1', role: 'assistant', text: 'Sorry, something went wrong.', replyToMessageId: 'u1' })));
    expect(final.items).toHaveLength(1);
    expect(final.items[0]).toMatchObject({ id: 'a1', text: 'Sorry, something went wrong.', streaming: false, key: streamed.items[0]?.key });
  });

  it('ignores deltas that arrive after the final form', () => {
    const state = run([delta('a1', 'Hi', 'u1'), msg(message({ id: 'a1', role: 'assistant', text: 'Hi there', replyToMessageId: 'u1' })), delta('a1', ' again', 'u1')]);
    expect(texts(state)).toEqual(['assistant:Hi there']);
  });

  it('a final message without deltas is shown once', () => {
    const state = run([msg(message({ id: 'a2', role: 'assistant', text: 'Direct answer' }))]);
    expect(state.items).toHaveLength(1);
    expect(state.items[0]?.streaming).toBe(false);
  });

  it('drops a half-streamed reply when the final reply to the same message arrives under another id (take-over)', () => {
    const state = run([
      msg(message({ id: 'u1', role: 'user', text: 'question', clientMessageId: 'c1' })),
      delta('dead-node', 'The answer is', 'u1'),
      delta('new-node', 'The answer', 'u1'),
      msg(message({ id: 'new-node', role: 'assistant', text: 'The answer is 42.', replyToMessageId: 'u1' })),
    ]);
    expect(texts(state)).toEqual(['user:question', 'assistant:The answer is 42.']);
  });

  it('ignores a late stream for a message whose final reply is already here', () => {
    const state = run([msg(message({ id: 'final', role: 'assistant', text: 'Done.', replyToMessageId: 'u1' })), delta('late', 'partial', 'u1')]);
    expect(texts(state)).toEqual(['assistant:Done.']);
  });

  it('the handoff notice ends the unfinished stream it answers, and the typing indicator', () => {
    const state = run([
      server({ type: 'typing', role: 'assistant', replyToMessageId: 'u1' }),
      delta('a1', 'Let me', 'u1'),
      server({ type: 'escalated', ticketId: 'T-1', mode: 'live_agent' }),
      msg(message({ id: 'n1', role: 'system', kind: 'handoff', text: 'Connecting you (ticket T-1).', replyToMessageId: 'u1' })),
    ]);
    expect(texts(state)).toEqual(['system:Connecting you (ticket T-1).']);
    expect(state.typing).toBeNull();
    expect(state.status).toBe('escalated');
  });
});

describe('messages are kept by id', () => {
  it('shows a message replayed by resume (or a pub/sub gap) once, where it was first', () => {
    const a = message({ id: 'm1', role: 'assistant', text: 'first' });
    const b = message({ id: 'm2', role: 'assistant', text: 'second' });
    const state = run([{ type: 'history', messages: [a, b] }, msg(a), msg(b), msg(a)]);
    expect(state.items.map((item) => item.id)).toEqual(['m1', 'm2']);
  });

  it('merges the echo of our own message with its unacknowledged copy (echo first, ack later)', () => {
    const state = run([send('c1', 'my question'), msg(message({ id: 'u1', role: 'user', text: 'my question', clientMessageId: 'c1' })), server({ type: 'ack', clientMessageId: 'c1', messageId: 'u1' })]);
    expect(state.items).toHaveLength(1);
    expect(state.items[0]).toMatchObject({ id: 'u1', delivery: 'sent' });
    expect(outbox(state)).toEqual([]);
  });

  it('ack first, then the echo: still one message', () => {
    const state = run([send('c1'), server({ type: 'ack', clientMessageId: 'c1', messageId: 'u1' }), msg(message({ id: 'u1', role: 'user', text: 'hello', clientMessageId: 'c1' }))]);
    expect(state.items).toHaveLength(1);
    expect(state.items[0]?.key).toBe('c:c1');
  });

  it('keeps unacknowledged messages last: replies that arrive meanwhile go before them', () => {
    const state = run([send('c1', 'offline question'), msg(message({ id: 'a0', role: 'assistant', text: 'reply to an earlier message' }))]);
    expect(texts(state)).toEqual(['assistant:reply to an earlier message', 'user:offline question']);
    expect(outbox(state)).toEqual([{ clientMessageId: 'c1', text: 'offline question', createdAt: '2026-03-01T10:00:00.000Z' }]);
  });

  it('resumes after the newest final message, never a streaming or unacknowledged one', () => {
    const state = run([msg(message({ id: 'm1', role: 'assistant', text: 'a' })), delta('m2', 'streaming'), send('c1')]);
    expect(lastSeenMessageId(state)).toBe('m1');
    expect(lastSeenMessageId(initialConversation)).toBeNull();
  });

  it('an error for a send_message marks that message failed and takes it out of the outbox', () => {
    const state = run([send('c1'), server({ type: 'error', code: 'too_long', message: 'too long', clientMessageId: 'c1' })]);
    expect(state.items[0]).toMatchObject({ delivery: 'failed', failure: { code: 'too_long' } });
    expect(outbox(state)).toEqual([]);
  });

  it('a lost connection puts unacknowledged messages back to waiting', () => {
    const state = run([send('c1'), { type: 'connection_lost' }]);
    expect(state.items[0]?.delivery).toBe('waiting');
  });
});

describe('assistant and people', () => {
  it('escalated, then agent_joined, then resolved: back with the assistant', () => {
    let state = run([{ type: 'escalate_requested' }]);
    expect(state.status).toBe('escalating');
    state = run([server({ type: 'escalated', ticketId: 'T-9', mode: 'live_agent' }), msg(message({ id: 'h', role: 'system', kind: 'handoff', text: 'notice' }))], state);
    expect(state.status).toBe('escalated');
    expect(state.escalation).toEqual({ ticketId: 'T-9', mode: 'live_agent', agentName: null });
    state = run([server({ type: 'agent_joined', agentName: 'Maya Chen' }), msg(message({ id: 'j', role: 'system', kind: 'agent_joined', authorName: 'Maya Chen', text: 'Maya joined' }))], state);
    expect(state.escalation?.agentName).toBe('Maya Chen');
    state = run([msg(message({ id: 'ag', role: 'agent', authorName: 'Maya Chen', text: 'Hi!' })), msg(message({ id: 'r', role: 'system', kind: 'resolved', text: 'resolved' }))], state);
    expect(state.status).toBe('ai');
    expect(state.escalation).toBeNull();
  });

  it('handed_back returns to the assistant too, and a replayed old handoff does not escalate again', () => {
    const handoff = message({ id: 'h', role: 'system', kind: 'handoff', text: 'notice' });
    let state = run([msg(handoff), msg(message({ id: 'b', role: 'system', kind: 'handed_back', text: 'back' }))]);
    expect(state.status).toBe('ai');
    state = run([msg(handoff)], state); // resume replays it
    expect(state.status).toBe('ai');
  });

  it('history tells where the conversation stands; session_state corrects it', () => {
    let state = run([{ type: 'history', messages: [message({ id: 'h', role: 'system', kind: 'handoff', text: 'n' })] }]);
    expect(state.status).toBe('escalated');
    state = run([server({ type: 'session_state', sessionId: 's', status: 'escalated', ticketId: 'T-2' })], state);
    expect(state.escalation?.ticketId).toBe('T-2');
    state = run([server({ type: 'session_state', sessionId: 's', status: 'ai', ticketId: null })], state);
    expect(state.status).toBe('ai');
    state = run([server({ type: 'session_state', sessionId: 's', status: 'closed', ticketId: null })], state);
    expect(state.status).toBe('closed');
  });

  it('a failed escalation lets the customer try again', () => {
    const state = run([{ type: 'escalate_requested' }, server({ type: 'error', code: 'rate_limited', message: 'wait' })]);
    expect(state.status).toBe('ai');
    expect(state.notice?.code).toBe('rate_limited');
  });

  it('session_state names the mode: a browser that never saw `escalated` (nor stored it) shows the ticket view', () => {
    const history: ConversationAction = { type: 'history', messages: [message({ id: 'h', role: 'system', kind: 'handoff', text: 'away until 9:00' })] };
    const ticket = run([history, server({ type: 'session_state', sessionId: 's', status: 'escalated', ticketId: 'T-4', mode: 'ticket' })]);
    expect(ticket.escalation).toEqual({ ticketId: 'T-4', mode: 'ticket', agentName: null });
    // What the service says wins over what this browser stored.
    const live = run([history, { type: 'restore', escalationMode: 'ticket', ticketId: 'T-4' }, server({ type: 'session_state', sessionId: 's', status: 'escalated', ticketId: 'T-4', mode: 'live_agent' })]);
    expect(live.escalation?.mode).toBe('live_agent');
  });

  it('keeps the ticket mode restored from storage for the same ticket (a service that does not name the mode)', () => {
    const state = run([
      { type: 'history', messages: [message({ id: 'h', role: 'system', kind: 'handoff', text: 'away until 9:00' })] },
      { type: 'restore', escalationMode: 'ticket', ticketId: 'T-3' },
      server({ type: 'session_state', sessionId: 's', status: 'escalated', ticketId: 'T-3' }),
    ]);
    expect(state.escalation).toEqual({ ticketId: 'T-3', mode: 'ticket', agentName: null });
  });

  it('typing indicator: shown for assistant and agent, cleared by their message, never for a reply already here', () => {
    let state = run([server({ type: 'typing', role: 'agent' })]);
    expect(state.typing).toEqual({ role: 'agent' });
    state = run([msg(message({ id: 'x', role: 'agent', text: 'hi' }))], state);
    expect(state.typing).toBeNull();
    state = run([msg(message({ id: 'y', role: 'assistant', text: 'done', replyToMessageId: 'u1' })), server({ type: 'typing', role: 'assistant', replyToMessageId: 'u1' })], state);
    expect(state.typing).toBeNull();
    expect(run([server({ type: 'typing', role: 'user' })]).typing).toBeNull();
  });
});

describe('feedback', () => {
  it('pending until feedback_recorded, which sets the rating', () => {
    let state = run([msg(message({ id: 'a', role: 'assistant', text: 'x' })), { type: 'feedback_requested', messageId: 'a', rating: 'up' }]);
    expect(state.items[0]?.feedbackPending).toBe('up');
    state = run([server({ type: 'feedback_recorded', messageId: 'a', rating: 'up' })], state);
    expect(state.items[0]).toMatchObject({ rating: 'up', feedbackPending: undefined });
  });

  it('a failed feedback can be given again', () => {
    const state = run([msg(message({ id: 'a', role: 'assistant', text: 'x' })), { type: 'feedback_requested', messageId: 'a', rating: 'down' }, server({ type: 'error', code: 'rate_limited', message: 'slow' })]);
    expect(state.items[0]?.feedbackPending).toBeUndefined();
  });
});

describe('confirmation cards', () => {
  const question = message({ id: 'u1', role: 'user', text: 'Cancel SKY4F2 please', clientMessageId: 'c1' });

  it('a live card goes right after the reply that introduced it, even when the reply arrives after the card', () => {
    const state = run([
      msg(question),
      server({ type: 'typing', role: 'assistant', replyToMessageId: 'u1' }),
      server({ type: 'action_proposed', action: action() }),
      delta('a1', 'I can cancel SKY4F2', 'u1'),
      msg(message({ id: 'a1', role: 'assistant', text: 'I can cancel SKY4F2 for you. Confirm below.', replyToMessageId: 'u1' })),
      msg(message({ id: 'u2', role: 'user', text: 'thanks', clientMessageId: 'c2' })),
    ]);
    expect(state.actions[0]?.anchor).toEqual({ replyTo: 'u1' });
    expect(timeline(state).map((entry) => (entry.type === 'message' ? entry.item.id : `card:${entry.card.action.id}`))).toEqual(['u1', 'a1', 'card:act_1', 'u2']);
  });

  it('after a reload, a pending card proposed again on connect goes after the reply naming its booking', () => {
    const state = run([
      {
        type: 'history',
        messages: [
          question,
          message({ id: 'a1', role: 'assistant', text: 'Booking SKY4F2 can be cancelled.', replyToMessageId: 'u1' }),
          message({ id: 'u2', role: 'user', text: 'hmm', clientMessageId: 'c2' }),
          message({ id: 'a2', role: 'assistant', text: 'Take your time.', replyToMessageId: 'u2' }),
        ],
      },
      server({ type: 'action_proposed', action: action() }),
    ]);
    expect(timeline(state).map((entry) => (entry.type === 'message' ? entry.item.id : 'card'))).toEqual(['u1', 'a1', 'card', 'u2', 'a2']);
  });

  it('answering disables it; action_updated gives the outcome, which stays', () => {
    let state = run([msg(question), server({ type: 'action_proposed', action: action() }), { type: 'action_answered', actionId: 'act_1', answer: 'cancel' }]);
    expect(state.actions[0]?.phase).toBe('cancelling');
    state = run([server({ type: 'action_updated', actionId: 'act_1', status: 'cancelled' })], state);
    expect(state.actions[0]?.phase).toBe('cancelled');
    // More conversation: the decided card is still there.
    state = run([msg(message({ id: 'a9', role: 'assistant', text: 'Okay, nothing changed.' }))], state);
    expect(timeline(state).filter((entry) => entry.type === 'action')).toHaveLength(1);
  });

  it('an answer refused by the service (expired) shows that outcome; any other error lets the customer answer again', () => {
    const proposed = run([msg(question), server({ type: 'action_proposed', action: action() })]);
    const expired = run([{ type: 'action_answered', actionId: 'act_1', answer: 'confirm' }, server({ type: 'error', code: 'action_expired', message: 'expired' })], proposed);
    expect(expired.actions[0]?.phase).toBe('expired');
    expect(expired.notice).toBeNull();
    const limited = run([{ type: 'action_answered', actionId: 'act_1', answer: 'confirm' }, server({ type: 'error', code: 'rate_limited', message: 'wait' })], proposed);
    expect(limited.actions[0]?.phase).toBe('pending');
  });

  it('a proposal seen again on reconnect is not duplicated', () => {
    const state = run([msg(question), server({ type: 'action_proposed', action: action() }), server({ type: 'action_proposed', action: action() })]);
    expect(state.actions).toHaveLength(1);
  });

  it('cards restored from storage keep their outcome and are not duplicated', () => {
    const card = { action: action(), anchor: { after: 'a1' }, phase: 'done' as const };
    const state = run([{ type: 'history', messages: [question, message({ id: 'a1', role: 'assistant', text: 'x' })] }, { type: 'restore', actions: [card] }, { type: 'restore', actions: [card] }]);
    expect(state.actions).toEqual([card]);
    expect(timeline(state).map((entry) => entry.type)).toEqual(['message', 'message', 'action']);
  });

  it('a card goes right after the reply to the message the service names, not after a later reply naming its booking', () => {
    const messages = [
      question,
      message({ id: 'a1', role: 'assistant', text: 'I have prepared the cancellation; confirm on the card.', replyToMessageId: 'u1' }),
      message({ id: 'u2', role: 'user', text: 'Is SKY4F2 refundable?', clientMessageId: 'c2' }),
      message({ id: 'a2', role: 'assistant', text: 'SKY4F2 is a Flex fare: fully refundable.', replyToMessageId: 'u2' }),
    ];
    const order = (state: ConversationState) => timeline(state).map((entry) => (entry.type === 'message' ? entry.item.id : 'card'));
    // Proposed again on connect after a reload, named by the service:
    const named = run([{ type: 'history', messages }, server({ type: 'action_proposed', action: action({ replyToMessageId: 'u1', status: 'pending' }) })]);
    expect(named.actions[0]?.anchor).toEqual({ replyTo: 'u1' });
    expect(order(named)).toEqual(['u1', 'a1', 'card', 'u2', 'a2']);
    // Without the field (an older service) the guess: the last reply naming the booking.
    expect(order(run([{ type: 'history', messages }, server({ type: 'action_proposed', action: action() })]))).toEqual(['u1', 'a1', 'u2', 'a2', 'card']);
    // A card restored from storage with a guessed place moves where the service says.
    const moved = run([{ type: 'history', messages }, { type: 'restore', actions: [{ action: action(), anchor: { after: 'a2' }, phase: 'pending' }] }, server({ type: 'action_proposed', action: action({ replyToMessageId: 'u1' }) })]);
    expect(order(moved)).toEqual(['u1', 'a1', 'card', 'u2', 'a2']);
  });

  it('the history’s actions rebuild every card, decided ones with their outcome, without anything stored', () => {
    const state = run([
      {
        type: 'history',
        messages: [
          question,
          message({ id: 'a1', role: 'assistant', text: 'Confirm below.', replyToMessageId: 'u1' }),
          message({ id: 'u2', role: 'user', text: 'Move K7QM2A instead', clientMessageId: 'c2' }),
          message({ id: 'a2', role: 'assistant', text: 'Confirm the new dates below.', replyToMessageId: 'u2' }),
          message({ id: 'n1', role: 'assistant', text: 'Done: booking K7QM2A now starts on 14 May.' }),
          message({ id: 'u3', role: 'user', text: 'And SKY4F2 after all', clientMessageId: 'c3' }),
          message({ id: 'a3', role: 'assistant', text: 'Here it is again.', replyToMessageId: 'u3' }),
        ],
        actions: [
          action({ id: 'one', replyToMessageId: 'u1', status: 'cancelled' }),
          action({ id: 'two', kind: 'booking_change', bookingReference: 'K7QM2A', replyToMessageId: 'u2', status: 'done' }),
          action({ id: 'three', replyToMessageId: 'u3', status: 'pending' }),
        ],
      },
    ]);
    expect(state.actions.map((card) => [card.action.id, card.phase])).toEqual([
      ['one', 'cancelled'],
      ['two', 'done'],
      ['three', 'pending'],
    ]);
    expect(timeline(state).map((entry) => (entry.type === 'message' ? entry.item.id : `card:${entry.card.action.id}`))).toEqual([
      'u1',
      'a1',
      'card:one',
      'u2',
      'a2',
      'card:two',
      'n1',
      'u3',
      'a3',
      'card:three',
    ]);
    // Storage (a fallback) adds nothing over the service's list and changes no outcome.
    const restored = run([{ type: 'restore', actions: [{ action: action({ id: 'two' }), anchor: null, phase: 'pending' }] }], state);
    expect(restored.actions).toEqual(state.actions);
  });

  it('an error that names its action settles that card alone', () => {
    const proposed = run([
      msg(question),
      msg(message({ id: 'a1', role: 'assistant', text: 'x', replyToMessageId: 'u1' })),
      server({ type: 'action_proposed', action: action({ id: 'one' }) }),
      server({ type: 'action_proposed', action: action({ id: 'two', kind: 'booking_change' }) }),
      { type: 'action_answered', actionId: 'one', answer: 'confirm' },
      { type: 'action_answered', actionId: 'two', answer: 'cancel' },
      { type: 'feedback_requested', messageId: 'a1', rating: 'up' },
      { type: 'escalate_requested' },
    ]);
    const expired = run([server({ type: 'error', code: 'action_expired', message: 'expired', actionId: 'two' })], proposed);
    expect(expired.actions.map((card) => card.phase)).toEqual(['confirming', 'expired']);
    // Nothing else was refused: the other card, the feedback and the escalation still wait for their answers.
    expect(expired.items[1]?.feedbackPending).toBe('up');
    expect(expired.status).toBe('escalating');
    expect(expired.notice).toBeNull();
    // A retryable refusal: that card can be answered again, with the reason shown.
    const limited = run([server({ type: 'error', code: 'rate_limited', message: 'wait', actionId: 'one' })], expired);
    expect(limited.actions.map((card) => card.phase)).toEqual(['pending', 'expired']);
    expect(limited.notice?.code).toBe('rate_limited');
    // A card whose outcome arrived first (another tab decided it) keeps that outcome.
    const decided = run([server({ type: 'action_updated', actionId: 'one', status: 'done' }), server({ type: 'error', code: 'action_already_decided', message: 'decided', actionId: 'one' })], proposed);
    expect(decided.actions[0]?.phase).toBe('done');
  });

  it('orders several cards in the order they were proposed', () => {
    const state = run([msg(question), server({ type: 'action_proposed', action: action({ id: 'one' }) }), server({ type: 'action_proposed', action: action({ id: 'two', kind: 'booking_change' }) })]);
    expect(timeline(state).flatMap((entry) => (entry.type === 'action' ? [entry.card.action.id] : []))).toEqual(['one', 'two']);
  });
});

describe('notices', () => {
  it('session_closed closes the conversation; resume_in_progress is not shown', () => {
    expect(run([server({ type: 'error', code: 'session_closed', message: 'closed' })]).status).toBe('closed');
    expect(run([server({ type: 'error', code: 'resume_in_progress', message: 'wait' })]).notice).toBeNull();
    expect(run([{ type: 'notice', code: 'not_connected' }, { type: 'dismiss_notice' }]).notice).toBeNull();
  });
});

describe('training consent', () => {
  const recorded = (training: boolean): ConversationAction => server({ type: 'consent_recorded', training, at: '2026-03-01T10:05:00.000Z' });
  const answered: ConversationAction[] = [{ type: 'history', messages: [] }, msg(message({ id: 'u1', role: 'user', text: 'hi' })), msg(message({ id: 'a1', role: 'assistant', text: 'hello', replyToMessageId: 'u1' }))];

  it('starts unanswered and takes the session response’s value', () => {
    expect(initialConversation).toMatchObject({ trainingConsent: null, consentPending: null });
    expect(run([{ type: 'session', trainingConsent: true }]).trainingConsent).toBe(true);
    expect(run([{ type: 'session', trainingConsent: false }]).trainingConsent).toBe(false);
    expect(run([{ type: 'session', trainingConsent: true }, { type: 'session', trainingConsent: null }]).trainingConsent).toBeNull();
    // An answer of this browser still on its way (after a reload) is kept.
    expect(run([{ type: 'session', trainingConsent: null, consentPending: false }])).toMatchObject({ trainingConsent: null, consentPending: false });
    // The same value again changes nothing (no re-render).
    const state = run([{ type: 'session', trainingConsent: true }]);
    expect(conversationReducer(state, { type: 'session', trainingConsent: true })).toBe(state);
  });

  it('consent_recorded updates it, whichever tab answered, and may change it again', () => {
    expect(run([recorded(true)]).trainingConsent).toBe(true);
    expect(run([{ type: 'session', trainingConsent: true }, recorded(false)]).trainingConsent).toBe(false);
    expect(run([recorded(false), recorded(true)]).trainingConsent).toBe(true);
  });

  it('an answer is shown at once and is on its way until the service records that answer', () => {
    const sent = run([{ type: 'consent_answered', training: true }]);
    expect(sent).toMatchObject({ trainingConsent: null, consentPending: true });
    expect(consentAnswer(sent)).toBe(true);
    expect(run([recorded(true)], sent)).toMatchObject({ trainingConsent: true, consentPending: null });
    // Another tab's different answer recorded first: ours is still to come (and then wins).
    const other = run([recorded(false)], sent);
    expect(other).toMatchObject({ trainingConsent: false, consentPending: true });
    expect(consentAnswer(other)).toBe(true);
    expect(run([recorded(true)], other)).toMatchObject({ trainingConsent: true, consentPending: null });
  });

  it('is not touched by any other event or action', () => {
    const start = run([{ type: 'session', trainingConsent: true }, { type: 'consent_answered', training: false }]);
    const after = run(
      [
        { type: 'history', messages: [message({ id: 'h1', role: 'assistant', text: 'earlier' })] },
        send('c1'),
        server({ type: 'ack', clientMessageId: 'c1', messageId: 'u1' }),
        delta('a1', 'Hi', 'u1'),
        msg(message({ id: 'a1', role: 'assistant', text: 'Hi there', replyToMessageId: 'u1' })),
        server({ type: 'feedback_recorded', messageId: 'a1', rating: 'up' }),
        server({ type: 'typing', role: 'assistant' }),
        server({ type: 'escalated', ticketId: 'T1', mode: 'ticket' }),
        server({ type: 'session_state', sessionId: 's', status: 'escalated', ticketId: 'T1', mode: 'ticket' }),
        server({ type: 'error', code: 'rate_limited', message: 'wait' }),
        { type: 'connection_lost' },
        { type: 'restore', actions: [], escalationMode: 'ticket' },
        { type: 'notice', code: 'not_connected' },
        { type: 'dismiss_notice' },
      ],
      start,
    );
    expect(after).toMatchObject({ trainingConsent: true, consentPending: false });
    expect(run([{ type: 'reset' }], after)).toMatchObject({ trainingConsent: null, consentPending: null });
  });

  it('is asked once the assistant has answered, not while its reply streams, and not once answered', () => {
    expect(asksConsent(run([{ type: 'history', messages: [] }]))).toBe(false);
    expect(asksConsent(run([{ type: 'history', messages: [] }, send('c1'), server({ type: 'ack', clientMessageId: 'c1', messageId: 'u1' }), delta('a1', 'Hel', 'u1')]))).toBe(false);
    const replied = run(answered);
    expect(asksConsent(replied)).toBe(true);
    expect(asksConsent(run([{ type: 'consent_answered', training: false }], replied))).toBe(false);
    expect(asksConsent(run([recorded(true)], replied))).toBe(false);
    expect(asksConsent(run([{ type: 'session', trainingConsent: false }], replied))).toBe(false);
    // Nor in a closed conversation.
    expect(asksConsent(run([server({ type: 'session_state', sessionId: 's', status: 'closed', ticketId: null })], replied))).toBe(false);
  });
});

describe('end-of-chat rating', () => {
  const rated = (score: number, at = '2026-03-01T10:06:00.000Z'): ConversationAction => server({ type: 'conversation_rated', score, at });

  it('starts unrated; conversation_rated sets it, whichever tab rated, and rating again replaces it', () => {
    expect(initialConversation).toMatchObject({ conversationRating: null, ratingPending: null, ratingComment: null });
    expect(run([rated(4)]).conversationRating).toEqual({ score: 4, at: '2026-03-01T10:06:00.000Z' });
    expect(run([rated(4), rated(2, '2026-03-01T10:07:00.000Z')]).conversationRating).toEqual({ score: 2, at: '2026-03-01T10:07:00.000Z' });
    expect(ratingScore(run([rated(3)]))).toBe(3);
    expect(ratingScore(initialConversation)).toBeNull();
  });

  it('a rating is shown at once and is on its way until the service confirms that score', () => {
    const sent = run([{ type: 'rating_answered', score: 4, comment: 'Quick and clear' }]);
    expect(sent).toMatchObject({ conversationRating: null, ratingPending: { score: 4, comment: 'Quick and clear' }, ratingComment: 'Quick and clear' });
    expect(ratingScore(sent)).toBe(4);
    const confirmed = run([rated(4)], sent);
    expect(confirmed).toMatchObject({ conversationRating: { score: 4 }, ratingPending: null, ratingComment: 'Quick and clear' });
    // Another tab's different rating confirmed first: ours is still to come (and then wins).
    const other = run([rated(1)], sent);
    expect(other).toMatchObject({ conversationRating: { score: 1 }, ratingPending: { score: 4 } });
    expect(ratingScore(other)).toBe(4);
    expect(run([rated(4)], other)).toMatchObject({ conversationRating: { score: 4 }, ratingPending: null });
    // Without a comment: none is kept.
    expect(run([{ type: 'rating_answered', score: 5 }], confirmed)).toMatchObject({ ratingPending: { score: 5 }, ratingComment: null });
    expect(run([{ type: 'rating_answered', score: 5 }], confirmed).ratingPending).not.toHaveProperty('comment');
  });

  it('a session restores what this browser knew; other events leave it alone; reset clears it', () => {
    const restored = run([{ type: 'session', trainingConsent: null, conversationRating: { score: 2, at: 'x' }, ratingPending: { score: 3 }, ratingComment: 'ok' }]);
    expect(restored).toMatchObject({ conversationRating: { score: 2, at: 'x' }, ratingPending: { score: 3 }, ratingComment: 'ok' });
    // A session action that says nothing of the rating (a resumed session after a lost token) keeps it.
    expect(run([{ type: 'session', trainingConsent: true }], restored)).toMatchObject({ conversationRating: { score: 2 }, ratingPending: { score: 3 }, ratingComment: 'ok' });
    const after = run(
      [
        { type: 'history', messages: [message({ id: 'h1', role: 'assistant', text: 'earlier' })] },
        server({ type: 'consent_recorded', training: true, at: 'y' }),
        server({ type: 'session_state', sessionId: 's', status: 'ai', ticketId: null }),
        server({ type: 'error', code: 'rate_limited', message: 'wait' }),
        { type: 'connection_lost' },
        { type: 'consent_answered', training: false },
      ],
      restored,
    );
    expect(after).toMatchObject({ conversationRating: { score: 2 }, ratingPending: { score: 3 } });
    expect(run([{ type: 'reset' }], after)).toMatchObject({ conversationRating: null, ratingPending: null, ratingComment: null });
  });

  it('may be rated once the assistant or an agent has answered (a final reply), not before', () => {
    expect(canRate(run([{ type: 'history', messages: [] }]))).toBe(false);
    expect(canRate(run([{ type: 'history', messages: [] }, send('c1'), server({ type: 'ack', clientMessageId: 'c1', messageId: 'u1' }), delta('a1', 'Hel', 'u1')]))).toBe(false);
    expect(canRate(run([{ type: 'history', messages: [message({ id: 's1', role: 'system', kind: 'handoff', text: 'handed over' })] }]))).toBe(false);
    expect(canRate(run([{ type: 'history', messages: [message({ id: 'a1', role: 'assistant', text: 'hello' })] }]))).toBe(true);
    expect(canRate(run([{ type: 'history', messages: [message({ id: 'g1', role: 'agent', text: 'Maya here', authorName: 'Maya' })] }]))).toBe(true);
    // Not before the history is there.
    expect(canRate(run([msg(message({ id: 'a1', role: 'assistant', text: 'hello' }))]))).toBe(false);
  });
});
