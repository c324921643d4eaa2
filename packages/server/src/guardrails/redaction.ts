/**
 * PII redaction for everything that is logged, mirrored to analytics,
 * audited, written into tickets or exported. Transcripts keep the
 * customer's own words (they are the record); everything else gets this
 * redacted form, with typed placeholders ([EMAIL], [PHONE], [CARD], [IBAN],
 * [PASSPORT], [NATIONAL_ID], [ADDRESS], [TOKEN], [JWT]).
 *
 * Detection reads the NFKC-normalised text (full-width digits, invisible
 * separators: see pii/normalise.ts), and the result is that normalised
 * text with the detected spans replaced. Booking references ("SKY4F2"),
 * ticket and order ids, prices and dates are left alone: each detector
 * says how it tells them apart.
 *
 * maskForModel is the narrower pass for text that leaves for an external
 * model: secrets that the model never needs (cards, IBANs, identity
 * numbers, keys) are masked; e-mails, phones and addresses stay, because
 * a customer asking to change them must be understood.
 */
import { findAddresses } from './pii/addresses.js';
import { findIbans } from './pii/ibans.js';
import { findIdentityDocuments } from './pii/identity-documents.js';
import { normaliseForDetection, replaceSpans, type Span } from './pii/normalise.js';
import { findPaymentCards } from './pii/payment-cards.js';
import { findPhones } from './pii/phones.js';

export { setPhoneRegions } from './pii/phones.js';

/** Longest text redacted whole; the rest is cut, so a huge value costs a bounded time. */
const MAX_REDACTED_LENGTH = 64 * 1024;

const EMAIL = /[\p{L}0-9._%+-]+@[\p{L}0-9-]+(?:\.[\p{L}0-9-]+)*\.\p{L}{2,}/gu;
const API_KEY = /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}\b/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\b/g;

type Detector = (text: string) => Span[];

const patternDetector =
  (pattern: RegExp, label: string): Detector =>
  (text) =>
    [...text.matchAll(pattern)].map((match) => ({ start: match.index, end: match.index + match[0].length, label }));

// In this order: an earlier detector's span wins where two overlap (an IBAN's digits are not a card or a phone,
// a national id is not a phone, an e-mail's digits are nothing else).
const SECRET_DETECTORS: Detector[] = [patternDetector(JWT, 'JWT'), patternDetector(API_KEY, 'TOKEN'), findIbans, findPaymentCards, findIdentityDocuments];
const ALL_DETECTORS: Detector[] = [patternDetector(EMAIL, 'EMAIL'), ...SECRET_DETECTORS, findPhones, findAddresses];

function redactWith(detectors: readonly Detector[], text: string): string {
  if (text.length === 0) return text;
  const normalised = normaliseForDetection(text.length > MAX_REDACTED_LENGTH ? text.slice(0, MAX_REDACTED_LENGTH) : text);
  const kept: Span[] = [];
  for (const detect of detectors) {
    for (const span of detect(normalised)) {
      if (!kept.some((other) => span.start < other.end && other.start < span.end)) kept.push(span);
    }
  }
  return replaceSpans(normalised, kept);
}

export function redactText(text: string): string {
  return redactWith(ALL_DETECTORS, text);
}

/** Masks what an external model never needs to see: cards, IBANs, identity numbers, keys. */
export function maskForModel(text: string): string {
  return redactWith(SECRET_DETECTORS, text);
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
