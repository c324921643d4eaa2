/**
 * Chat Completions adapters: OpenAI, Azure OpenAI and any OpenAI-compatible
 * server (Ollama, vLLM, LM Studio...). The three differ only in how the SDK
 * client is built; translation, streaming and error mapping are shared.
 */
import { z } from 'zod';
import type { OpenAI } from 'openai';
import type {
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { ModelProviderError } from '../../errors/app-error.js';
import { maskForModel } from '../../guardrails/redaction.js';
import type {
  ChatModel,
  FinishReason,
  ModelMessage,
  ModelRequest,
  ModelStreamEvent,
  ToolCall,
  ToolDefinition,
} from '../model-port.js';
import { abortReason, callWithRetries, createAzureClient, createOpenAIClient, retryPolicy, translateError, withinDeadline } from './openai-client.js';
import type { AzureClientOptions, OpenAIClientOptions, RetryPolicy } from './openai-client.js';

export interface OpenAIChatModelOptions extends OpenAIClientOptions {
  model: string;
}

export type AzureChatModelOptions = AzureClientOptions;

export function createOpenAIChatModel(options: OpenAIChatModelOptions): ChatModel {
  const { provider } = options;
  const client = createOpenAIClient(options);
  return new ChatCompletionsModel(client, {
    provider,
    model: options.model,
    // Older compatible servers only know max_tokens; OpenAI's reasoning models only accept the new name.
    maxTokensParam: provider === 'openai' ? 'max_completion_tokens' : 'max_tokens',
    retries: retryPolicy(options),
  });
}

export function createAzureChatModel(options: AzureChatModelOptions): ChatModel {
  const provider = 'azure';
  const client = createAzureClient(options);
  return new ChatCompletionsModel(client, {
    provider,
    model: options.deployment,
    maxTokensParam: 'max_completion_tokens',
    retries: retryPolicy(options),
  });
}

interface ModelSettings {
  provider: string;
  model: string;
  maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  /** Retries of the request (never of a stream that has started), within the call's budget. */
  retries: RetryPolicy;
}

class ChatCompletionsModel implements ChatModel {
  readonly provider: string;
  readonly model: string;

  constructor(
    private readonly client: OpenAI,
    private readonly settings: ModelSettings,
  ) {
    this.provider = settings.provider;
    this.model = settings.model;
  }

  stream(request: ModelRequest, signal?: AbortSignal): AsyncIterable<ModelStreamEvent> {
    return streamChatCompletion(this.client, this.settings, request, signal);
  }
}

async function* streamChatCompletion(
  client: OpenAI,
  settings: ModelSettings,
  request: ModelRequest,
  signal: AbortSignal | undefined,
): AsyncGenerator<ModelStreamEvent> {
  const { provider } = settings;
  const params = buildParams(settings, request);

  // callWithRetries throws errors already translated.
  const stream = await callWithRetries(provider, withinDeadline(settings.retries, request.deadline), signal, (timeout) =>
    client.chat.completions.create(params, { timeout, ...(signal === undefined ? {} : { signal }) }),
  );
  const chunks: AsyncIterator<unknown> = stream[Symbol.asyncIterator]();

  const accumulator = new StreamAccumulator(provider);
  let exhausted = false;
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await chunks.next();
      } catch (error) {
        exhausted = true;
        throw translateError(provider, error, signal);
      }
      if (next.done === true) {
        exhausted = true;
        break;
      }
      const text = accumulator.add(next.value);
      if (text !== '') yield { type: 'text_delta', delta: text };
    }
  } finally {
    // The consumer stopped early (or we threw): release the HTTP response.
    if (!exhausted) await chunks.return?.();
  }

  // The SDK ends the iteration quietly when the request is aborted; without this
  // check a cut-off answer would look complete.
  if (signal?.aborted === true) throw abortReason(signal);

  const calls = accumulator.toolCalls();
  for (const call of calls) yield { type: 'tool_call', call };
  yield { type: 'finish', reason: accumulator.finishReason(calls.length > 0), usage: accumulator.usage() };
}

