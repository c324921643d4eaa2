import { INPUT_CATEGORIES, LEXICON, type InputCategory, type Language } from './lexicon.js';
import { normaliseMessage } from './normalise-message.js';

export interface InputVerdict {
  category: InputCategory;
  /** Which pattern decided (its index in the category's list), for the decision log and for tuning. */
  rule: string;
  /** The words that matched, normalised, cut short: the decision log keeps no more of the message. */
  matched: string;
  /** The language of the pattern that matched: what the reply is written in. */
  language: Language;
}

/** Longest message part read: the filter's cost per message is bounded whatever is sent. */
const MAX_CHARS = 4000;

/**
 * The input pre-filter's classifier: which harmful category a customer
 * message falls in, or null. Runs before any model call, in microseconds,
 * with no network. Categories are tried in order of what is at stake:
 * a crisis first (it must reach a person even when the message is also
 * rude), then attempts on the assistant, then someone else's data, then abuse.
 */
export function classifyMessage(text: string): InputVerdict | null {
  const normalised = normaliseMessage(text.slice(0, MAX_CHARS));
  for (const category of INPUT_CATEGORIES) {
    const { patterns, harmless } = LEXICON[category];
    // Harmless figures of speech are blanked out (not deleted, so words on either side do not join up).
    const readable = harmless.reduce((current, pattern) => current.replace(new RegExp(pattern.source, 'gi'), (span) => ' '.repeat(span.length)), normalised);
    for (const [index, { language, pattern }] of patterns.entries()) {
      const match = pattern.exec(readable);
      if (match) return { category, rule: `${category}:${index}`, matched: match[0].trim().slice(0, 80), language };
    }
  }
  return null;
}
