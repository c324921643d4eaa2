import fc from 'fast-check';
import { friendlyFormatIBAN } from 'ibantools';
import { getExampleNumber, isValidPhoneNumber, parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { luhnValid } from './pii/payment-cards.js';
import { maskForModel, redactText, redactValue } from './redaction.js';

// Every generated sentence carries these, and every one must come out unchanged.
const KEPT = ['SKY4F2', '€1,846.40', '2027-03-14', 'TCK-4821', 'order 20270314'];
const wrap = (pii: string) => `Booking SKY4F2 on 2027-03-14 (order 20270314, ticket TCK-4821) cost €1,846.40; here it is: ${pii} thanks`;

/** The value must be gone, its placeholder there, and the booking reference, price, date and ids intact. */
function expectRedacted(pii: string, label: string, secret = pii) {
  const out = redactText(wrap(pii));
  for (const kept of KEPT) expect(out, out).toContain(kept);
  expect(out, `${pii} → ${out}`).toContain(`[${label}]`);
  // Once the kept parts are taken out, no 8 of the value's digits in a row (or all of a shorter value's) are left,
  // even spread over several words. What else is left ("12/29 cvv 123") has fewer digits than that.
  const secretDigits = secret.normalize('NFKC').replace(/\D/g, '');
  let rest = out;
  for (const kept of KEPT) rest = rest.replace(kept, '');
  const restDigits = rest.replace(/\D/g, '');
  expect(out).not.toContain(secret.normalize('NFKC'));
  const window = Math.min(8, secretDigits.length);
  for (let index = 0; window > 0 && index + window <= secretDigits.length; index += 1) {
    expect(restDigits, `${pii} → ${out}`).not.toContain(secretDigits.slice(index, index + window));
  }
}

const FULL_WIDTH = (text: string) => text.replace(/[0-9A-Za-z]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0));

// --- payment cards ---------------------------------------------------------------------------------------------

const CARD_PREFIXES = ['4', '51', '55', '2221', '2720', '34', '37', '6011', '65', '3528', '62'];
const LENGTH_BY_PREFIX = (prefix: string) => (prefix === '34' || prefix === '37' ? 15 : 16);

function withLuhnDigit(body: string): string {
  for (let check = 0; check <= 9; check += 1) if (luhnValid(body + check)) return body + check;
  throw new Error('unreachable');
}

const cardNumber = fc
  .tuple(fc.constantFrom(...CARD_PREFIXES), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }))
  .map(([prefix, digits]) => withLuhnDigit((prefix + digits.join('')).slice(0, LENGTH_BY_PREFIX(prefix) - 1)))
  // A prefix of 3 (Amex, JCB) is still a card; 2221/2720 start the Mastercard 2-series.
  .filter((card) => /^[2-6]/.test(card));

const cardWriting = fc.constantFrom(
  (card: string) => card,
  (card: string) => card.replace(/(\d{4})(?=\d)/g, '$1 '),
  (card: string) => card.replace(/(\d{4})(?=\d)/g, '$1-'),
  (card: string) => card.replace(/(\d{4})(?=\d)/g, '$1/'),
  (card: string) => card.replace(/(\d{4})(?=\d)/g, '$1_'),
  (card: string) => card.replace(/(\d{4})(?=\d)/g, '$1.'),
  (card: string) => card.replace(/(\d{4})(?=\d)/g, '$1 - '),
  (card: string) => `cc${card}`,
  (card: string) => `${card}x`,
  (card: string) => `card:${card}exp`,
  (card: string) => FULL_WIDTH(card),
  (card: string) => FULL_WIDTH(card.replace(/(\d{4})(?=\d)/g, '$1 ')),
  (card: string) => card.replace(/(\d{4})(?=\d)/g, '$1\u200b'),
  (card: string) => `${card.replace(/(\d{4})(?=\d)/g, '$1 ')} 12/29 cvv 123`,
);

// --- IBANs ------------------------------------------------------------------------------------------------------

