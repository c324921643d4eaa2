/** Dates, times and money through Intl, in the widget's locale. */

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** A message's time: "14:05" today, with the date before that. */
export function formatMessageTime(iso: string, locale: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return '';
  const sameDay = date.toDateString() === now.toDateString();
  return safe(
    () => new Intl.DateTimeFormat(locale, sameDay ? { hour: 'numeric', minute: '2-digit' } : { dateStyle: 'medium', timeStyle: 'short' }).format(date),
    date.toISOString(),
  );
}

export function formatTimeOnly(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return safe(() => new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(date), date.toISOString());
}

/** A calendar date ("2026-03-14" is that day wherever the customer is). */
export function formatDay(value: string, locale: string): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) return value;
  return safe(() => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', ...(dateOnly ? { timeZone: 'UTC' } : {}) }).format(date), value);
}

export function formatDateTime(iso: string, locale: string): string {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return '';
  return safe(() => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date), iso);
}

/** Money as the service sends it: a decimal string and an ISO currency code. */
export function formatMoney(money: { amount: string; currency: string }, locale: string): string {
  const amount = Number(money.amount);
  if (!Number.isFinite(amount)) return `${money.amount} ${money.currency}`;
  return safe(() => new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency }).format(amount), `${money.amount} ${money.currency}`);
}
