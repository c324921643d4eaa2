/**
 * Which customer message hands the conversation to a person, before any
 * model runs: an explicit request (four languages), a "yes" to the
 * assistant's own offer of a person, or anger building over recent turns.
 * Each can be switched off (ESCALATION_TRIGGERS); each decision carries its
 * source and a reason for the ticket. A "no" to the offer gets a short
 * acknowledgement instead of the same offer again.
 */
import type { Message } from '@support/protocol';
import type { EscalationSource } from './escalation-service.js';
import { DEFAULT_SENTIMENT_TRIGGER, SentimentTrigger, type SentimentTriggerOptions } from './sentiment-trigger.js';
import { answerToOffer, declinedOfferReply, detectEscalationTrigger, offersHuman } from './triggers.js';

export const TRIGGER_NAMES = ['explicit_request', 'accepted_offer', 'negative_sentiment', 'repeated_failure'] as const;
export type TriggerName = (typeof TRIGGER_NAMES)[number];

export interface HandoffTriggerConfig {
  enabled: ReadonlySet<TriggerName>;
  sentiment: SentimentTriggerOptions;
}

export const ALL_TRIGGERS: HandoffTriggerConfig = { enabled: new Set(TRIGGER_NAMES), sentiment: DEFAULT_SENTIMENT_TRIGGER };

export type TriggerDecision =
  | { kind: 'escalate'; source: Extract<EscalationSource, 'explicit_request' | 'accepted_offer' | 'negative_sentiment'>; reason: string; subject: string }
  | { kind: 'decline_offer'; reply: string };

export class HandoffTriggers {
  private readonly sentiment: SentimentTrigger;

  constructor(private readonly config: HandoffTriggerConfig = ALL_TRIGGERS) {
    this.sentiment = new SentimentTrigger(config.sentiment);
  }

  enabled(name: TriggerName): boolean {
    return this.config.enabled.has(name);
  }

  /** `before`: the transcript before `question`, oldest first. */
  check(question: Pick<Message, 'text'>, before: readonly Pick<Message, 'role' | 'text' | 'kind'>[]): TriggerDecision | null {
    const { text } = question;
    if (this.enabled('explicit_request') && detectEscalationTrigger(text)) {
      return { kind: 'escalate', source: 'explicit_request', reason: text, subject: 'Customer asked for a person' };
    }
    const previous = before.at(-1);
    if (previous?.role === 'assistant' && offersHuman(previous.text)) {
      const answer = answerToOffer(text);
      if (answer === 'accepted' && this.enabled('accepted_offer')) {
        return { kind: 'escalate', source: 'accepted_offer', reason: `Accepted the assistant's offer of a person: "${text.trim()}"`, subject: 'Customer accepted the offer of a person' };
      }
      if (answer === 'declined') return { kind: 'decline_offer', reply: declinedOfferReply(text) };
    }
    if (this.enabled('negative_sentiment')) {
      // Anger an agent already dealt with does not count again: only what came since the last handoff ended.
      const since = before.slice(lastIndexWhere(before, (message) => message.role === 'system' && (message.kind === 'resolved' || message.kind === 'handed_back')) + 1);
      const customerTexts = [...since.filter((message) => message.role === 'user').map((message) => message.text), text];
      const verdict = this.sentiment.judge(customerTexts);
      if (verdict.fired) {
        return {
          kind: 'escalate',
          source: 'negative_sentiment',
          reason: `Negative sentiment over the last ${verdict.scores.length} messages (scores ${verdict.scores.join(', ')}; total ${verdict.total}). Latest: ${text}`,
          subject: 'Customer is upset',
        };
      }
    }
    return null;
  }
}

function lastIndexWhere<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index -= 1) if (predicate(items[index] as T)) return index;
  return -1;
}