// Valid IBANs of several countries (the registry's examples), written every way a customer might.
const IBANS = [
  'GB29NWBK60161331926819',
  'DE89370400440532013000',
  'ES9121000418450200051332',
  'FR1420041010050500013M02606',
  'NL91ABNA0417164300',
  'IT60X0542811101000000123456',
  'BE68539007547034',
  'CH9300762011623852957',
  'IE29AIBK93115212345678',
  'PT50000201231234567890154',
];
const ibanWriting = fc.constantFrom(
  (iban: string) => iban,
  (iban: string) => iban.toLowerCase(),
  (iban: string) => friendlyFormatIBAN(iban)!,
  (iban: string) => friendlyFormatIBAN(iban)!.toLowerCase(),
  (iban: string) => friendlyFormatIBAN(iban, '-')!,
  (iban: string) => `iban:${iban}`,
  (iban: string) => FULL_WIDTH(friendlyFormatIBAN(iban)!),
);

// --- phones -----------------------------------------------------------------------------------------------------

const PHONE_COUNTRIES: CountryCode[] = ['GB', 'US', 'ES', 'FR', 'DE', 'IT', 'NL', 'IE', 'PT', 'CH'];
const NATIONAL_REGIONS = new Set(['GB', 'US', 'ES', 'FR', 'DE']);

const phoneNumber = fc
  .tuple(fc.constantFrom(...PHONE_COUNTRIES), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 3, maxLength: 3 }))
  .map(([country, tail]) => {
    const example = getExampleNumber(country, examples)!;
    const national = example.nationalNumber.slice(0, -3) + tail.join('');
    return { country, number: `+${example.countryCallingCode}${national}` };
  })
  .filter(({ number }) => isValidPhoneNumber(number));

const phoneWriting = fc.constantFrom(
  (number: string) => number,
  (number: string) => parsePhoneNumberWithError(number).formatInternational(),
  (number: string) => parsePhoneNumberWithError(number).formatInternational().replace(/ /g, '-'),
  (number: string) => `00${number.slice(1)}`,
  (number: string) => FULL_WIDTH(parsePhoneNumberWithError(number).formatInternational()),
);

// --- e-mails and identity documents -----------------------------------------------------------------------------

const email = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9._+-]{0,14}[a-z0-9]$/), fc.constantFrom('example.com', 'mail.example.co.uk', 'correo.es', 'exemple.fr', 'beispiel.de'))
  .filter(([local]) => !local.includes('..'))
  .map(([local, domain]) => `${local}@${domain}`);

// Shapes of real passports: 9 digits (UK, US), letter + 8 digits, 2 digits 2 letters 5 digits (France), 3 letters 6 digits (Spain), Germany's alphanumeric.
const passportNumber = fc.oneof(
  fc.stringMatching(/^\d{9}$/),
  fc.stringMatching(/^[A-Z]\d{8}$/),
  fc.stringMatching(/^\d{2}[A-Z]{2}\d{5}$/),
  fc.stringMatching(/^[A-Z]{3}\d{6}$/),
  fc.stringMatching(/^[CFGHJK][0-9]{3}[A-Z0-9][0-9]{4}$/),
);
const passportPhrase = fc.constantFrom(
  (value: string) => `my passport number is ${value}`,
  (value: string) => `Passport: ${value}`,
  (value: string) => `passport no. ${value.toLowerCase()}`,
  (value: string) => `mi número de pasaporte es ${value}`,
  (value: string) => `mon numéro de passeport est le ${value}`,
  (value: string) => `meine Reisepassnummer lautet ${value}`,
  (value: string) => `Personalausweis ${value}`,
  (value: string) => `passport ${FULL_WIDTH(value)}`,
);

const RUNS = { numRuns: 300, seed: 20261207 };

describe('redactText, over generated values in every variant', () => {
  it('payment cards (Luhn-valid, any separator, glued to letters, full-width, zero-width)', () => {
    fc.assert(fc.property(cardNumber, cardWriting, (card, write) => expectRedacted(write(card), 'CARD', card)), RUNS);
  });

  it('IBANs (checksum-valid, any case and spacing)', () => {
    fc.assert(fc.property(fc.constantFrom(...IBANS), ibanWriting, (iban, write) => expectRedacted(write(iban), 'IBAN')), RUNS);
  });

  it('phone numbers: international in every region, national in the configured ones', () => {
    fc.assert(fc.property(phoneNumber, phoneWriting, ({ number }, write) => expectRedacted(write(number), 'PHONE')), RUNS);
    fc.assert(
      fc.property(
        phoneNumber.filter(({ country }) => NATIONAL_REGIONS.has(country)),
        ({ number }) => expectRedacted(parsePhoneNumberWithError(number).formatNational(), 'PHONE'),
      ),
      RUNS,
    );
  });

  it('e-mail addresses', () => {
    fc.assert(fc.property(email, (address) => expectRedacted(address, 'EMAIL')), RUNS);
  });

  it('passport numbers named in English, Spanish, French or German, never as [PHONE]', () => {
    fc.assert(
      fc.property(passportNumber, passportPhrase, (value, phrase) => {
        expectRedacted(phrase(value), 'PASSPORT');
        expect(redactText(phrase(value))).not.toContain('[PHONE]');
      }),
      RUNS,
    );
  });
});

