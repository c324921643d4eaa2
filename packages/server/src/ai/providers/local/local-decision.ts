import { randomUUID } from 'node:crypto';
import type { ModelMessage, ModelRequest, ToolCall } from '../../model-port.js';
import { composeFromToolResult, DONT_KNOW, OFFER_HUMAN } from './compose-answer.js';
import type { IntentClassifier } from './intent-classifier.js';
import { detectIntent, type LocalIntent } from './intent-detection.js';
import { intentSpec, type IntentName } from './intent-taxonomy.js';

/**
 * What the local provider does with a turn. `act` names the kind of text
 * reply, so that callers (the evaluation harness) need not parse wording:
 * an answer, a clarifying question, or "I don't know".
 */
export type LocalDecision =
  | { kind: 'tool_calls'; calls: ToolCall[]; intent: IntentName | null }
  | { kind: 'text'; text: string; act: 'answer' | 'clarify' | 'dont_know'; intent: IntentName | null };

export const GREETING_REPLY =
  "Hello! I'm the Skyway Travel assistant. I can answer questions about cancellations, refunds, baggage, changes, payments and your account, and check your bookings when you're signed in. How can I help?";
export const THANKS_REPLY = "You're welcome! Is there anything else I can help you with?";
export const VAGUE_REPLY =
  'Of course. What is it about: an existing booking, a cancellation or refund, baggage, a payment, or your account? A sentence or two about the problem helps me find the right answer.';
export const ASK_FOR_REFERENCE =
  'Sure, I can check that. Which booking do you mean? Please send me its 6-character booking reference (for example SKY4F2); you will find it in your confirmation email.';

/** A clarifying question about the best guess, with a way out to a person. */
export function confirmTopicReply(topic: string): string {
  return `I want to be sure I help with the right thing: is this about ${topic}? If so, tell me a little more; if not, tell me what you need. ${OFFER_HUMAN}`;
}

/**
 * The decision for one model call: compose the reply from tool results if
 * the tools have answered, else choose from the last customer message what
 * to do — call a tool, answer, ask, or say it does not know.
 */
export function decideLocalTurn(request: ModelRequest, classifier: IntentClassifier): LocalDecision {
  const lastUserIndex = request.messages.findLastIndex((message) => message.role === 'user');
  const question = request.messages[lastUserIndex]?.content ?? '';
  const sinceQuestion = request.messages.slice(lastUserIndex + 1);

  // Second round: the tools answered; compose the reply from their results.
  const toolResults = sinceQuestion.filter((message): message is Extract<ModelMessage, { role: 'tool' }> => message.role === 'tool');
  if (toolResults.length > 0) {
    const callsById = new Map(
      sinceQuestion.flatMap((message) => (message.role === 'assistant' ? message.toolCalls ?? [] : [])).map((call) => [call.id, call.name]),
    );
    const parts = toolResults.map((result) => composeFromToolResult(callsById.get(result.toolCallId) ?? '', result.content, question, request.locale));
    return { kind: 'text', text: parts.join('\n\n'), act: parts.every((part) => part === DONT_KNOW) ? 'dont_know' : 'answer', intent: null };
  }

  const available = new Set(request.tools.map((tool) => tool.name));
  return planFirstStep(detectIntent(question, classifier), question, available);
}

function planFirstStep(detected: LocalIntent, question: string, available: Set<string>): LocalDecision {
  const { intent, bookingReference } = detected;
  const text = (act: 'answer' | 'clarify' | 'dont_know', reply: string): LocalDecision => ({ kind: 'text', text: reply, act, intent });
  const callTools = (...calls: Array<[name: string, args: Record<string, unknown>]>): LocalDecision =>
    // On the tool-less last round (or a tool this caller lacks), say so instead of calling.
    calls.every(([name]) => available.has(name))
      ? { kind: 'tool_calls', calls: calls.map(([name, args]) => toolCall(name, args)), intent }
      : text('dont_know', `Sorry, I can't do that right now. ${OFFER_HUMAN}`);
  const searchKb: [string, Record<string, unknown>] = ['search_knowledge_base', { query: question.slice(0, 500) }];

  const spec = intentSpec(intent);
  if (detected.certainty === 'unsure') return text('clarify', confirmTopicReply(spec.topic));
  switch (spec.action) {
    case 'escalate':
      return callTools([
        'create_ticket',
        { subject: intent === 'complaint' ? 'Customer complaint' : 'Customer asked for a human agent', reason: question.slice(0, 500) },
      ]);
    case 'booking':
      if (bookingReference) return callTools(['lookup_booking', { bookingReference }]);
      // "Where is my booking?" without a reference: list the customer's bookings (guests are asked to sign in).
      return available.has('list_my_bookings') ? callTools(['list_my_bookings', {}]) : text('clarify', ASK_FOR_REFERENCE);
    case 'wallet':
      return callTools(['get_wallet_balance', {}]);
    case 'knowledge': {
      // Cancelling or moving a named booking: prepare it for the customer's confirmation (nothing changes yet).
      if (bookingReference && intent === 'cancel_booking' && available.has('request_booking_cancellation')) {
        return callTools(['request_booking_cancellation', { bookingReference }]);
      }
      const newDate = intent === 'change_booking' ? findDate(question) : null;
      if (bookingReference && newDate && available.has('request_booking_change')) {
        return callTools(['request_booking_change', { bookingReference, newDate }]);
      }
      // About one booking and it is named: show the booking next to the policy.
      return bookingReference && spec.usesBooking ? callTools(['lookup_booking', { bookingReference }], searchKb) : callTools(searchKb);
    }
    case 'greeting':
      return text('answer', GREETING_REPLY);
    case 'thanks':
      return text('answer', THANKS_REPLY);
    case 'clarify':
      return text('clarify', VAGUE_REPLY);
    case 'out_of_scope':
      return text('dont_know', DONT_KNOW);
  }
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** A date the customer wrote as 2027-06-20, "20 June 2027" or "June 20, 2027", as YYYY-MM-DD. */
export function findDate(text: string): string | null {
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(text);
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3]}`;
  const monthNames = MONTHS.join('|');
  const dayFirst = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(${monthNames})\\s+(\\d{4})\\b`, 'i').exec(text);
  const monthFirst = new RegExp(`\\b(${monthNames})\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'i').exec(text);
  const [day, month, year] = dayFirst ? [dayFirst[1], dayFirst[2], dayFirst[3]] : monthFirst ? [monthFirst[2], monthFirst[1], monthFirst[3]] : [];
  if (!day || !month || !year) return null;
  const monthNumber = MONTHS.indexOf(month.toLowerCase()) + 1;
  return `${year}-${String(monthNumber).padStart(2, '0')}-${day.padStart(2, '0')}`;
}

function toolCall(name: string, args: Record<string, unknown>): ToolCall {
  return { id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`, name, arguments: JSON.stringify(args) };
}
