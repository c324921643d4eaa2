import type { ChatModel, ModelRequest, ModelStreamEvent } from '../model-port.js';
import type { IntentClassifier } from './local/intent-classifier.js';
import { sharedIntentClassifier } from './local/intent-model.js';
import { decideLocalTurn } from './local/local-decision.js';

/**
 * The offline default provider: no hosted model, no download, no network. It
 * reads the conversation the same way a hosted model would (messages and tool
 * definitions in; text deltas, tool calls and usage out), decides with a small
 * intent classifier trained at start (local/intent-model.ts) whether to search
 * the knowledge base, call an account tool, ask a clarifying question, hand
 * over, or say it does not know, and answers only from tool results. Because
 * its tool calls have the OpenAI shape, the tool loop cannot tell it from a
 * hosted model.
 */
export function createLocalChatModel(options: { classifier?: IntentClassifier } = {}): ChatModel {
  // Trained here, not on the first message, so that start-up pays for it and the first customer does not.
  const classifier = options.classifier ?? sharedIntentClassifier();
  return {
    provider: 'local',
    model: 'local-intents-v2',
    stream: (request, signal) => streamLocal(request, classifier, signal),
  };
}

async function* streamLocal(request: ModelRequest, classifier: IntentClassifier, signal?: AbortSignal): AsyncGenerator<ModelStreamEvent> {
  const promptTokens = estimateTokens(request.messages.map((message) => message.content).join('\n'));
  const decision = decideLocalTurn(request, classifier);
  if (decision.kind === 'tool_calls') {
    for (const call of decision.calls) {
      signal?.throwIfAborted();
      yield { type: 'tool_call', call };
    }
    const completionTokens = decision.calls.reduce((sum, call) => sum + estimateTokens(call.arguments), 0);
    yield { type: 'finish', reason: 'tool_calls', usage: { promptTokens, completionTokens } };
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

/** Rough token count (about four characters a token) so usage logs stay comparable. */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
