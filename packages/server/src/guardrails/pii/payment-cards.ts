import type { Span } from './normalise.js';

/**
 * Payment card numbers: 13–19 digits that pass the Luhn check and start like
 * a card (2–6: Mastercard 2-series, Amex, Visa, Mastercard, Discover/UnionPay),
 * written with any separators (spaces, dashes, dots, slashes, underscores)
 * or none, and also when glued to letters ("cc4111…", "…1111x").
 *
 * A run of digit groups is searched at group boundaries, so a card beside
 * other numbers ("4111 1111 1111 1111 12/29") is still found.
 */
// Not after a "+": "+4915123456852" is a phone number that happens to pass Luhn.
const DIGIT_RUN = /(?<![\d+])\d+(?:[\s./_-]{1,3}\d+)*/g;
const MIN_DIGITS = 13;
const MAX_DIGITS = 19;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let value = digits.charCodeAt(index) - 48;
    if (double) {
      value *= 2;
      if (value > 9) value -= 9;
    }
    sum += value;
    double = !double;
  }
  return sum % 10 === 0;
}

export function findPaymentCards(text: string): Span[] {
  const spans: Span[] = [];
  for (const run of text.matchAll(DIGIT_RUN)) {
    const groups = [...run[0].matchAll(/\d+/g)].map((group) => ({ digits: group[0], start: run.index + group.index, end: run.index + group.index + group[0].length }));
    let first = 0;
    while (first < groups.length) {
      const card = cardStartingAt(groups, first);
      if (card === null) {
        first += 1;
        continue;
      }
      spans.push({ start: groups[first]!.start, end: groups[card]!.end, label: 'CARD' });
      first = card + 1;
    }
  }
  return spans;
}

/** The index of the last group of a card that starts at group `first`, or null. Longest first. */
function cardStartingAt(groups: ReadonlyArray<{ digits: string }>, first: number): number | null {
  if (!/^[2-6]/.test(groups[first]!.digits)) return null;
  let digits = '';
  const candidates: Array<{ last: number; digits: string }> = [];
  for (let last = first; last < groups.length; last += 1) {
    digits += groups[last]!.digits;
    if (digits.length > MAX_DIGITS) break;
    if (digits.length >= MIN_DIGITS) candidates.push({ last, digits });
  }
  for (const candidate of candidates.reverse()) if (luhnValid(candidate.digits)) return candidate.last;
  return null;
}
