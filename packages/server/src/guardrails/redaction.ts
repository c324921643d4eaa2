/**
 * PII redaction for everything that is logged or mirrored to analytics.
 * Transcripts keep the customer's own words (they are the record); logs,
 * support_ai_interactions and the audit trail get this redacted form.
 */

const digitCount = (text: string) => text.replace(/\D/g, '').length;

const patterns: Array<{ label: string; pattern: RegExp; accept?: (match: string) => boolean }> = [
  { label: 'EMAIL', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g },
  // Before card numbers: an IBAN's digit groups would otherwise look like one.
  { label: 'IBAN', pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g },
  // 13–19 digits with optional spaces or dashes: payment card numbers.
  { label: 'CARD', pattern: /\b(?:\d[ -]?){12,18}\d\b/g },
  // International or national phone numbers of 8+ digits with the usual separators.
  // Dates and times (2026-12-01, 10:30) have too few digits to pass the count.
  { label: 'PHONE', pattern: /(?<![\w/])\+?\(?\d[\d ().-]{6,}\d\b/g, accept: (match) => digitCount(match) >= 9 },
  { label: 'TOKEN', pattern: /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}\b/g },
  { label: 'JWT', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\b/g },
];

export function redactText(text: string): string {
  let result = text;
  for (const { label, pattern, accept } of patterns) {
    result = result.replace(pattern, (match) => (accept && !accept(match) ? match : `[${label}]`));
  }
  return result;
}

/** Redacts every string inside a JSON-like value (tool arguments and results). */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactValue(inner)]));
  }
  return value;
}
