import { describe, expect, it } from 'vitest';
import { parseConversations, parseHistory, parseServerEvent, parseSessionResponse } from './guards.js';

const ACTION = { id: 'a', kind: 'booking_cancellation', bookingReference: 'R', title: 't', details: [], fee: { amount: '1', currency: 'EUR' }, refund: null, newStartDate: null, expiresAt: 'e' };

describe('inbound guards', () => {
  it('accepts every event of the contract', () => {
    const events = [
      { type: 'ack', clientMessageId: 'c', messageId: 'm' },
      { type: 'message_delta', messageId: 'm', delta: 'x', replyToMessageId: 'u' },
      { type: 'message', message: { id: 'm', role: 'assistant', text: 't', createdAt: '2026-01-01T00:00:00Z', citations: [{ articleId: 'a', title: 'T', url: 'https://x', ref: 1 }], replyToMessageId: 'u', rating: 'up' } },
      { type: 'escalated', ticketId: 'T', mode: 'ticket' },
      { type: 'agent_joined', agentName: 'Maya' },
      { type: 'error', code: 'rate_limited', message: 'wait', retryable: true, clientMessageId: 'c' },
      { type: 'feedback_recorded', messageId: 'm', rating: 'down' },
      { type: 'session_state', sessionId: 's', status: 'ai', ticketId: null },
      { type: 'session_state', sessionId: 's', status: 'escalated', ticketId: 'T', mode: 'ticket' },
      { type: 'error', code: 'action_expired', message: 'expired', actionId: 'a' },
      { type: 'typing', role: 'agent' },
      { type: 'action_updated', actionId: 'a', status: 'done' },
      { type: 'consent_recorded', training: true, at: '2026-01-01T00:00:00.000Z' },
      { type: 'consent_recorded', training: false, at: '2026-01-01T00:01:00.000Z' },
      { type: 'conversation_rated', score: 4, at: '2026-01-01T00:02:00.000Z' },
      {
        type: 'action_proposed',
        action: { id: 'a', kind: 'booking_change', bookingReference: 'R', title: 't', details: ['d'], fee: { amount: '1', currency: 'EUR' }, refund: null, newStartDate: '2026-05-01', expiresAt: '2026-01-01T00:15:00Z' },
      },
      {
        type: 'action_proposed',
        action: { ...ACTION, replyToMessageId: 'u', status: 'pending' },
      },
    ];
    for (const event of events) expect(parseServerEvent(JSON.stringify(event))).toEqual(event);
  });

  it('drops malformed frames and strips unknown fields', () => {
    expect(parseServerEvent('{')).toBeNull();
    expect(parseServerEvent('[]')).toBeNull();
    expect(parseServerEvent({ type: 'message', message: { id: 'm', role: 'hacker', text: 't', createdAt: 'x', citations: [] } })).toBeNull();
    expect(parseServerEvent({ type: 'escalated', ticketId: 'T', mode: 'sideways' })).toBeNull();
    expect(parseServerEvent({ type: 'action_updated', actionId: 'a', status: 'exploded' })).toBeNull();
    expect(parseServerEvent({ type: 'consent_recorded', training: 'yes', at: 'x' })).toBeNull();
    expect(parseServerEvent({ type: 'consent_recorded', training: true })).toBeNull();
    expect(parseServerEvent({ type: 'conversation_rated', score: 0, at: 'x' })).toBeNull();
    expect(parseServerEvent({ type: 'conversation_rated', score: 4.5, at: 'x' })).toBeNull();
    expect(parseServerEvent({ type: 'conversation_rated', score: '4', at: 'x' })).toBeNull();
    expect(parseServerEvent({ type: 'conversation_rated', score: 4 })).toBeNull();
    // Extensions it cannot read are left out, the rest of the event stays.
    expect(parseServerEvent({ type: 'session_state', sessionId: 's', status: 'escalated', ticketId: 'T', mode: 'sideways' })).toEqual({ type: 'session_state', sessionId: 's', status: 'escalated', ticketId: 'T' });
    expect(parseServerEvent({ type: 'action_proposed', action: { ...ACTION, status: 'exploded', replyToMessageId: 7 } })).toEqual({ type: 'action_proposed', action: ACTION });
    expect(parseServerEvent({ type: 'error', code: 'x', message: 'm', actionId: {} })).toEqual({ type: 'error', code: 'x', message: 'm' });
    expect(parseServerEvent({ type: 'ack', clientMessageId: 'c', messageId: 'm', __proto__: { x: 1 }, extra: '<b>' })).toEqual({ type: 'ack', clientMessageId: 'c', messageId: 'm' });
    const parsed = parseServerEvent({ type: 'message', message: { id: 'm', role: 'assistant', text: 't', createdAt: 'x', citations: [{ title: 'no url' }, 'junk'] } });
    expect(parsed).toEqual({ type: 'message', message: { id: 'm', role: 'assistant', text: 't', createdAt: 'x', citations: [] } });
  });

  it('reads the history: its messages, and the actions when the service lists them', () => {
    const decided = { ...ACTION, status: 'done', replyToMessageId: 'u' };
    expect(parseHistory({ messages: [], actions: [decided, { id: 'broken' }] })).toEqual({ messages: [], actions: [decided] });
    // An older service lists none: null, not an empty list (which says "no actions in this session").
    expect(parseHistory({ messages: [] })).toEqual({ messages: [], actions: null });
    expect(parseHistory({ actions: [] })).toBeNull();
  });

  it('reads session and conversation-list answers', () => {
    expect(parseSessionResponse({ sessionId: 's', token: 't', expiresAt: 'e' })).toEqual({ sessionId: 's', token: 't', expiresAt: 'e', wsUrl: '/support/chat/ws' });
    expect(parseSessionResponse({ sessionId: 's' })).toBeNull();
    // The consent answer, when the service says it (null: not answered yet); anything else is left out.
    expect(parseSessionResponse({ sessionId: 's', token: 't', expiresAt: 'e', trainingConsent: true })).toMatchObject({ trainingConsent: true });
    expect(parseSessionResponse({ sessionId: 's', token: 't', expiresAt: 'e', trainingConsent: null })).toMatchObject({ trainingConsent: null });
    expect(parseSessionResponse({ sessionId: 's', token: 't', expiresAt: 'e', trainingConsent: 'yes' })).not.toHaveProperty('trainingConsent');
    expect(parseConversations({ conversations: [{ sessionId: 's', startedAt: 'a', lastMessageAt: 'b', status: 'ai', preview: null }, { nope: 1 }] })).toEqual([
      { sessionId: 's', startedAt: 'a', lastMessageAt: 'b', status: 'ai', preview: '' },
    ]);
  });
});
