import type { ToolExecution } from '../tools/tool-runtime.js';
import type { ChatModel, FinishReason, ModelMessage, TokenUsage, ToolCall, ToolDefinition } from './model-port.js';
import { estimateUsage } from './usage-estimate.js';

export interface ModelRoundRecord {
  round: number;
  /** Who took the call: the chain's provider that answered (or failed last), else the model's own names. */
  provider: string;
  model: string;
  usage: TokenUsage;
  /** The provider reported no usage: `usage` was counted with a tokenizer. */
  usageEstimated: boolean;
  /** The whole call, including the time a provider that failed over took. */
  latencyMs: number;
  /** From the request to the first text or tool call (null: nothing came). */
  firstTokenMs: number | null;
  finishReason: FinishReason | null;
  text: string;
  toolExecutions: ToolExecution[];
  errorCode: string | null;
}

export interface ToolLoopInput {
  model: ChatModel;
  messages: ModelMessage[];
  tools: ToolDefinition[];
  executeTool: (call: ToolCall) => Promise<ToolExecution>;
  /** Model calls at most; the last one gets no tools, so it has to answer. */
  maxRounds: number;
  signal?: AbortSignal;
  /** The reply's deadline (ms since the epoch), passed on to every model call. */
  deadline?: number;
  /** The customer's locale, passed on to every model call (ModelRequest.locale). */
  locale?: string;
  onTextDelta: (delta: string) => void;
  onRound: (record: ModelRoundRecord) => Promise<void>;
}

export interface ToolLoopResult {
  text: string;
  rounds: number;
  usage: TokenUsage;
  toolExecutions: ToolExecution[];
}

/**
 * The tool loop, one code path for every provider: call the model, stream
 * its text, run the tool calls it makes, feed the results back, repeat until
 * it answers or the round budget is spent. The reply is all text streamed
 * across rounds, so the deltas a client saw always add up to the final text.
 */
export async function runToolLoop(input: ToolLoopInput): Promise<ToolLoopResult> {
  const messages = [...input.messages];
  const usage: TokenUsage = { promptTokens: 0, completionTokens: 0 };
  const allExecutions: ToolExecution[] = [];
  let text = '';

  for (let round = 1; round <= input.maxRounds; round += 1) {
    const lastRound = round === input.maxRounds;
    const started = performance.now();
    let roundText = '';
    const calls: ToolCall[] = [];
    let finishReason: FinishReason | null = null;
    let roundUsage: TokenUsage = { promptTokens: 0, completionTokens: 0 };
    let firstTokenMs: number | null = null;
    let servedBy = { provider: input.model.provider, model: input.model.model };
    const tools = lastRound ? [] : input.tools;
    /**
     * The provider's count, or the tokenizer's when it sent none. A call that failed before anything came
     * (a 429, a 500) was not billed: zero; one cut off midway was, and is estimated.
     */
    const measuredUsage = async (): Promise<{ usage: TokenUsage; usageEstimated: boolean }> => {
      if (roundUsage.promptTokens > 0 || roundUsage.completionTokens > 0 || firstTokenMs === null) return { usage: roundUsage, usageEstimated: false };
      return { usage: await estimateUsage({ messages, tools, text: roundText, toolCalls: calls }), usageEstimated: true };
    };

    try {
      const request = {
        messages,
        tools,
        ...(input.deadline === undefined ? {} : { deadline: input.deadline }),
        ...(input.locale === undefined ? {} : { locale: input.locale }),
      };
      for await (const event of input.model.stream(request, input.signal)) {
        if (event.type === 'routed_to') {
          servedBy = { provider: event.provider, model: event.model };
          continue;
        }
        if (event.type !== 'finish' && firstTokenMs === null) firstTokenMs = elapsed(started);
        if (event.type === 'text_delta') {
          if (event.delta === '') continue;
          roundText += event.delta;
          input.onTextDelta(event.delta);
        } else if (event.type === 'tool_call') {
          calls.push(event.call);
        } else {
          finishReason = event.reason;
          roundUsage = event.usage;
        }
      }
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'ai_unavailable';
      const latencyMs = elapsed(started);
      await input.onRound({ round, ...servedBy, ...(await measuredUsage()), latencyMs, firstTokenMs, finishReason, text: roundText, toolExecutions: [], errorCode: code });
      throw error;
    }
    const latencyMs = elapsed(started);
    const measured = await measuredUsage();
    usage.promptTokens += measured.usage.promptTokens;
    usage.completionTokens += measured.usage.completionTokens;
    text += roundText;

    // A model that calls tools on the tool-less last round is ignored: the budget is spent.
    const executions: ToolExecution[] = [];
    if (!lastRound) {
      for (const call of calls) executions.push(await input.executeTool(call));
    }
    allExecutions.push(...executions);
    await input.onRound({ round, ...servedBy, ...measured, latencyMs, firstTokenMs, finishReason, text: roundText, toolExecutions: executions, errorCode: null });

    if (executions.length === 0) return { text, rounds: round, usage, toolExecutions: allExecutions };

    messages.push({ role: 'assistant', content: roundText, toolCalls: executions.map((execution) => execution.call) });
    for (const execution of executions) {
      messages.push({ role: 'tool', toolCallId: execution.call.id, content: JSON.stringify(execution.result) });
    }
  }
  return { text, rounds: input.maxRounds, usage, toolExecutions: allExecutions };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
