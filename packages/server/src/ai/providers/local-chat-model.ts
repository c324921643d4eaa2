import { randomUUID } from 'node:crypto';
import type { ChatModel, ModelMessage, ModelRequest, ModelStreamEvent, ToolCall } from '../model-port.js';
import { composeFromToolResult, OFFER_HUMAN } from './local/compose-answer.js';
import { detectIntent } from './local/intent-detection.js';

/**
 * The offline default provider: no model, no download, no network. It reads
 * the conversation the same way a hosted model would (messages and tool
 * definitions in; text deltas, tool calls and usage out), decides whether to
 * search the knowledge base, call an account tool, ask a clarifying question
 * or hand over, and answers only from tool results. Because its tool calls
 * have the OpenAI shape, the tool loop cannot tell it from a hosted model.
 */
export function createLocalChatModel(): ChatModel {
  return {
    provider: 'local',
    model: 'local-rules-v1',
    stream: (request, signal) => streamLocal(request, signal),
  };
}

async function* streamLocal(request: ModelRequest, signal?: AbortSignal): AsyncGenerator<ModelStreamEvent> {
  const promptTokens = estimateTokens(request.messages.map((message) => message.content).join('\n'));
  const decision = decide(request);
  if (decision.kind === 'tool_call') {
    signal?.throwIfAborted();
    yield { type: 'tool_call', call: decision.call };
    yield { type: 'finish', reason: 'tool_calls', usage: { promptTokens, completionTokens: estimateTokens(decision.call.arguments) } };
    return;
  }
  // Word-sized deltas, with a turn of the event loop between them, so that
  // streaming behaves as it does with a hosted model.
  for (const piece of decision.text.match(/\S+\s*/g) ?? []) {
    signal?.throwIfAborted();
    yield { type: 'text_delta', delta: piece };
    await new Promise((resolve) => setImmediate(resolve));
  }
  yield { type: 'finish', reason: 'stop', usage: { promptTokens, completionTokens: estimateTokens(decision.text) } };
}

type Decision = { kind: 'text'; text: string } | { kind: 'tool_call'; call: ToolCall };

function decide(request: ModelRequest): Decision {
  const lastUserIndex = findLastIndex(request.messages, (message) => message.role === 'user');
  const question = lastUserIndex >= 0 ? request.messages[lastUserIndex]?.content ?? '' : '';
  const sinceQuestion = request.messages.slice(lastUserIndex + 1);

  // Second round: the tools answered; compose the reply from their results.
  const toolResults = sinceQuestion.filter((message): message is Extract<ModelMessage, { role: 'tool' }> => message.role === 'tool');
  if (toolResults.length > 0) {
    const callsById = new Map(
      sinceQuestion.flatMap((message) => (message.role === 'assistant' ? message.toolCalls ?? [] : [])).map((call) => [call.id, call.name]),
    );
    const parts = toolResults.map((result) => composeFromToolResult(callsById.get(result.toolCallId) ?? '', result.content, question));
    return { kind: 'text', text: parts.join('\n\n') };
  }

  const available = new Set(request.tools.map((tool) => tool.name));
  const callTool = (name: string, args: Record<string, unknown>): Decision =>
    available.has(name)
      ? { kind: 'tool_call', call: { id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`, name, arguments: JSON.stringify(args) } }
      : { kind: 'text', text: `Sorry, I can't do that right now. ${OFFER_HUMAN}` };

  const intent = detectIntent(question);
  switch (intent.kind) {
    case 'human_request':
      return callTool('create_ticket', { subject: 'Customer asked for a human agent', reason: question.slice(0, 500) });
    case 'booking_status':
      return intent.bookingReference
        ? callTool('lookup_booking', { bookingReference: intent.bookingReference })
        : {
            kind: 'text',
            text: 'Sure, I can check that. Which booking do you mean? Please send me its 6-character booking reference (for example SKY4F2); you will find it in your confirmation email.',
          };
    case 'wallet_balance':
      return callTool('get_wallet_balance', {});
    case 'greeting':
      return {
        kind: 'text',
        text: "Hello! I'm the Skyway Travel assistant. I can answer questions about cancellations, refunds, baggage, changes, payments and your account, and check your bookings when you're signed in. How can I help?",
      };
    case 'thanks':
      return { kind: 'text', text: "You're welcome! Is there anything else I can help you with?" };
    case 'vague':
      return {
        kind: 'text',
        text: 'Of course. What is it about: an existing booking, a cancellation or refund, baggage, a payment, or your account? A sentence or two about the problem helps me find the right answer.',
      };
    case 'faq':
      return callTool('search_knowledge_base', { query: question.slice(0, 500) });
  }
}

function findLastIndex<T>(items: T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    const item = items[index];
    if (item !== undefined && predicate(item)) return index;
  }
  return -1;
}

/** Rough token count (about four characters a token) so usage logs stay comparable. */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
