import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, demoBookingView, loadDemoData, utcDay, type DemoBooking } from './demo-data.js';
import { quoteDemoCancellation, quoteDemoChange } from './demo-fare-rules.js';

const file = JSON.parse(await readFile(new URL('../../demo-data/bookings.json', import.meta.url), 'utf8')) as { asOf: string; bookings: DemoBooking[] };
const wallets = JSON.parse(await readFile(new URL('../../demo-data/wallets.json', import.meta.url), 'utf8')) as Array<{ customerId: string; updatedAt: string }>;

const view = demoBookingView;

// After the dates the file names (the last departure it shows, the day after), a year ahead, and the day it describes.
const days = ['2026-12-23', '2027-03-15', addDays(utcDay(new Date()), 365), file.asOf];

describe('the demo data, placed around a day', () => {
  it('is the file as written on its asOf day', async () => {
    const data = await loadDemoData({ today: file.asOf });
    expect(data.today).toBe(file.asOf);
    expect(data.bookings.map(({ reference, startDate, endDate }) => ({ reference, startDate, endDate }))).toEqual(
      file.bookings.map(({ reference, startDate, endDate }) => ({ reference, startDate, endDate })),
    );
    expect(data.wallets.map((wallet) => wallet.updatedAt)).toEqual(wallets.map((wallet) => wallet.updatedAt));
  });

  it.each(days)('moves every date by the same number of days for %s', async (today) => {
    const data = await loadDemoData({ today });
    const shift = daysBetween(file.asOf, today);
    expect(data.today).toBe(today);
    expect(data.bookings).toEqual(
      file.bookings.map((booking) => ({
        ...booking,
        startDate: addDays(booking.startDate, shift),
        ...(booking.endDate ? { endDate: addDays(booking.endDate, shift) } : {}),
      })),
    );
    expect(data.wallets.map((wallet) => Date.parse(wallet.updatedAt))).toEqual(wallets.map((wallet) => Date.parse(wallet.updatedAt) + shift * 86_400_000));
  });

  it('defaults to today by the process clock, and takes a Date', async () => {
    const before = utcDay(new Date());
    const data = await loadDemoData();
    expect([before, utcDay(new Date())]).toContain(data.today);
    expect((await loadDemoData({ today: new Date(`${data.today}T23:59:00Z`) })).bookings).toEqual(data.bookings);
    await expect(loadDemoData({ today: 'next tuesday' })).rejects.toThrow(/YYYY-MM-DD/);
  });

  it.each(days)('quotes every booking on %s as the file reads on its day', async (today) => {
    const data = await loadDemoData({ today });
    const now = Date.parse(`${today}T10:00:00Z`);
    const then = Date.parse(`${file.asOf}T10:00:00Z`);
    data.bookings.forEach((booking, index) => {
      const original = file.bookings[index]!;
      expect(quoteDemoCancellation(view(booking), now), booking.reference).toEqual(quoteDemoCancellation(view(original), then));
      const { newStartDate: _moved, ...change } = quoteDemoChange(view(booking), addDays(booking.startDate, 30), now);
      const { newStartDate: _original, ...expected } = quoteDemoChange(view(original), addDays(original.startDate, 30), then);
      expect(change, booking.reference).toEqual(expected);
    });
    // The demo always has trips ahead to cancel and to move.
    const open = data.bookings.filter((booking) => quoteDemoCancellation(view(booking), now).cancellable);
    expect(open.map((booking) => booking.reference)).toEqual(expect.arrayContaining(['SKY4F2', 'P9AS5M', 'W3KR6E', 'T6WJ2R']));
  });
});

describe('day arithmetic', () => {
  it('adds and counts days across months, years and leap days', () => {
    expect(addDays('2026-12-22', 10)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(daysBetween('2026-12-03', '2027-12-03')).toBe(365);
    expect(daysBetween('2027-12-03', '2026-12-03')).toBe(-365);
  });
});
