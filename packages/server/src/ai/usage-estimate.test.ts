import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { estimateUsage } from './usage-estimate.js';

describe('estimateUsage (a provider that reports no usage)', () => {
  it('counts the prompt (messages, tool calls, tool schemas) and the completion with the o200k tokenizer', async () => {
    const tools = [{ name: 'lookup_booking', description: 'Look up one of the customer’s bookings.', parameters: { type: 'object', properties: { bookingReference: { type: 'string' } } } }];
    const usage = await estimateUsage({
      messages: [
        { role: 'system', content: 'You are the support assistant.' },
        { role: 'user', content: 'Where is my booking SKY4F2?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'lookup_booking', arguments: '{"bookingReference":"SKY4F2"}' }] },
        { role: 'tool', toolCallId: 'c1', content: '{"ok":true,"data":{"status":"confirmed"}}' },
      ],
      tools,
      text: 'Your booking SKY4F2 is confirmed.',
      toolCalls: [],
    });
    const expectedPrompt =
      4 * 3 +
      countTokens('You are the support assistant.') +
      countTokens('Where is my booking SKY4F2?') +
      countTokens('') +
      countTokens('lookup_booking{"bookingReference":"SKY4F2"}') +
      countTokens('{"ok":true,"data":{"status":"confirmed"}}') +
      countTokens(JSON.stringify(tools));
    expect(usage).toEqual({ promptTokens: expectedPrompt, completionTokens: countTokens('Your booking SKY4F2 is confirmed.') });
    expect(usage.completionTokens).toBeGreaterThan(3);
  });

  it('counts a reply that is only tool calls', async () => {
    const usage = await estimateUsage({ messages: [{ role: 'user', content: 'hi' }], tools: [], text: '', toolCalls: [{ id: 'c', name: 'create_ticket', arguments: '{"subject":"Refund"}' }] });
    expect(usage.completionTokens).toBe(countTokens('create_ticket{"subject":"Refund"}'));
  });
});
