import { redactText, redactValue } from '../guardrails/redaction.js';
import type { Queryable } from '../storage/database.js';
import { newInteractionId } from '../conversation/ids.js';
import type { ServiceMetrics } from '../observability/service-metrics.js';
import { costOf, type ModelPrices } from './model-prices.js';
import type { ModelRoundRecord } from './tool-loop.js';

/**
 * support_ai_interactions: one row per model call with the provider and
 * model that took it (the round's, so a chain's failover shows), tokens,
 * latency and tool calls. Text is redacted before it is written:
 * this table feeds analytics, not the transcript.
 */
export async function recordModelRound(
  db: Queryable,
  entry: {
    sessionId: string;
    messageId: string;
    prompt: string;
    record: ModelRoundRecord;
    /** The price table the cost is estimated from (config MODEL_PRICES). */
    prices: ModelPrices;
    purpose?: 'reply' | 'summary';
    /** Told of every call, stored or not (/metrics). */
    metrics?: Pick<ServiceMetrics, 'modelCall'>;
  },
): Promise<void> {
  const toolCalls = entry.record.toolExecutions.map((execution) => ({
    name: execution.call.name,
    arguments: redactValue(safeJson(execution.call.arguments)),
    outcome: execution.result.ok ? 'ok' : execution.result.error.code,
    latencyMs: execution.latencyMs,
  }));
  const { provider, model } = entry.record;
  const costUsd = costOf(entry.prices, provider, model, entry.record.usage);
  const purpose = entry.purpose ?? 'reply';
  entry.metrics?.modelCall({
    provider,
    model,
    purpose,
    ok: entry.record.errorCode === null,
    promptTokens: entry.record.usage.promptTokens,
    completionTokens: entry.record.usage.completionTokens,
    costUsd,
    latencyMs: entry.record.latencyMs,
    firstTokenMs: entry.record.firstTokenMs,
    tools: toolCalls.map((call) => ({ name: call.name, outcome: call.outcome, latencyMs: call.latencyMs })),
  });
  await db.query(
    `INSERT INTO support_ai_interactions (id, session_id, message_id, round, provider, model, prompt_tokens, completion_tokens,
       latency_ms, finish_reason, tool_calls, redacted_prompt, redacted_completion, error_code, first_token_ms, tokens_estimated, cost_usd, purpose)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17, $18)`,
    [
      newInteractionId(),
      entry.sessionId,
      entry.messageId,
      entry.record.round,
      provider,
      model,
      entry.record.usage.promptTokens,
      entry.record.usage.completionTokens,
      entry.record.latencyMs,
      entry.record.finishReason,
      JSON.stringify(toolCalls),
      redactText(entry.prompt),
      redactText(entry.record.text),
      entry.record.errorCode,
      entry.record.firstTokenMs,
      entry.record.usageEstimated,
      costUsd,
      purpose,
    ],
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 500);
  }
}
