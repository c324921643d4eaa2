import { describe, expect, it } from 'vitest';
import type { BookingView } from '../tools/adapters/host-data-adapter.js';
import { quoteDemoCancellation, quoteDemoChange } from './demo-fare-rules.js';

const now = Date.parse('2026-11-28T10:00:00Z');
const flight = (fareType: string, overrides: Partial<BookingView> = {}): BookingView => ({
  reference: 'ABC123', kind: 'flight', status: 'confirmed', fareType, summary: 'LHR → JFK', origin: 'LHR', destination: 'JFK',
  hotelName: null, city: null, startDate: '2027-01-10', endDate: null, passengers: 2, totalAmount: '500.00', currency: 'EUR', ...overrides,
});

describe('demo fare rules', () => {
  it.each([
    ['Basic', '500.00', '0.00'],
    ['Standard', '150.00', '350.00'],
    ['Flex', '0.00', '500.00'],
  ])('a %s flight cancels for %s and refunds %s', (fare, fee, refund) => {
    const quote = quoteDemoCancellation(flight(fare), now);
    expect(quote).toMatchObject({ cancellable: true, fee: { amount: fee, currency: 'EUR' }, refund: { amount: refund, currency: 'EUR' } });
  });

  it('names the fees in its policy lines with their currency, in the customer\'s locale', () => {
    expect(quoteDemoCancellation(flight('Standard'), now).policy).toBe('Standard fares cancel for a fee of €75.00 per passenger.');
    expect(quoteDemoCancellation(flight('Standard', { currency: 'GBP' }), now, 'en-GB').policy).toBe('Standard fares cancel for a fee of £75.00 per passenger.');
    expect(quoteDemoCancellation(flight('Standard'), now, 'es-ES').policy).toBe('Standard fares cancel for a fee of 75,00\u00a0€ per passenger.');
    expect(quoteDemoChange(flight('Standard', { currency: 'GBP' }), '2027-02-01', now).policy).toBe(
      'Date changes cost a fee per passenger (Basic £90.00, Standard £50.00, Flex free) plus any fare difference, shown before payment.',
    );
  });

  it('refuses to cancel what is cancelled or past', () => {
    expect(quoteDemoCancellation(flight('Flex', { status: 'cancelled' }), now)).toMatchObject({ cancellable: false, reason: expect.stringMatching(/already cancelled/) });
    expect(quoteDemoCancellation(flight('Flex', { startDate: '2026-11-01' }), now).cancellable).toBe(false);
  });

  it('charges the first night for a late hotel cancellation only', () => {
    const hotel = flight('Standard', { kind: 'hotel', fareType: null, startDate: '2026-11-29', endDate: '2026-12-02', totalAmount: '300.00' });
    expect(quoteDemoCancellation(hotel, now).fee.amount).toBe('100.00');
    expect(quoteDemoCancellation({ ...hotel, startDate: '2026-12-20', endDate: '2026-12-23' }, now).fee.amount).toBe('0.00');
  });

  it('quotes date changes by fare and refuses dates in the past', () => {
    expect(quoteDemoChange(flight('Basic'), '2027-02-01', now)).toMatchObject({ changeable: true, fee: { amount: '180.00' } });
    expect(quoteDemoChange(flight('Flex'), '2027-02-01', now).fee.amount).toBe('0.00');
    expect(quoteDemoChange(flight('Flex'), '2026-11-28', now)).toMatchObject({ changeable: false });
  });

  // The rules read days before departure from `now`, never the real clock: the same trip quotes the same on any day.
  const DAY_MS = 86_400_000;
  const ahead = (at: number, days: number) => new Date(at + days * DAY_MS).toISOString().slice(0, 10);
  it.each([
    ['after the seeded dates', Date.parse('2026-12-23T10:00:00Z')],
    ['the day after most of them', Date.parse('2027-03-15T10:00:00Z')],
    ['a year from now', Date.now() + 365 * DAY_MS],
  ])('quotes relative to the given now (%s)', (_label, at) => {
    const soon = flight('Flex', { startDate: ahead(at, 30) });
    expect(quoteDemoCancellation(soon, at)).toMatchObject({ cancellable: true, fee: { amount: '0.00' }, refund: { amount: '500.00' } });
    expect(quoteDemoChange(soon, ahead(at, 60), at)).toMatchObject({ changeable: true, fee: { amount: '0.00' } });
    expect(quoteDemoChange(flight('Basic', { startDate: ahead(at, 30) }), ahead(at, 60), at)).toMatchObject({ changeable: true, fee: { amount: '180.00' } });
    expect(quoteDemoChange(soon, ahead(at, 0), at)).toMatchObject({ changeable: false, reason: expect.stringMatching(/at least one day/) });
    expect(quoteDemoCancellation(flight('Flex', { startDate: ahead(at, -1) }), at)).toMatchObject({ cancellable: false, reason: expect.stringMatching(/already started/) });
    const hotel = flight('Standard', { kind: 'hotel', fareType: null, startDate: ahead(at, 1), endDate: ahead(at, 4), totalAmount: '300.00' });
    expect(quoteDemoCancellation(hotel, at).fee.amount).toBe('100.00');
    expect(quoteDemoCancellation({ ...hotel, startDate: ahead(at, 20), endDate: ahead(at, 23) }, at).fee.amount).toBe('0.00');
  });
});
