import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import type { Span } from './normalise.js';

/**
 * Phone numbers, found by libphonenumber's matcher (Google's
 * PhoneNumberMatcher, with the full "max" metadata so that digits are
 * validated, not just counted): international ones ("+44 …", "0044 …")
 * whatever the region, national ones for each configured region.
 *
 * National matching in some regions accepts shapes that are also dates,
 * prices and order numbers ("2027-03-14", "1846.40", "order 20270314"), and
 * those must stay readable: a national match is dropped when it has the
 * shape of a date or an amount, has fewer than 9 digits, or follows a word
 * that names a booking, order or ticket reference.
 *
 * An international number that the metadata does not know (555 numbers,
 * new ranges) is still a phone number: a "+" and 8–15 digits is caught by
 * a plain pattern as well.
 */
export const DEFAULT_PHONE_REGIONS: readonly CountryCode[] = ['GB', 'US', 'ES', 'FR', 'DE'];

const INTERNATIONAL = /(?<![\w+])\+\s?\d(?:[\s().-]{0,2}\d){7,14}(?!\d)/g;
const DATE_OR_AMOUNT = /^(?:\d{1,4}[-./]\d{1,2}[-./]\d{1,4}|\d+[.,]\d{1,2}|\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?)$/;
const REFERENCE_WORD =
  /(?:booking|order|ticket|reference|ref|confirmation|invoice|reserva|pedido|billete|factura|r[ée]servation|commande|billet|facture|buchung|bestellung|rechnung|auftrag)(?:\s?(?:no|nr|n[º°o]|number|num[ée]ro|n[úu]mero|nummer|id|code))?[.:#\s]*$/i;

let regions: readonly CountryCode[] = DEFAULT_PHONE_REGIONS;

/** The regions whose national numbers (without a country code) are recognised. */
export function setPhoneRegions(next: readonly CountryCode[]): void {
  regions = next.length > 0 ? [...next] : DEFAULT_PHONE_REGIONS;
}

export function findPhones(text: string): Span[] {
  const spans: Span[] = [];
  // No phone number has fewer than 8 digits: most logged strings end here, before the matcher's cost.
  if (countDigits(text) < 8) return spans;
  for (const match of text.matchAll(INTERNATIONAL)) spans.push({ start: match.index, end: match.index + match[0].length, label: 'PHONE' });
  for (const region of regions) {
    for (const found of findPhoneNumbersInText(text, region)) {
      const written = text.slice(found.startsAt, found.endsAt);
      const international = /^\s*(?:\+|00)/.test(written);
      if (!international && !plausibleNationalNumber(text, found.startsAt, written)) continue;
      spans.push({ start: found.startsAt, end: found.endsAt, label: 'PHONE' });
    }
  }
  return spans;
}

function plausibleNationalNumber(text: string, start: number, written: string): boolean {
  if (DATE_OR_AMOUNT.test(written.trim())) return false;
  if (written.replace(/\D/g, '').length < 9) return false;
  return !REFERENCE_WORD.test(text.slice(Math.max(0, start - 32), start));
}

function countDigits(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) count += 1;
  }
  return count;
}
