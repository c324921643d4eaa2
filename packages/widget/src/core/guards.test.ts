import { describe, expect, it } from 'vitest';
import { parseConversations, parseServerEvent, parseSessionResponse } from './guards.js';

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
      { type: 'typing', role: 'agent' },
      { type: 'action_updated', actionId: 'a', status: 'done' },
      {
        type: 'action_proposed',
        action: { id: 'a', kind: 'booking_change', bookingReference: 'R', title: 't', details: ['d'], fee: { amount: '1', currency: 'EUR' }, refund: null, newStartDate: '2026-05-01', expiresAt: '2026-01-01T00:15:00Z' },
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
    expect(parseServerEvent({ type: 'ack', clientMessageId: 'c', messageId: 'm', __proto__: { x: 1 }, extra: '<b>' })).toEqual({ type: 'ack', clientMessageId: 'c', messageId: 'm' });
    const parsed = parseServerEvent({ type: 'message', message: { id: 'm', role: 'assistant', text: 't', createdAt: 'x', citations: [{ title: 'no url' }, 'junk'] } });
    expect(parsed).toEqual({ type: 'message', message: { id: 'm', role: 'assistant', text: 't', createdAt: 'x', citations: [] } });
  });

  it('reads session and conversation-list answers', () => {
    expect(parseSessionResponse({ sessionId: 's', token: 't', expiresAt: 'e' })).toEqual({ sessionId: 's', token: 't', expiresAt: 'e', wsUrl: '/support/chat/ws' });
    expect(parseSessionResponse({ sessionId: 's' })).toBeNull();
    expect(parseConversations({ conversations: [{ sessionId: 's', startedAt: 'a', lastMessageAt: 'b', status: 'ai', preview: null }, { nope: 1 }] })).toEqual([
      { sessionId: 's', startedAt: 'a', lastMessageAt: 'b', status: 'ai', preview: '' },
    ]);
  });
});
