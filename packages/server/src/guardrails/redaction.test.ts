import { describe, expect, it } from 'vitest';
import { redactText, redactValue } from './redaction.js';

describe('redactText', () => {
  it.each([
    ['mail me at alice.martin@example.com', 'mail me at [EMAIL]'],
    ['card 4111 1111 1111 1111 exp 12/29', 'card [CARD] exp 12/29'],
    ['call +44 20 7946 0001 now', 'call [PHONE] now'],
    ['my key is sk-abcdefghijklmnop1234', 'my key is [TOKEN]'],
    ['IBAN GB29 NWBK 6016 1331 9268 19', 'IBAN [IBAN]'],
  ])('redacts %s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it('keeps booking references, prices and dates readable', () => {
    const text = 'Booking SKY4F2 on 2027-03-14 costs €75 for 2 passengers';
    expect(redactText(text)).toBe(text);
  });

  it('redacts strings inside nested values', () => {
    expect(redactValue({ to: 'bob@example.com', list: ['+1 555 010 0199', 3], ok: true })).toEqual({ to: '[EMAIL]', list: ['[PHONE]', 3], ok: true });
  });
});
