import type { Message } from '@support/protocol';
import { describe, expect, it } from 'vitest';
import { handoffPriority, summarizeHandoff } from './handoff-summary.js';

const message = (role: Message['role'], text: string): Message => ({ id: `m-${text.length}-${role}`, role, text, createdAt: '2026-12-04T10:00:00Z', citations: [] });

describe('summarizeHandoff', () => {
  it('quotes the first and the latest question and the last answer, redacted, and says why', () => {
    const summary = summarizeHandoff(
      [
        message('user', 'My refund for SKY4F2 never arrived'),
        message('assistant', 'Refunds take 5 to 10 business days. Anything else?'),
        message('user', 'It was charged to card 4111 1111 1111 1111, call me on +44 20 7946 0958'),
      ],
      'negative_sentiment',
    );
    expect(summary).toContain('Asked: “My refund for SKY4F2 never arrived”');
    expect(summary).toContain('Latest: “It was charged to card [CARD], call me on [PHONE]”');
    expect(summary).toContain('Assistant last said: “Refunds take 5 to 10 business days.”');
    expect(summary).toContain('the customer is upset (2 customer messages)');
    expect(summary).not.toContain('4111');
  });
});

describe('handoffPriority', () => {
  it('rises with the trigger and one step for a preferred tier, up to urgent', () => {
    expect(handoffPriority('customer_button', null)).toBe('normal');
    expect(handoffPriority('customer_button', 'Gold')).toBe('high');
    expect(handoffPriority('negative_sentiment', 'Blue')).toBe('high');
    expect(handoffPriority('safety', 'Gold')).toBe('urgent');
  });
});
