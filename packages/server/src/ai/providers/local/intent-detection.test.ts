import { describe, expect, it } from 'vitest';
import { detectIntent, findBookingReference } from './intent-detection.js';

describe('local intent detection', () => {
  it.each([
    ["What's the status of my booking SKY4F2?", { kind: 'booking_status', bookingReference: 'SKY4F2' }],
    ['is r2d7kp still confirmed', { kind: 'booking_status', bookingReference: 'R2D7KP' }],
    ['K7QM2A', { kind: 'booking_status', bookingReference: 'K7QM2A' }],
    ['Where is my reservation?', { kind: 'booking_status', bookingReference: null }],
    ["What's my wallet balance?", { kind: 'wallet_balance' }],
    ['how much store credit do I have left', { kind: 'wallet_balance' }],
    ['I want to talk to a human', { kind: 'human_request' }],
    ['hello!', { kind: 'greeting' }],
    ['thanks a lot', { kind: 'thanks' }],
    ['I have a problem', { kind: 'vague' }],
    ['How much does it cost to cancel a flight?', { kind: 'faq' }],
    ['How long does a refund to my wallet take?', { kind: 'faq' }],
    ['How do I change my booking date?', { kind: 'faq' }],
  ])('"%s"', (text, expected) => {
    expect(detectIntent(text)).toEqual(expected);
  });

  it('finds references with letters and digits, not ordinary words', () => {
    expect(findBookingReference('please check SKY4F2 today')).toBe('SKY4F2');
    expect(findBookingReference('status of my flight please')).toBeNull();
    expect(findBookingReference('call me at 123456')).toBeNull();
  });
});
