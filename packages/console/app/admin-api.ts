/**
 * The admin API the Analytics pages read and the controls write
 * (packages/server/src/http/admin-analytics-routes.ts and
 * admin-settings-routes.ts), over the console's own ApiClient: the same
 * agent token (an admin's), every answer validated, every failure an ApiError.
 */
import { messageSchema } from '@support/protocol';
import { z } from 'zod';
import type { ApiClient } from './api.js';

const count = z.number();
const rate = z.number().nullable();
const percentiles = z.object({ p50: z.number().nullable(), p90: z.number().nullable(), p99: z.number().nullable() });
const csat = z.object({ up: count, down: count, score: rate });

export const analyticsSummarySchema = z.object({
  period: z.object({ since: z.string(), until: z.string() }),
  funnel: z.object({ conversations: count, aiAnswered: count, escalated: count, resolvedByAgent: count, contained: count, abandoned: count }),
  rates: z.object({ containment: rate, resolution: rate, automation: rate }),
  customerMessages: count,
  aiAnsweredMessages: count,
  dontKnowAnswers: count,
  escalationReasons: z.array(z.object({ source: z.string(), count })),
  csat: z.object({ ai: csat, human: csat }),
  tokens: z.object({ calls: count, promptTokens: count, completionTokens: count, estimatedCalls: count, costUsd: z.number(), unpricedCalls: count }),
  daily: z.array(z.object({ day: z.string(), conversations: count, escalated: count, calls: count, promptTokens: count, completionTokens: count, costUsd: z.number() })),
  latency: z.object({ calls: count, totalMs: percentiles, firstTokenMs: percentiles }),
  tools: z.array(z.object({ tool: z.string(), calls: count, failures: count, p50Ms: z.number().nullable(), p90Ms: z.number().nullable() })),
  citedArticles: z.array(z.object({ articleId: z.string(), title: z.string().nullable(), count })),
  guardrails: z.array(z.object({ stage: z.string(), category: z.string(), action: z.string(), count })),
});
export type AnalyticsSummary = z.infer<typeof analyticsSummarySchema>;
export type Percentiles = z.infer<typeof percentiles>;
export type Csat = z.infer<typeof csat>;

const unansweredQuestionSchema = z.object({ messageId: z.string(), sessionId: z.string(), text: z.string(), askedAt: z.string() });
export const unansweredSchema = z.object({
  questions: count,
  topics: z.array(z.object({ label: z.string(), count, questions: z.array(unansweredQuestionSchema) })),
});
export type Unanswered = z.infer<typeof unansweredSchema>;
export type UnansweredTopic = Unanswered['topics'][number];

export const OUTCOMES = ['contained', 'escalated', 'abandoned'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const conversationRowSchema = z.object({
  sessionId: z.string(),
  customerId: z.string().nullable(),
  startedAt: z.string(),
  lastMessageAt: z.string(),
  outcome: z.enum(OUTCOMES),
  trigger: z.string().nullable(),
  messages: count,
  ratings: z.object({ up: count, down: count }),
  preview: z.string().nullable(),
});
export type ConversationRow = z.infer<typeof conversationRowSchema>;
const conversationListSchema = z.object({ total: count, limit: count, offset: count, conversations: z.array(conversationRowSchema) });
export type ConversationList = z.infer<typeof conversationListSchema>;

export const transcriptSchema = z.object({
  sessionId: z.string(),
  customerId: z.string().nullable(),
  status: z.string(),
  startedAt: z.string(),
  messages: z.array(messageSchema),
  tickets: z.array(
    z.object({
      id: z.string(),
      source: z.string(),
      status: z.string(),
      priority: z.string(),
      subject: z.string(),
      summary: z.string().nullable(),
      resolution: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
  guardrails: z.array(z.object({ stage: z.string(), category: z.string(), action: z.string(), messageId: z.string().nullable(), at: z.string() })),
});
export type TranscriptView = z.infer<typeof transcriptSchema>;

/** A versioned document (settings, guardrail policy): the version in force and who stored it when. */
const versionOf = <T extends z.ZodType>(value: T) => z.object({ version: z.number(), updatedBy: z.string(), updatedAt: z.string(), value });

// Loose: a key this console does not know yet is sent back as it came, never dropped by a save.
export const assistantSettingsSchema = z.looseObject({ companyName: z.string(), persona: z.string(), instructions: z.string(), aiEnabled: z.boolean() });
export type AssistantSettings = z.infer<typeof assistantSettingsSchema>;
const settingsVersionSchema = versionOf(assistantSettingsSchema);
export type SettingsVersion = z.infer<typeof settingsVersionSchema>;

export const policyLimitsSchema = z.looseObject({ maxTurnsPerConversation: z.number(), dailyTokensPerCustomer: z.number(), dailyTokensPerGuestIp: z.number() });
export type PolicyLimits = z.infer<typeof policyLimitsSchema>;
export const guardrailPolicySchema = z.looseObject({ limits: policyLimitsSchema });
export type GuardrailPolicy = z.infer<typeof guardrailPolicySchema>;
const policyVersionSchema = versionOf(guardrailPolicySchema);
export type PolicyVersion = z.infer<typeof policyVersionSchema>;

export interface Period {
  since: string;
  until: string;
}

export interface ConversationFilter {
  outcome: Outcome | null;
  rating: 'up' | 'down' | null;
  trigger: string | null;
  offset: number;
}

export const PAGE_SIZE = 20;

function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export class AdminApi {
  constructor(private readonly api: ApiClient) {}

  summary(period: Period): Promise<AnalyticsSummary> {
    return this.api.call('GET', `/admin/analytics/summary${query({ ...period })}`, analyticsSummarySchema);
  }

  unanswered(period: Period): Promise<Unanswered> {
    return this.api.call('GET', `/admin/analytics/unanswered${query({ ...period })}`, unansweredSchema);
  }

  conversations(period: Period, filter: ConversationFilter): Promise<ConversationList> {
    const { outcome, rating, trigger, offset } = filter;
    return this.api.call('GET', `/admin/conversations${query({ ...period, outcome, rating, trigger, limit: PAGE_SIZE, offset })}`, conversationListSchema);
  }

  transcript(sessionId: string): Promise<TranscriptView> {
    return this.api.call('GET', `/admin/conversations/${encodeURIComponent(sessionId)}`, transcriptSchema);
  }

  settings(): Promise<SettingsVersion> {
    return this.api.call('GET', '/admin/settings', settingsVersionSchema);
  }

  saveSettings(value: AssistantSettings): Promise<SettingsVersion> {
    return this.api.call('PUT', '/admin/settings', settingsVersionSchema, value);
  }

  policy(): Promise<PolicyVersion> {
    return this.api.call('GET', '/admin/guardrails/policy', policyVersionSchema);
  }

  savePolicy(value: GuardrailPolicy): Promise<PolicyVersion> {
    return this.api.call('PUT', '/admin/guardrails/policy', policyVersionSchema, value);
  }
}
