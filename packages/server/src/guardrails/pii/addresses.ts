import type { Span } from './normalise.js';

/**
 * Street addresses, where their shape allows it without eating ordinary
 * sentences: a house number and a street word in English ("221B Baker
 * Street"), Spanish ("Calle Mayor 5", "C/ Alcalá 20"), French ("12 rue de
 * la Paix") or German ("Hauptstraße 12"), and UK postcodes written with
 * their space ("SW1A 1AA"). Common words that are also street words in
 * some language ("way", "place", "plaza": a seat) are left out, and an
 * English street needs its name words capitalised or free of the little
 * words of a sentence ("waited 2 hours on the road" is not an address).
 */
const SENTENCE_WORDS = new Set(['a', 'an', 'the', 'on', 'in', 'at', 'of', 'to', 'for', 'by', 'my', 'our', 'your', 'and', 'or', 'hours', 'hour', 'minutes', 'days', 'miles', 'km', 'from', 'with', 'down', 'up', 'off', 'into', 'is', 'was']);

const ENGLISH = /\b\d{1,5}[A-Za-z]?,?\s+((?:[\p{L}'’.-]+\s+){1,4})(?:street|st\.|road|rd\.|avenue|ave\.|lane|boulevard|blvd\.?|drive|crescent|terrace|gardens|mews|parkway)(?![\p{L}])/giu;
const SPANISH = /(?<![\p{L}])(?:calle|c\/|avenida|avda\.|paseo|carretera)\s*(?:de\s+(?:la\s+|los\s+|las\s+)?|del\s+)?[\p{L}'’.-]+(?:\s+[\p{L}'’.-]+){0,3}?,?\s*(?:n[º°o]\.?\s*)?\d{1,5}(?:\s?[A-Za-z])?\b/giu;
const FRENCH = /\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|boulevard|bd|all[ée]e|impasse|chemin|quai|cours)\s+[\p{L}'’-]+(?:\s+[\p{L}'’-]+){0,3}/giu;
const GERMAN = /(?<![\p{L}])\p{Lu}[\p{L}-]*(?:stra(?:ß|ss)e|str\.|weg|gasse|allee|platz|damm|ufer)\s+\d{1,4}\s?[a-z]?\b/gu;
const GERMAN_SEPARATE = /(?<![\p{L}])\p{Lu}[\p{L}-]*\s+(?:Stra(?:ß|ss)e|Str\.|Weg|Gasse|Allee|Platz)\s+\d{1,4}\s?[a-z]?\b/gu;
const UK_POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b/g;

export function findAddresses(text: string): Span[] {
  const spans: Span[] = [];
  const add = (match: RegExpMatchArray) => spans.push({ start: match.index!, end: match.index! + match[0].length, label: 'ADDRESS' });
  for (const match of text.matchAll(ENGLISH)) {
    const words = match[1]!.trim().split(/\s+/);
    const capitalised = words.every((word) => /^\p{Lu}/u.test(word));
    if (capitalised || words.every((word) => !SENTENCE_WORDS.has(word.toLowerCase()))) add(match);
  }
  for (const pattern of [SPANISH, FRENCH, GERMAN, GERMAN_SEPARATE, UK_POSTCODE]) for (const match of text.matchAll(pattern)) add(match);
  return spans;
}
