/**
 * Money and dates in customer-facing text, formatted with Intl in the
 * session's locale. Every reply, card and notice the service writes itself
 * (the local provider's answers, the confirmation cards, the "Done" notices,
 * the confirmation email, the demo host's fare-rule lines) goes through
 * here, so one conversation never mixes "£1846.40", "0.00 GBP" and "75".
 *
 * The locale: the session's (POST /support/chat/session `locale`). The
 * service stores "en" when a client sends none, and Intl reads a bare "en"
 * as American English ("Mar 14, 2027", "$" for US dollars). Skyway Travel is
 * a British company whose prices are in pounds and euros, so a bare "en" (and
 * anything Intl cannot use) is formatted as en-GB: "£1,846.40", "€120.00",
 * "14 Mar 2027", day first as most of its customers write dates. A tag with a
 * region ("en-US", "es-ES") or another language ("es", "de") is used as given.
 */

/** What "en", no locale, or a locale Intl does not know is formatted as. */
export const DEFAULT_LOCALE = 'en-GB';

const ISO_DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The locale Intl formats with for a session's `locale`. */
export function formattingLocale(locale: string | null | undefined): string {
  const tag = (locale ?? '').trim();
  if (tag === '' || tag.toLowerCase() === 'en') return DEFAULT_LOCALE;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length > 0) return canonical;
  } catch {
    // A malformed tag: RangeError from getCanonicalLocales.
  }
  return DEFAULT_LOCALE;
}

// Formatters are costly to build and kept per locale (and currency); the set of both is small.
const moneyFormats = new Map<string, Intl.NumberFormat | null>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function moneyFormat(locale: string, currency: string): Intl.NumberFormat | null {
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      format = null; // not an ISO 4217 code
    }
    moneyFormats.set(key, format);
  }
  return format;
}

/**
 * An amount in its currency, e.g. formatMoney('1846.40', 'GBP', 'en-GB') is
 * "£1,846.40" and formatMoney('1846.40', 'EUR', 'es-ES') "1846,40 €" (with
 * the no-break space Intl puts between number and symbol). A decimal string
 * is formatted exactly as written, never through a binary float. An amount
 * that is not a number, or a currency that is not an ISO 4217 code, is shown
 * as "<amount> <currency>" rather than guessed at.
 */
export function formatMoney(amount: string | number, currency: string, locale?: string | null): string {
  const code = currency.trim().toUpperCase();
  const value = typeof amount === 'number' ? amount : amount.trim();
  const numeric = typeof value === 'number' ? Number.isFinite(value) : /^-?\d+(?:\.\d+)?$/.test(value);
  const format = /^[A-Z]{3}$/.test(code) ? moneyFormat(formattingLocale(locale), code) : null;
  if (!numeric || !format) return `${String(amount)} ${currency}`;
  // Node 20's Intl formats a decimal string exactly (Intl.NumberFormat v3); the lib types know only numbers.
  return format.format(value as number);
}

/**
 * A date in the medium style of the locale: "14 Mar 2027" (en-GB), "14 mar
 * 2027" (es-ES), "Mar 14, 2027" (en-US). Always in UTC: a date-only value
 * (YYYY-MM-DD, as bookings carry them) is that calendar day wherever the
 * server runs, never the day before; a full timestamp is the UTC day (the
 * service does not know the customer's time zone). Anything that is not a
 * date is returned as it came.
 */
export function formatDate(isoDate: string, locale?: string | null): string {
  const text = isoDate.trim();
  const dateOnly = ISO_DATE_ONLY.exec(text);
  const instant = dateOnly ? Date.UTC(Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3])) : Date.parse(text);
  if (!Number.isFinite(instant)) return isoDate;
  // 2027-02-30 would roll over to 2 March: a date that does not exist is not formatted as another one.
  if (dateOnly && new Date(instant).toISOString().slice(0, 10) !== text) return isoDate;
  const resolved = formattingLocale(locale);
  let format = dateFormats.get(resolved);
  if (!format) {
    format = new Intl.DateTimeFormat(resolved, { dateStyle: 'medium', timeZone: 'UTC' });
    dateFormats.set(resolved, format);
  }
  return format.format(instant);
}
