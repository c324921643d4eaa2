import { describe, expect, it } from 'vitest';
import { ANSWER_CONFIDENCE_THRESHOLD, composeFromToolResult, DONT_KNOW } from './compose-answer.js';

const booking = (summary: string) =>
  JSON.stringify({
    ok: true,
    data: {
      booking: {
        reference: 'SKY4F2', kind: 'flight', status: 'pending_payment', fareType: 'Flex', summary, hotelName: null, city: null,
        startDate: '2027-03-14', endDate: null, passengers: 2, totalAmount: '120.00', currency: 'EUR',
      },
    },
  });

describe('composeFromToolResult', () => {
  it('answers from the best passage with its citation marker, or says it does not know', () => {
    const passages = (score: number) =>
      JSON.stringify({ ok: true, data: { passages: [{ ref: 2, title: 'Fees', score, text: 'Standard fares cost €75 to cancel.\n\nOther text about seats.' }] } });
    expect(composeFromToolResult('search_knowledge_base', passages(0.9), 'cancel fee?')).toBe('Standard fares cost €75 to cancel. [2]');
    expect(composeFromToolResult('search_knowledge_base', passages(ANSWER_CONFIDENCE_THRESHOLD - 0.01), 'cancel fee?')).toBe(DONT_KNOW);
  });

  it('describes a booking without repeating what the summary already says', () => {
    expect(composeFromToolResult('lookup_booking', booking('LHR → JFK'), '')).toBe(
      'Your booking SKY4F2 is waiting for payment. LHR → JFK (2027-03-14, Flex fare, 2 passengers), total €120.00. Is there anything you would like to do with this booking?',
    );
    expect(composeFromToolResult('lookup_booking', booking('LHR → JFK, 2 passengers'), '')).toContain('(2027-03-14, Flex fare), total');
  });

  it('explains refusals without guessing, and treats garbage as no answer', () => {
    const refusal = (code: string) => JSON.stringify({ ok: false, error: { code, message: 'x' } });
    expect(composeFromToolResult('lookup_booking', refusal('sign_in_required'), '')).toMatch(/sign in/);
    expect(composeFromToolResult('lookup_booking', refusal('booking_not_found'), '')).toMatch(/couldn't find a booking/);
    expect(composeFromToolResult('lookup_booking', refusal('tool_timeout'), '')).toMatch(/human agent/);
    expect(composeFromToolResult('search_knowledge_base', 'not json', '')).toBe(DONT_KNOW);
  });
});
