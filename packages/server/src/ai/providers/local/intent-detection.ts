import { detectEscalationTrigger } from '../../../escalation/triggers.js';
import type { IntentClassifier } from './intent-classifier.js';
import { intentSpec, type IntentName } from './intent-taxonomy.js';
import { wordsOf } from './text-features.js';

/**
 * The local provider's understanding of one customer message: a trained
 * intent classifier (paraphrases, typos, casual phrasing), plus two rules that
 * must never depend on a model: an explicit request for a person, and a
 * booking reference. It only decides what to do next; facts come from tools.
 */
export interface LocalIntent {
  intent: IntentName;
  /**
   * `sure`: act on it. `unsure`: the best guess is too weak to act on; ask a
   * clarifying question about it instead.
   */
  certainty: 'sure' | 'unsure';
  bookingReference: string | null;
}

/** Where confidence turns into action; chosen on the dev rows the model was not trained on (eval/README.md). */
export const DECISION_THRESHOLDS = {
  /** Below this probability the best in-scope intent is asked about, not acted on. */
  act: 0.5,
  /** Handing over to a person is cheap to undo and right for an upset customer, so escalation acts on less. */
  escalate: 0.35,
  /**
   * "Out of scope" wins outright only this sure; a closer call with a
   * plausible in-scope reading gets a clarifying question about that reading.
   */
  reject: 0.8,
  /** An in-scope reading below this is no reading at all. */
  plausible: 0.1,
} as const;

const bookingWords = /\b(?:booking|bookings|reservation|reservations|trip|itinerary|flight|hotel|ticket|order|ref(?:erence)?|pnr|confirmation)\b/i;
const statusWords = /\b(?:status|check|look\s*up|lookup|details?|confirmed|show|info|information|where|when|what'?s|state|going\s+on|happening|still|valid|find)\b/i;

/**
 * A 6-character reference like SKY4F2: letters and digits, or six capitals
 * as typed. A capitalised ordinary word ("REFUND") is not one: `isWord` says
 * which words the assistant knows.
 */
export function findBookingReference(text: string, isWord: (word: string) => boolean = () => false): string | null {
  for (const match of text.matchAll(/\b[A-Za-z0-9]{6}\b/g)) {
    const token = match[0];
    const hasDigit = /\d/.test(token);
    const hasLetter = /[A-Za-z]/.test(token);
    if (hasDigit && hasLetter) return token.toUpperCase();
    if (/^[A-Z]{6}$/.test(token) && !isWord(token.toLowerCase())) return token;
  }
  return null;
}

export function detectIntent(text: string, classifier: IntentClassifier): LocalIntent {
  if (detectEscalationTrigger(text)) return { intent: 'human_request', certainty: 'sure', bookingReference: null };

  const reference = findBookingReference(text, (word) => classifier.knowsWord(word));
  // Nothing but numbers and punctuation (an order number, a phone number): ask what it is about.
  if (!reference && wordsOf(text).every((word) => word === '0')) return { intent: 'vague', certainty: 'sure', bookingReference: null };

  const prediction = classifier.classify(text);
  const best = prediction.bestInScope;
  if (reference) {
    // A reference asks for that booking, unless the message is clearly about doing something with it.
    const aboutBooking = bookingWords.test(text) || statusWords.test(text) || text.trim().length <= 40;
    if (best.probability >= DECISION_THRESHOLDS.act && intentSpec(best.intent).usesBooking) return { intent: best.intent, certainty: 'sure', bookingReference: reference };
    if (aboutBooking || best.intent === 'booking_status') return { intent: 'booking_status', certainty: 'sure', bookingReference: reference };
  }

  if (prediction.intent === 'out_of_scope') {
    return prediction.probability >= DECISION_THRESHOLDS.reject || best.probability < DECISION_THRESHOLDS.plausible
      ? { intent: 'out_of_scope', certainty: 'sure', bookingReference: null }
      : { intent: best.intent, certainty: 'unsure', bookingReference: reference };
  }
  const threshold = intentSpec(best.intent).action === 'escalate' ? DECISION_THRESHOLDS.escalate : DECISION_THRESHOLDS.act;
  return { intent: best.intent, certainty: best.probability >= threshold ? 'sure' : 'unsure', bookingReference: reference };
}
