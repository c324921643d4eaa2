import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState } from '../ai/circuit-breaker.js';
import type { Failover } from '../ai/provider-chain.js';

/** Seconds: model calls and their first token take from tens of milliseconds to the request deadline. */
const MODEL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30];
const TOOL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];

export interface ModelCallObservation {
  provider: string;
  model: string;
  purpose: 'reply' | 'summary';
  ok: boolean;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  latencyMs: number;
  firstTokenMs: number | null;
  tools: Array<{ name: string; outcome: string; latencyMs: number }>;
}

/** support_model_breaker_state's values: the higher, the less the provider is asked. */
const BREAKER_LEVELS: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * The Prometheus metrics of one service node (prom-client), in a registry of
 * its own (several servers in one test process do not share counters).
 * Process, heap, GC and event-loop lag come from prom-client's default
 * metrics; the rest is counted where it happens: model calls, replies by
 * outcome, handoffs by trigger, guardrail decisions, ratings, the open
 * sockets, and the model providers' breakers and failovers. Labels are
 * bounded sets (providers, models, outcomes, error codes, tool names), never
 * a session, a customer or a message.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly modelCalls = new Counter({ name: 'support_model_calls_total', help: 'Model calls by provider, model, purpose and result.', labelNames: ['provider', 'model', 'purpose', 'result'], registers: [this.registry] });
  private readonly modelTokens = new Counter({ name: 'support_model_tokens_total', help: 'Model tokens by provider, model and kind (prompt, completion).', labelNames: ['provider', 'model', 'kind'], registers: [this.registry] });
  private readonly modelCost = new Counter({ name: 'support_model_cost_usd_total', help: 'Estimated model cost in US dollars (calls with a known price).', labelNames: ['provider', 'model'], registers: [this.registry] });
  private readonly modelDuration = new Histogram({ name: 'support_model_call_duration_seconds', help: 'Model call latency.', labelNames: ['provider', 'purpose'], buckets: MODEL_BUCKETS, registers: [this.registry] });
  private readonly firstToken = new Histogram({ name: 'support_model_first_token_seconds', help: 'Time from a model request to its first token.', labelNames: ['provider', 'purpose'], buckets: MODEL_BUCKETS, registers: [this.registry] });
  private readonly toolDuration = new Histogram({ name: 'support_tool_call_duration_seconds', help: 'Tool call latency by tool and outcome.', labelNames: ['tool', 'outcome'], buckets: TOOL_BUCKETS, registers: [this.registry] });
  private readonly replies = new Counter({ name: 'support_replies_total', help: 'Replies to customer messages by outcome (answered, dont_know, fallback, guardrail, moderated).', labelNames: ['outcome'], registers: [this.registry] });
  private readonly escalations = new Counter({ name: 'support_escalations_total', help: 'Handoffs to a person by trigger and mode.', labelNames: ['source', 'mode'], registers: [this.registry] });
  private readonly guardrails = new Counter({ name: 'support_guardrail_decisions_total', help: 'Guardrail decisions by stage, category and action.', labelNames: ['stage', 'category', 'action'], registers: [this.registry] });
  private readonly ratings = new Counter({ name: 'support_ratings_total', help: 'Thumbs on assistant and agent messages.', labelNames: ['role', 'rating'], registers: [this.registry] });
  private readonly failovers = new Counter({
    name: 'support_model_failovers_total',
    help: 'Model calls passed on to the next provider of the chain, by the provider left, the one asked next, and why (its error code, or circuit_open).',
    labelNames: ['from', 'to', 'reason'],
    registers: [this.registry],
  });

  /** `modelBreakers`: each provider's circuit breaker, read at every scrape. */
  constructor(options: { openSockets: () => number; modelBreakers?: () => Array<{ provider: string; state: BreakerState }> }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'support_' });
    new Gauge({
      name: 'support_websocket_connections',
      help: 'Open websocket connections (customers and agents) on this node.',
      registers: [this.registry],
      collect() {
        this.set(options.openSockets());
      },
    });
    new Gauge({
      name: 'support_model_breaker_state',
      help: "Each model provider's circuit breaker: 0 closed, 1 half-open (the next call is a trial), 2 open (calls skip the provider).",
      labelNames: ['provider'],
      registers: [this.registry],
      collect() {
        for (const { provider, state } of options.modelBreakers?.() ?? []) this.set({ provider }, BREAKER_LEVELS[state]);
      },
    });
  }

  modelCall(call: ModelCallObservation): void {
    this.modelCalls.inc({ provider: call.provider, model: call.model, purpose: call.purpose, result: call.ok ? 'ok' : 'error' });
    this.modelTokens.inc({ provider: call.provider, model: call.model, kind: 'prompt' }, call.promptTokens);
    this.modelTokens.inc({ provider: call.provider, model: call.model, kind: 'completion' }, call.completionTokens);
    if (call.costUsd !== null) this.modelCost.inc({ provider: call.provider, model: call.model }, call.costUsd);
    this.modelDuration.observe({ provider: call.provider, purpose: call.purpose }, call.latencyMs / 1000);
    if (call.firstTokenMs !== null) this.firstToken.observe({ provider: call.provider, purpose: call.purpose }, call.firstTokenMs / 1000);
    for (const tool of call.tools) this.toolDuration.observe({ tool: tool.name, outcome: tool.outcome }, tool.latencyMs / 1000);
  }

  failover(failover: Failover): void {
    this.failovers.inc({ from: failover.from, to: failover.to, reason: failover.reason });
  }

  reply(outcome: string): void {
    this.replies.inc({ outcome });
  }

  escalation(source: string, mode: string): void {
    this.escalations.inc({ source, mode });
  }

  guardrailDecision(decision: { stage: string; category: string; action: string }): void {
    this.guardrails.inc({ stage: decision.stage, category: decision.category, action: decision.action });
  }

  rating(role: string, rating: string): void {
    this.ratings.inc({ role, rating });
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
