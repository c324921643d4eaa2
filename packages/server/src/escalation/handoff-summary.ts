import type { Message, TicketPriority } from '@support/protocol';
import { redactText } from '../guardrails/redaction.js';
import type { EscalationSource } from './escalation-service.js';

const TRIGGER_WORDS: Record<EscalationSource, string> = {
  customer_button: 'the customer pressed "Talk to a human"',
  explicit_request: 'the customer asked for a person',
  accepted_offer: "the customer said yes to the assistant's offer of a person",
  ai_tool: 'the assistant opened a ticket',
  repeated_failure: 'the assistant could not answer several times in a row',
  negative_sentiment: 'the customer is upset',
  safety: 'a safety rule asked for a person',
  ai_disabled: 'the assistant is switched off',
};

const quote = (text: string, max = 220) => {
  const flat = redactText(text).replace(/\s+/g, ' ').trim();
  return `“${flat.length > max ? `${flat.slice(0, max - 1)}…` : flat}”`;
};

const firstSentence = (text: string) => /^[^.!?\n]*[.!?]?/.exec(text.trim())?.[0] ?? text;

/**
 * What the agent reads first: an extractive summary of the conversation
 * (what the customer first asked, what they said last, the assistant's last
 * answer, why it was handed over). Every quoted line is redacted like any
 * other copy outside the transcript; the transcript itself is one click away.
 */
export function summarizeHandoff(messages: readonly Message[], source: EscalationSource): string {
  const asked = messages.filter((message) => message.role === 'user');
  const lastAnswer = [...messages].reverse().find((message) => message.role === 'assistant');
  const parts: string[] = [];
  const first = asked[0];
  const last = asked[asked.length - 1];
  if (first) parts.push(`Asked: ${quote(first.text)}`);
  if (last && last !== first) parts.push(`Latest: ${quote(last.text)}`);
  if (lastAnswer) parts.push(`Assistant last said: ${quote(firstSentence(lastAnswer.text), 160)}`);
  parts.push(`Handed over because ${TRIGGER_WORDS[source]} (${asked.length} customer message${asked.length === 1 ? '' : 's'}).`);
  return parts.join(' ');
}

const PRIORITIES: TicketPriority[] = ['low', 'normal', 'high', 'urgent'];
const BASE_PRIORITY: Record<EscalationSource, TicketPriority> = {
  customer_button: 'normal',
  explicit_request: 'normal',
  accepted_offer: 'normal',
  ai_tool: 'normal',
  repeated_failure: 'normal',
  negative_sentiment: 'high',
  safety: 'urgent',
  ai_disabled: 'normal',
};
/** Loyalty tiers whose customers are served first (the demo's tiers; a host's own map onto them). */
const PREFERRED_TIERS = new Set(['gold', 'platinum']);

/** By trigger, one step up for a preferred tier: the queue's order. */
export function handoffPriority(source: EscalationSource, tier: string | null): TicketPriority {
  const base = PRIORITIES.indexOf(BASE_PRIORITY[source]);
  const bump = tier && PREFERRED_TIERS.has(tier.toLowerCase()) ? 1 : 0;
  return PRIORITIES[Math.min(base + bump, PRIORITIES.length - 1)] ?? 'normal';
}
