import { redactText } from '../guardrails/redaction.js';

/**
 * Turns a customer's question into search terms: lower-cased words without
 * question filler, each with the travel-support synonyms customers use for
 * the same thing ("money back" for refund, "luggage" for baggage). Lexical
 * search alone misses those; vector search (a later stage) covers the rest.
 */

// Words that carry no topic in a support question. Postgres drops its own
// English stop words too; these are the conversational ones it keeps.
const fillerWords = new Set(
  `how much many what whats which when where who why does do did can could would should will shall
  please want wanna need know tell me my mine i im ive id you your yours we our us it its is are was
  were be been being am a an the to of in on at for from by with about as and or but if so this that
  these those there here hi hello hey thanks thank ok okay just also get got make go going let lets
  any some anything something way ways possible help question hoping like would've kind sort really
  take takes taking bring`
    .split(/\s+/)
    .filter(Boolean),
);

const synonymGroups: string[][] = [
  ['cost', 'fee', 'price', 'charge', 'pay', 'penalty'],
  ['cancel', 'cancellation', 'cancelling', 'canceled', 'cancelled'],
  ['refund', 'reimburse', 'reimbursement', 'moneyback'],
  ['baggage', 'luggage', 'bag', 'bags', 'suitcase'],
  ['change', 'modify', 'reschedule', 'rebook', 'amend'],
  ['password', 'login', 'signin'],
  ['forgot', 'forgotten', 'reset', 'remember'],
  ['points', 'miles', 'loyalty'],
  ['wallet', 'credit', 'balance'],
  ['booking', 'reservation', 'trip', 'order'],
  ['agent', 'human', 'person', 'representative'],
  ['hotel', 'room', 'stay', 'accommodation'],
  ['flight', 'plane', 'fly', 'airline'],
  ['seat', 'seating'],
  ['passport', 'visa', 'document', 'documents'],
  ['pet', 'dog', 'cat', 'animal'],
  ['infant', 'baby', 'child', 'children', 'kid', 'kids'],
  ['wheelchair', 'assistance', 'disability', 'reduced mobility'],
  ['receipt', 'invoice'],
  ['lost', 'missing', 'delayed', 'damaged'],
];

const synonymsByWord = new Map<string, string[]>();
for (const group of synonymGroups) for (const word of group) synonymsByWord.set(word, group);

/** Words that carry no topic (question filler); the embedder drops them too. */
export function isFillerWord(word: string): boolean {
  return fillerWords.has(word);
}

/** The synonym group a word belongs to (its first word names the group), if any. */
export function synonymGroupOf(word: string): readonly string[] | undefined {
  return synonymsByWord.get(word);
}

export interface QueryTerm {
  word: string;
  /** The word and its synonyms: a match on any of them counts for the word. */
  alternatives: string[];
}

export function queryTerms(text: string): QueryTerm[] {
  // Personal details (emails, phone and card numbers) say nothing about the topic
  // and, being unknown to the KB, would only dilute the match.
  const withoutPii = redactText(text).replace(/\[(?:EMAIL|CARD|IBAN|PHONE|TOKEN|JWT)\]/g, ' ');
  const normalised = withoutPii.toLowerCase().replace(/money\s+back/g, 'moneyback').replace(/sign\s+in/g, 'signin');
  const words = normalised.match(/[a-z0-9]+/g) ?? [];
  const seen = new Set<string>();
  const terms: QueryTerm[] = [];
  for (const word of words) {
    if (word.length < 2 || fillerWords.has(word) || seen.has(word)) continue;
    seen.add(word);
    const alternatives = (synonymsByWord.get(word) ?? [word]).flatMap((alt) => alt.split(' '));
    terms.push({ word, alternatives: [...new Set([word, ...alternatives])] });
  }
  return terms.slice(0, 24);
}