describe('redactText, fixed cases', () => {
  it.each([
    ['mail me at alice.martin@example.com', 'mail me at [EMAIL]'],
    ['card 4111 1111 1111 1111 exp 12/29', 'card [CARD] exp 12/29'],
    ['4111111111111111x', '[CARD]x'],
    ['cc4111111111111111', 'cc[CARD]'],
    ['4111/1111/1111/1111', '[CARD]'],
    ['4111_1111_1111_1111', '[CARD]'],
    ['４１１１ １１１１ １１１１ １１１１', '[CARD]'],
    ['call +44 20 7946 0001 now', 'call [PHONE] now'],
    ['ring me on 07911 123456', 'ring me on [PHONE]'],
    ['+1 555 010 0199', '[PHONE]'],
    ['my key is sk-abcdefghijklmnop1234', 'my key is [TOKEN]'],
    ['IBAN GB29 NWBK 6016 1331 9268 19', 'IBAN [IBAN]'],
    ['iban gb29nwbk60161331926819 please', 'iban [IBAN] please'],
    ['my passport is 533380006', 'my passport is [PASSPORT]'],
    ['DNI 12345678Z', 'DNI [NATIONAL_ID]'],
    ['mi NIE es X1234567L', 'mi NIE es [NATIONAL_ID]'],
    ['SSN 123-45-6789', 'SSN [NATIONAL_ID]'],
    ['NI number JG 10 37 59 A', 'NI number [NATIONAL_ID]'],
    ['NIR 1 84 12 76 451 089 46', 'NIR [NATIONAL_ID]'],
    ['I live at 221B Baker Street, London NW1 6XE', 'I live at [ADDRESS], London [ADDRESS]'],
    ['send it to 12 rue de la Paix', 'send it to [ADDRESS]'],
    ['vivo en Calle Mayor 5, Madrid', 'vivo en [ADDRESS], Madrid'],
    ['Lieferadresse Hauptstraße 12a, Berlin', 'Lieferadresse [ADDRESS], Berlin'],
  ])('redacts %s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    'Booking SKY4F2 on 2027-03-14 costs €75 for 2 passengers',
    'Refund of 1846.40 GBP for order 20270314 is on its way',
    'Ticket TCK-4821 was opened at 2026-12-07T01:44:00Z (session 550e8400-e29b-41d4-a716-446655440000)',
    'I waited 2 hours on the road and 3 days at the hotel',
    'Flight BA2490 at 10:30, seat 12A, a fee of £75.00 per passenger',
    'Booking reference 123456789 please',
    'My passport expires on 14-03-2027, is that a problem?',
    'necesito 2 plazas en el vuelo del 3 de marzo',
    'j’ai réservé 1 place pour Paris le 12 avril',
  ])('keeps %s readable', (text) => {
    expect(redactText(text)).toBe(text);
  });

  it('redacts strings inside nested values', () => {
    expect(redactValue({ to: 'bob@example.com', list: ['+1 555 010 0199', 3], ok: true })).toEqual({ to: '[EMAIL]', list: ['[PHONE]', 3], ok: true });
  });

  it('is stable: redacting twice changes nothing more', () => {
    const once = redactText(wrap('card 4111 1111 1111 1111, iban GB29NWBK60161331926819, +44 20 7946 0001, a@b.co'));
    expect(redactText(once)).toBe(once);
  });
});

describe('maskForModel', () => {
  it('masks cards, IBANs and identity numbers but keeps what the model must understand', () => {
    const text = 'Change my e-mail to new@example.com and phone to +44 20 7946 0001; card 4111 1111 1111 1111, IBAN GB29NWBK60161331926819, passport 533380006, booking SKY4F2';
    expect(maskForModel(text)).toBe('Change my e-mail to new@example.com and phone to +44 20 7946 0001; card [CARD], IBAN [IBAN], passport [PASSPORT], booking SKY4F2');
  });
});
