import { detectEscalationTrigger } from '../../../escalation/triggers.js';

/**
 * The local provider's understanding of one customer message: rules over
 * words that customers actually use. It only decides what to do next (answer
 * from the KB, call a tool, ask, hand over); facts always come from tools.
 */
export type LocalIntent =
  | { kind: 'human_request' }
  | { kind: 'booking_status'; bookingReference: string | null }
  | { kind: 'wallet_balance' }
  | { kind: 'greeting' }
  | { kind: 'thanks' }
  | { kind: 'vague' }
  | { kind: 'faq' };

const bookingWords = /\b(?:booking|bookings|reservation|reservations|trip|itinerary|flight|hotel|ticket|order|ref(?:erence)?|pnr|confirmation)\b/i;
const statusWords = /\b(?:status|check|look\s*up|lookup|details?|confirmed|show|info|information|where|when|what'?s|state|going\s+on|happening|still|valid|find)\b/i;
const walletWords = /\b(?:wallet|store\s+credit|account\s+credit|travel\s+credit)\b/i;
const balanceWords = /\b(?:balance|how\s+much|left|remaining|have|available|check|show|what'?s|is\s+there)\b/i;
const policyHints = /\b(?:refund|expire|expiry|top\s*up|add|use|pay|work|take|transfer)\b/i;
const greeting = /^\s*(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening)|greetings|yo)\b[\s!.,]*(?:there)?[\s!.,]*$/i;
const thanks = /^\s*(?:thanks?|thank\s+you|thx|ty|cheers|great|perfect|ok(?:ay)?|cool|got\s+it)\b[^?]{0,40}$/i;
const vague = /^\s*(?:help|i\s+(?:have|got)\s+a\s+(?:problem|question|issue)|i\s+need\s+help|something'?s?\s+wrong|problem|question|issue|support)\s*[.!?]*\s*$/i;

/** A 6-character reference like SKY4F2: letters and digits, or all capitals as typed. */
export function findBookingReference(text: string): string | null {
  for (const match of text.matchAll(/\b[A-Za-z0-9]{6}\b/g)) {
    const token = match[0];
    const hasDigit = /\d/.test(token);
    const hasLetter = /[A-Za-z]/.test(token);
    if ((hasDigit && hasLetter) || /^[A-Z]{6}$/.test(token)) return token.toUpperCase();
  }
  return null;
}

export function detectIntent(text: string): LocalIntent {
  if (detectEscalationTrigger(text)) return { kind: 'human_request' };
  const reference = findBookingReference(text);
  if (reference && (bookingWords.test(text) || statusWords.test(text) || text.trim().length <= 40)) {
    return { kind: 'booking_status', bookingReference: reference };
  }
  if (walletWords.test(text) && balanceWords.test(text) && !policyHints.test(text)) return { kind: 'wallet_balance' };
  if (/\bmy\b/i.test(text) && /\b(?:booking|reservation|trip|itinerary)\b/i.test(text) && statusWords.test(text) && !/\b(?:how\s+(?:do|can|to)|fee|cost|policy)\b/i.test(text)) {
    return { kind: 'booking_status', bookingReference: null };
  }
  if (greeting.test(text)) return { kind: 'greeting' };
  if (thanks.test(text)) return { kind: 'thanks' };
  if (vague.test(text)) return { kind: 'vague' };
  return { kind: 'faq' };
}
