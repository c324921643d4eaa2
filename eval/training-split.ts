import { createHash } from 'node:crypto';

/**
 * Which dev-part rows become training examples for the local intent model.
 * A hash of the text (lower-cased, whitespace collapsed, as the datasets'
 * own split does) with a salt of our own: deterministic, independent of row
 * order, and identical texts always land on the same side.
 */
export function trainingBucket(text: string): number {
  return Number.parseInt(createHash('sha256').update(`skyway-intents|${normalisedKey(text)}`).digest('hex').slice(0, 8), 16) % 100;
}

/** The datasets' own identity of a text: lower-cased, runs of whitespace as one space. */
export function normalisedKey(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Percent of each source that is used for training (the rest of the dev part is scored). */
export const TRAINING_SHARE = {
  /** Bitext dev rows: the in-scope intents. */
  bitext: 60,
  /** CLINC150 `oos` dev rows: out of scope. */
  clincOos: 50,
  /** HINT3 `NO_NODES_DETECTED` dev rows: real users' out-of-scope messages. */
  hint3NoNodes: 50,
} as const;

/** CLINC150 in-scope intents (never scored) used as out-of-scope examples, per intent. */
export const CLINC_EXAMPLES_PER_INTENT = 8;

/**
 * CLINC150 domains a travel-support assistant does not serve. Travel,
 * banking, credit cards and meta are left out: parts of them (lost luggage,
 * carry-on, card declined, balance, yes/no) are in scope for us or ambiguous.
 */
export const CLINC_OUT_OF_SCOPE_DOMAINS: ReadonlySet<string> = new Set(['utility', 'small_talk', 'work', 'home', 'auto_and_commute', 'kitchen_and_dining']);

/**
 * Intents inside those domains that are not out of scope for us: greetings
 * and thanks are our own intents; orders, reservations and "can I ask you"
 * questions overlap booking and venue questions.
 */
export const CLINC_KEPT_OUT: ReadonlySet<string> = new Set([
  'greeting',
  'thank_you',
  'goodbye',
  'what_can_i_ask_you',
  'are_you_a_bot',
  'order',
  'order_status',
  'accept_reservations',
  'restaurant_reservation',
  'confirm_reservation',
  'cancel_reservation',
  'restaurant_reviews',
  'how_busy',
]);
