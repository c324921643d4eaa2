/**
 * The negative-sentiment trigger: a customer who has been getting angrier
 * over the last few messages gets a person, before the assistant loses them.
 *
 * Scored with `sentiment` (AFINN-165 word list, with its negation handling),
 * English only: a message in another language scores 0 and never fires.
 * One bad word is not anger ("I lost my damn invoice" is a question): it
 * takes a negative current message AND a clearly negative run over the recent
 * turns, with at least two of them negative.
 */
import Sentiment from 'sentiment';

/**
 * Words AFINN scores as feelings that are plain facts in travel support:
 * "withdrawal fees", "lost luggage", "a problem with my payment", "cancelled
 * flight", "delayed". Left to AFINN, ordinary questions would look angry.
 */
const TRAVEL_NEUTRAL_WORDS: Record<string, number> = {
  withdrawal: 0,
  lost: 0,
  lose: 0,
  problem: 0,
  problems: 0,
  issue: 0,
  issues: 0,
  cancel: 0,
  cancelled: 0,
  canceled: 0,
  cancelling: 0,
  delay: 0,
  delayed: 0,
  miss: 0,
  missed: 0,
  missing: 0,
  wrong: 0,
  mistake: 0,
  error: 0,
  errors: 0,
  fee: 0,
  fees: 0,
  penalty: 0,
  penalties: 0,
  charge: 0,
  charges: 0,
  charged: 0,
  forgot: 0,
  forgotten: 0,
  stuck: 0,
  complaint: 0,
  emergency: 0,
  pay: 0,
  rebate: 0,
  refund: 0,
  demand: 0,
  limited: 0,
  no: 0,
};

export interface SentimentTriggerOptions {
  /** Fires when the recent turns together score at or below this (AFINN points; more negative = angrier). */
  threshold: number;
  /** How many of the customer's latest messages count, the current one included. */
  window: number;
}

export const DEFAULT_SENTIMENT_TRIGGER: SentimentTriggerOptions = { threshold: -8, window: 3 };

export interface SentimentVerdict {
  fired: boolean;
  /** Score of each message in the window, oldest first. */
  scores: number[];
  total: number;
}

export class SentimentTrigger {
  private readonly analyzer = new Sentiment();

  constructor(private readonly options: SentimentTriggerOptions = DEFAULT_SENTIMENT_TRIGGER) {}

  score(text: string): number {
    return this.analyzer.analyze(text, { extras: TRAVEL_NEUTRAL_WORDS }).score;
  }

  /** `customerTexts`: the customer's messages, oldest first, the current one last. */
  judge(customerTexts: readonly string[]): SentimentVerdict {
    const recent = customerTexts.slice(-this.options.window);
    const scores = recent.map((text) => this.score(text));
    const total = scores.reduce((sum, score) => sum + score, 0);
    const current = scores.at(-1) ?? 0;
    const negativeTurns = scores.filter((score) => score < 0).length;
    return { fired: current < 0 && negativeTurns >= 2 && total <= this.options.threshold, scores, total };
  }
}
