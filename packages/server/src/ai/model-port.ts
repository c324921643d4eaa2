/**
 * The model port: the one shape every provider (openai, azure,
 * openai-compatible, local) implements. No vendor type crosses it.
 *
 * A call takes messages and tool definitions and returns a stream of events:
 * text deltas as they arrive, complete tool calls, and one `finish` with the
 * token usage. The tool loop (ai/tool-loop.ts) is the same for every provider.
 */

export interface ToolCall {
  /** Provider-assigned id that the tool result must quote back. */
  id: string;
  name: string;
  /** The arguments as the model wrote them: JSON text, not yet trusted. */
  arguments: string;
}

export type ModelMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other';

export type ModelStreamEvent =
  | { type: 'text_delta'; delta: string }
  | { type: 'tool_call'; call: ToolCall }
  | { type: 'finish'; reason: FinishReason; usage: TokenUsage }
  /**
   * Which provider and model take the call from here on: sent by a model
   * that stands for several (ai/provider-chain.ts) before each one it tries,
   * so that every call is logged under the one that answered it. A single
   * provider does not send it; its own `provider` and `model` apply.
   */
  | { type: 'routed_to'; provider: string; model: string };

export interface ModelRequest {
  messages: ModelMessage[];
  tools: ToolDefinition[];
  maxOutputTokens?: number;
  temperature?: number;
  /**
   * When the whole reply must be done (ms since the epoch). A provider's
   * retries and waits fit before it, in later tool rounds too, so that a rate
   * limit stays a rate limit instead of becoming a timeout.
   */
  deadline?: number;
  /**
   * The customer's locale (the session's, BCP 47). A hosted model reads it
   * from the system prompt; the local provider, which writes its replies
   * itself, formats money and dates with it (i18n/format.ts).
   */
  locale?: string;
}

export interface ChatModel {
  /** "openai", "azure", "openai-compatible" or "local" (a chain's: its first provider's). */
  readonly provider: string;
  /** Model or deployment name, as logged in support_ai_interactions (a chain's: its first provider's). */
  readonly model: string;
  /**
   * Streams one model call. Throws ModelProviderError (errors/app-error.ts)
   * when the provider fails; aborting `signal` stops the call.
   */
  stream(request: ModelRequest, signal?: AbortSignal): AsyncIterable<ModelStreamEvent>;
}
