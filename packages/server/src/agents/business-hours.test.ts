import { describe, expect, it } from 'vitest';
import { BusinessHours, BusinessHoursError } from './business-hours.js';

describe('BusinessHours', () => {
  const hours = new BusinessHours('mon-fri 09:00-18:00; sat 10:00-14:00', 'America/New_York');

  it('is open by the local clock of its time zone, not UTC', () => {
    // Monday 2026-12-07 13:59 UTC is 08:59 in New York: closed; 14:00 UTC is 09:00: open.
    expect(hours.isOpen(new Date('2026-12-07T13:59:00Z'))).toBe(false);
    expect(hours.isOpen(new Date('2026-12-07T14:00:00Z'))).toBe(true);
    // 18:00 local is closing time: closed.
    expect(hours.isOpen(new Date('2026-12-07T23:00:00Z'))).toBe(false);
    // Saturday's own span; Sunday closed.
    expect(hours.isOpen(new Date('2026-12-05T16:00:00Z'))).toBe(true);
    expect(hours.isOpen(new Date('2026-12-06T16:00:00Z'))).toBe(false);
  });

  it('finds the next opening to the minute, and says the hours in words', () => {
    // Saturday 2026-12-05 at 14:30 New York time: next is Monday 09:00 (14:00 UTC).
    expect(hours.nextOpening(new Date('2026-12-05T19:30:00Z'))?.toISOString()).toBe('2026-12-07T14:00:00.000Z');
    const odd = new BusinessHours('mon-sun 09:07-09:20', 'UTC');
    expect(odd.nextOpening(new Date('2026-12-07T08:00:00Z'))?.toISOString()).toBe('2026-12-07T09:07:00.000Z');
    expect(hours.describe()).toBe('Mon–Fri 09:00–18:00, Sat 10:00–14:00 (America/New_York)');
    expect(new BusinessHours('mon-sun 00:00-24:00', 'UTC').describe()).toBe('around the clock');
  });

  it('wraps a day range over the week end and refuses what it cannot read', () => {
    const weekend = new BusinessHours('fri-mon 10:00-12:00', 'UTC');
    expect(weekend.isOpen(new Date('2026-12-06T11:00:00Z'))).toBe(true); // Sunday
    expect(weekend.isOpen(new Date('2026-12-08T11:00:00Z'))).toBe(false); // Tuesday
    for (const [spec, zone] of [['weekdays 9-5', 'UTC'], ['mon-fri 18:00-09:00', 'UTC'], ['mon-fri 09:00-25:00', 'UTC'], ['', 'UTC'], ['mon-fri 09:00-18:00', 'Mars/Olympus']]) {
      expect(() => new BusinessHours(spec ?? '', zone ?? '')).toThrow(BusinessHoursError);
    }
  });
});
