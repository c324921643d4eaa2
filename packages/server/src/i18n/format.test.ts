import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LOCALE, formatDate, formatMoney, formattingLocale } from './format.js';

/** Intl separates number and symbol with a no-break space (U+00A0); written visibly here. */
const nbsp = (text: string) => text.replace(/ /g, '\u00a0');

describe('formatMoney', () => {
  it('writes amounts as the locale does, with the currency\'s symbol', () => {
    expect(formatMoney('1846.40', 'GBP', 'en-GB')).toBe('£1,846.40');
    expect(formatMoney('1846.40', 'EUR', 'es-ES')).toBe(nbsp('1846,40 €'));
    expect(formatMoney('1124.60', 'EUR', 'de-DE')).toBe(nbsp('1.124,60 €'));
    expect(formatMoney('842.15', 'USD', 'en-US')).toBe('$842.15');
    expect(formatMoney(75, 'GBP', 'en-GB')).toBe('£75.00');
    expect(formatMoney('0.00', 'GBP', 'en-GB')).toBe('£0.00');
  });

  it('formats a decimal string exactly, never through a float', () => {
    expect(formatMoney('12345678901234.57', 'EUR', 'en-GB')).toBe('€12,345,678,901,234.57');
    expect(formatMoney('0.10', 'GBP', 'en-GB')).toBe('£0.10');
  });

  it('reads the service\'s default "en" (and no locale, or one Intl cannot use) as en-GB', () => {
    expect(DEFAULT_LOCALE).toBe('en-GB');
    for (const locale of ['en', 'EN', undefined, null, '', 'not a locale', 'xx-invalid-tag-']) {
      expect(formattingLocale(locale), String(locale)).toBe('en-GB');
      expect(formatMoney('1846.40', 'GBP', locale), String(locale)).toBe('£1,846.40');
    }
    // US dollars are marked as such for a British reader; an American locale writes a bare $.
    expect(formatMoney('50.00', 'USD', 'en')).toBe('US$50.00');
    expect(formattingLocale('es')).toBe('es');
    expect(formattingLocale('en-us')).toBe('en-US');
  });

  it('shows what it cannot format as it came, rather than a guess', () => {
    expect(formatMoney('about 20', 'GBP', 'en-GB')).toBe('about 20 GBP');
    expect(formatMoney('20.00', 'pounds', 'en-GB')).toBe('20.00 pounds');
    expect(formatMoney(Number.NaN, 'GBP', 'en-GB')).toBe('NaN GBP');
  });
});

describe('formatDate', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('writes a date in the medium style of the locale', () => {
    expect(formatDate('2027-03-14', 'en-GB')).toBe('14 Mar 2027');
    expect(formatDate('2027-03-14', 'en')).toBe('14 Mar 2027');
    expect(formatDate('2027-03-14', 'en-US')).toBe('Mar 14, 2027');
    expect(formatDate('2027-03-14', 'es-ES')).toBe('14 mar 2027');
    expect(formatDate('2027-03-14', 'de-DE')).toBe('14.03.2027');
  });

  it('never shifts a date-only value by a day, whatever the time zone and however early or late the day', () => {
    const days = ['2027-01-01', '2026-12-31', '2027-03-28', '2027-10-31', '2024-02-29'];
    const expected = ['1 Jan 2027', '31 Dec 2026', '28 Mar 2027', '31 Oct 2027', '29 Feb 2024'];
    // The process's own zone is irrelevant: the date is a calendar day, formatted in UTC.
    for (const zone of ['UTC', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/Los_Angeles', 'Asia/Tokyo']) {
      vi.stubEnv('TZ', zone);
      expect(days.map((day) => formatDate(day, 'en-GB')), zone).toEqual(expected);
    }
  });

  it('writes a timestamp as its UTC day', () => {
    expect(formatDate('2026-11-14T23:30:00Z', 'en-GB')).toBe('14 Nov 2026');
    expect(formatDate('2026-11-15T00:30:00+02:00', 'en-GB')).toBe('14 Nov 2026');
  });

  it('returns what is not a date as it came', () => {
    expect(formatDate('next Tuesday', 'en-GB')).toBe('next Tuesday');
    expect(formatDate('2027-02-30', 'en-GB')).toBe('2027-02-30');
    expect(formatDate('', 'en-GB')).toBe('');
  });
});
