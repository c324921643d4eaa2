import type { ModelMessage, TokenUsage, ToolCall, ToolDefinition } from './model-port.js';

/** The tokenizer of current OpenAI models (o200k_base), loaded on first use: its tables take a few hundred ms to read. */
let tokenizer: Promise<(text: string) => number> | undefined;
const countTokens = async (text: string): Promise<number> => {
  tokenizer ??= import('gpt-tokenizer/encoding/o200k_base').then((module) => module.countTokens);
  return (await tokenizer)(text);
};

/** Per message, what the chat format adds around its content (role markers), as OpenAI documents it. */
const TOKENS_PER_MESSAGE = 3;

/**
 * A model call's tokens counted with a tokenizer, for a provider that
 * reports none (many OpenAI-compatible servers, a stream cut short). An
 * estimate: another model's tokenizer differs by some percent, which is
 * good enough for caps and cost, and is marked as estimated where stored.
 */
export async function estimateUsage(call: { messages: readonly ModelMessage[]; tools: readonly ToolDefinition[]; text: string; toolCalls: readonly ToolCall[] }): Promise<TokenUsage> {
  let prompt = 0;
  for (const message of call.messages) {
    prompt += TOKENS_PER_MESSAGE + (await countTokens(message.content));
    if (message.role === 'assistant') for (const toolCall of message.toolCalls ?? []) prompt += await countTokens(`${toolCall.name}${toolCall.arguments}`);
  }
  if (call.tools.length > 0) prompt += await countTokens(JSON.stringify(call.tools));
  let completion = await countTokens(call.text);
  for (const toolCall of call.toolCalls) completion += await countTokens(`${toolCall.name}${toolCall.arguments}`);
  return { promptTokens: prompt, completionTokens: completion };
}