function buildParams(settings: ModelSettings, request: ModelRequest): ChatCompletionCreateParamsStreaming {
  const params: ChatCompletionCreateParamsStreaming = {
    model: settings.model,
    messages: request.messages.map(toWireMessage),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.tools.length > 0) params.tools = request.tools.map(toWireTool);
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.maxOutputTokens !== undefined) params[settings.maxTokensParam] = request.maxOutputTokens;
  return params;
}

/**
 * What leaves for the provider. Cards, IBANs, identity numbers and keys are
 * masked in the conversation and in tool results (guardrails/redaction.ts):
 * the model never needs them, and the provider keeps what it is sent.
 */
function toWireMessage(message: ModelMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: maskForModel(message.content) };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: maskForModel(message.content) };
      return {
        role: 'assistant',
        // Several compatible servers reject an empty string next to tool_calls.
        content: message.content === '' ? null : maskForModel(message.content),
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: maskForModel(message.content) };
  }
}

function toWireTool(tool: ToolDefinition): ChatCompletionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

// Lenient on purpose: compatible servers omit or null out fields OpenAI always sends.
const toolCallDeltaSchema = z.object({
  index: z.number().int().nonnegative().optional(),
  id: z.string().nullish(),
  function: z
    .object({
      name: z.string().nullish(),
      arguments: z.string().nullish(),
    })
    .nullish(),
});

const chunkSchema = z.object({
  choices: z
    .array(
      z.object({
        index: z.number().int().optional(),
        delta: z
          .object({
            content: z.string().nullish(),
            tool_calls: z.array(toolCallDeltaSchema).nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: z
    .object({
      prompt_tokens: z.number().nonnegative(),
      completion_tokens: z.number().nonnegative(),
    })
    .nullish(),
});

interface PartialToolCall {
  id: string | undefined;
  name: string | undefined;
  arguments: string;
}

class StreamAccumulator {
  private readonly calls = new Map<number, PartialToolCall>();
  private reason: string | undefined;
  private promptTokens = 0;
  private completionTokens = 0;

  constructor(private readonly provider: string) {}

  /** Takes one raw chunk; returns the text it carried ('' if none). */
  add(raw: unknown): string {
    const parsed = chunkSchema.safeParse(raw);
    if (!parsed.success) {
      throw new ModelProviderError(this.provider, 'ai_bad_response', `${this.provider} sent a malformed chunk`, {
        cause: parsed.error,
      });
    }
    const chunk = parsed.data;
    if (chunk.usage) {
      this.promptTokens = chunk.usage.prompt_tokens;
      this.completionTokens = chunk.usage.completion_tokens;
    }
    let text = '';
    for (const choice of chunk.choices ?? []) {
      // We never ask for n > 1; anything else is not part of our answer.
      if ((choice.index ?? 0) !== 0) continue;
      if (choice.finish_reason) this.reason = choice.finish_reason;
      if (choice.delta?.content) text += choice.delta.content;
      (choice.delta?.tool_calls ?? []).forEach((delta, position) => {
        const index = delta.index ?? position;
        const call = this.calls.get(index) ?? { id: undefined, name: undefined, arguments: '' };
        // Some servers repeat id and name on every piece; the first one wins.
        call.id ??= delta.id ?? undefined;
        call.name ??= delta.function?.name ?? undefined;
        call.arguments += delta.function?.arguments ?? '';
        this.calls.set(index, call);
      });
    }
    return text;
  }

  toolCalls(): ToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => {
        if (call.name === undefined || call.name === '') {
          throw new ModelProviderError(
            this.provider,
            'ai_bad_response',
            `${this.provider} sent a tool call without a name`,
          );
        }
        // A server that gives no id will not check the one quoted back either.
        return { id: call.id ?? `call_${index}`, name: call.name, arguments: call.arguments };
      });
  }

  finishReason(hasToolCalls: boolean): FinishReason {
    // Some compatible servers say "stop" (or nothing) after emitting tool calls.
    if (hasToolCalls && (this.reason === undefined || this.reason === 'stop')) return 'tool_calls';
    switch (this.reason) {
      case 'stop':
      case 'length':
      case 'content_filter':
      case 'tool_calls':
        return this.reason;
      case 'function_call':
        return 'tool_calls';
      default:
        return 'other';
    }
  }

  usage(): { promptTokens: number; completionTokens: number } {
    return { promptTokens: this.promptTokens, completionTokens: this.completionTokens };
  }
}
