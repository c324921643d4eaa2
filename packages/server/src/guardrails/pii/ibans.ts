import { countrySpecs, isValidIBAN } from 'ibantools';
import type { Span } from './normalise.js';

/**
 * IBANs in any case, with or without spaces or dashes, found by their
 * country's length and kept only when the mod-97 checksum (and the
 * country's BBAN format) holds: that is what tells an IBAN from a booking
 * code or an order number that starts with two letters and two digits.
 */
const START = /[A-Za-z]{2}\d{2}/g;
const SEPARATOR = /[\s.-]/;

export function findIbans(text: string): Span[] {
  const spans: Span[] = [];
  let searchFrom = 0;
  START.lastIndex = 0;
  for (let match = START.exec(text); match !== null; match = START.exec(text)) {
    const start = match.index;
    if (start < searchFrom) continue;
    const country = match[0].slice(0, 2).toUpperCase();
    const length = countrySpecs[country]?.chars;
    const end = length ? ibanEnd(text, start, length) : null;
    if (end !== null) {
      const electronic = text.slice(start, end).replace(/[\s.-]/g, '').toUpperCase();
      if (isValidIBAN(electronic)) {
        spans.push({ start, end, label: 'IBAN' });
        searchFrom = end;
        START.lastIndex = end;
        continue;
      }
    }
    // Overlapping starts ("xGB29…" after "xG"): look again one character on.
    START.lastIndex = start + 1;
  }
  return spans;
}

/** Where an IBAN of `length` characters that starts at `start` ends, allowing one separator between characters. */
function ibanEnd(text: string, start: number, length: number): number | null {
  let count = 0;
  let index = start;
  while (index < text.length && count < length) {
    const char = text[index]!;
    if (/[A-Za-z0-9]/.test(char)) {
      count += 1;
      index += 1;
    } else if (SEPARATOR.test(char) && count > 0 && /[A-Za-z0-9]/.test(text[index + 1] ?? '')) {
      index += 1;
    } else {
      break;
    }
  }
  // Whatever follows (even glued letters) is not looked at: the checksum decides.
  return count < length ? null : index;
}
