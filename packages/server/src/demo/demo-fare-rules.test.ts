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
});
