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
      'Your booking SKY4F2 is waiting for payment. LHR → JFK (14 Mar 2027, Flex fare, 2 passengers), total €120.00. Is there anything you would like to do with this booking?',
    );
    expect(composeFromToolResult('lookup_booking', booking('LHR → JFK, 2 passengers'), '')).toContain('(14 Mar 2027, Flex fare), total');
  });

  it('writes every amount and date in the session\'s locale, with Intl (en-GB for the default "en")', () => {
    const wallet = JSON.stringify({ ok: true, data: { wallet: { balance: '1846.40', currency: 'GBP', updatedAt: '2026-11-03T09:12:44Z' } } });
    expect(composeFromToolResult('get_wallet_balance', wallet, '', 'en')).toBe(
      'Your Skyway Wallet balance is £1,846.40 (last updated 3 Nov 2026). You can use it at checkout for any flight or hotel booking.',
    );
    expect(composeFromToolResult('get_wallet_balance', wallet, '', 'es-ES')).toMatch(/^Your Skyway Wallet balance is 1846,40\u00a0GBP \(last updated 3 nov 2026\)\./);

    const proposal = (data: Record<string, unknown>) => JSON.stringify({ ok: true, data: { status: 'awaiting_customer_confirmation', bookingReference: 'SKY4F2', policy: 'Policy.', ...data } });
    expect(composeFromToolResult('request_booking_cancellation', proposal({ fee: { amount: '0.00', currency: 'GBP' }, refund: { amount: '1846.40', currency: 'GBP' } }), '', 'en-GB')).toMatch(
      /^I've prepared cancelling booking SKY4F2\. The fee is £0\.00, and you would get £1,846\.40 back\. Policy\. /,
    );
    expect(composeFromToolResult('request_booking_change', proposal({ fee: { amount: '150.00', currency: 'EUR' }, newDate: '2027-01-21' }), '', 'es-ES')).toMatch(
      /^I've prepared moving booking SKY4F2 to 21 ene 2027\. The fee is 150,00\u00a0€\. /,
    );

    const listed = JSON.stringify({ ok: true, data: { bookings: [{ reference: 'SKY4F2', status: 'confirmed', summary: 'LHR → JFK', startDate: '2027-03-14' }], total: 1 } });
    expect(composeFromToolResult('list_my_bookings', listed, '', 'en-US')).toContain('• SKY4F2: LHR → JFK (confirmed, Mar 14, 2027)');
    expect(composeFromToolResult('lookup_booking', booking('LHR → JFK'), '', 'de-DE')).toContain('(14.03.2027, Flex fare, 2 passengers), total 120,00\u00a0€.');
  });

  it('explains refusals without guessing, and treats garbage as no answer', () => {
    const refusal = (code: string) => JSON.stringify({ ok: false, error: { code, message: 'x' } });
    expect(composeFromToolResult('lookup_booking', refusal('sign_in_required'), '')).toMatch(/sign in/);
    expect(composeFromToolResult('lookup_booking', refusal('booking_not_found'), '')).toMatch(/couldn't find a booking/);
    expect(composeFromToolResult('lookup_booking', refusal('tool_timeout'), '')).toMatch(/human agent/);
    expect(composeFromToolResult('search_knowledge_base', 'not json', '')).toBe(DONT_KNOW);
  });
});
