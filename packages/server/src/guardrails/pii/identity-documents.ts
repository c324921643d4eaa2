import type { Span } from './normalise.js';

/**
 * Passport and national-id numbers.
 *
 * Passport numbers have no checksum and no common shape (9 digits in the
 * UK and US, "C01X00T47" in Germany, "12AB34567" in France), so they are
 * recognised by what is written before them: a passport or identity
 * document named in English, Spanish, French or German, then within a few
 * words a 6–12 character code with at least 5 digits (a 6-letter booking
 * reference like "SKY4F2" has fewer, and a date is not a code).
 *
 * National ids that do carry a checksum or a fixed shape are found anywhere:
 * Spanish DNI and NIE (check letter), US SSN, UK National Insurance number,
 * French NIR (mod-97 key).
 */
const DOCUMENT_WORD = String.raw`(?:passports?|passport\s?(?:no|number|num)|pasaporte|passeport|reisepass(?:nummer)?|passnummer|pass-?nr|personalausweis(?:nummer)?|ausweis(?:nummer)?|id\s?card|identity\s?card|national\s?id|id\s?(?:no|number)|dni|nie|nif|c\.?n\.?i\.?|carte\s?d['’]identit[ée]|documento\s?(?:de\s)?identidad|n[úu]mero\s?de\s?documento|driv(?:er'?s|ing)\s?licen[cs]e|permis\s?de\s?conduire|f[üu]hrerschein(?:nummer)?|ssn|social\s?security(?:\s?number)?)`;
const DOCUMENT = new RegExp(String.raw`\b${DOCUMENT_WORD}\b`, 'gi');
/** How far after the document's name its number may be ("my passport number is now …"). */
const WORDS_AFTER = 6;
const DATE_SHAPE = /^\d{1,4}[ ./-]\d{1,2}[ ./-]\d{1,4}$/;

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
const DNI = /\b(\d{8})[\s-]?([A-Za-z])\b/g;
const NIE = /\b([XYZxyz])[\s-]?(\d{7})[\s-]?([A-Za-z])\b/g;
const SSN = /\b(\d{3})-(\d{2})-(\d{4})\b/g;
const NINO = /\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b/g;
const NIR = /\b([12])\s?(\d{2})\s?(0[1-9]|1[0-2]|[2-9]\d)\s?(\d{2}|2[AB])\s?(\d{3})\s?(\d{3})\s?(\d{2})\b/g;

export function findIdentityDocuments(text: string): Span[] {
  const spans: Span[] = [];
  const nationalId = (match: RegExpMatchArray) => spans.push({ start: match.index!, end: match.index! + match[0].length, label: 'NATIONAL_ID' });
  // Checksummed ids first: "DNI 12345678Z" is a national id, not a passport.
  for (const match of text.matchAll(DNI)) if (DNI_LETTERS[Number(match[1]) % 23] === match[2]!.toUpperCase()) nationalId(match);
  for (const match of text.matchAll(NIE)) {
    const number = Number('XYZ'.indexOf(match[1]!.toUpperCase()) + match[2]!);
    if (DNI_LETTERS[number % 23] === match[3]!.toUpperCase()) nationalId(match);
  }
  for (const match of text.matchAll(SSN)) {
    const [area, group, serial] = [match[1]!, match[2]!, match[3]!];
    if (area !== '000' && area !== '666' && !area.startsWith('9') && group !== '00' && serial !== '0000') nationalId(match);
  }
  for (const match of text.matchAll(NINO)) nationalId(match);
  for (const match of text.matchAll(NIR)) if (nirKeyValid(match)) nationalId(match);
  for (const document of text.matchAll(DOCUMENT)) {
    const code = documentNumberAfter(text, document.index + document[0].length);
    if (code) spans.push({ ...code, label: 'PASSPORT' });
  }
  return spans;
}

/** The first of the next few words that looks like a document number: 6–12 letters and digits, at least 5 of them digits, not a date. */
function documentNumberAfter(text: string, from: number): { start: number; end: number } | null {
  const words = /[^\s,;:()"'“”«»]+/g;
  words.lastIndex = from;
  for (let count = 0; count < WORDS_AFTER; count += 1) {
    const word = words.exec(text);
    if (word === null || text.slice(from, word.index).includes('\n')) return null;
    const code = word[0].replace(/^[#№.]+|[.!?]+$/g, '');
    const alnum = code.replace(/[^A-Za-z0-9]/g, '');
    const digits = alnum.replace(/\D/g, '').length;
    if (/^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$/.test(code) && alnum.length >= 6 && alnum.length <= 12 && digits >= 5 && !DATE_SHAPE.test(code)) {
      const start = word.index + word[0].indexOf(code);
      return { start, end: start + code.length };
    }
  }
  return null;
}

function nirKeyValid(match: RegExpMatchArray): boolean {
  // Corsica's départements 2A and 2B count as 19 and 18 in the key.
  const department = match[4]!.toUpperCase();
  const departmentDigits = department === '2A' ? '19' : department === '2B' ? '18' : department;
  const body = `${match[1]}${match[2]}${match[3]}${departmentDigits}${match[5]}${match[6]}`;
  const key = 97 - Number(BigInt(body) % 97n);
  return key === Number(match[7]);
}
