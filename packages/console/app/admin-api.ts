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
/** The end-of-chat stars (1-5): how many, their mean, the share of 4s and 5s. */
const endOfChat = z.object({ ratings: count, average: z.number().nullable(), satisfied: rate });

export const analyticsSummarySchema = z.object({
  period: z.object({ since: z.string(), until: z.string() }),
  funnel: z.object({ conversations: count, aiAnswered: count, escalated: count, resolvedByAgent: count, contained: count, abandoned: count }),
  rates: z.object({ containment: rate, resolution: rate, automation: rate }),
  customerMessages: count,
  aiAnsweredMessages: count,
  dontKnowAnswers: count,
  escalationReasons: z.array(z.object({ source: z.string(), count })),
  csat: z.object({
    ai: csat,
    human: csat,
    endOfChat: z.object({ ai: endOfChat, human: endOfChat }),
  }),
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
export type EndOfChatCsat = z.infer<typeof endOfChat>;

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

/** The handoff triggers the service knows (packages/server/src/escalation/handoff-triggers.ts). */
export const HANDOFF_TRIGGERS = ['explicit_request', 'accepted_offer', 'negative_sentiment', 'repeated_failure'] as const;
export type HandoffTrigger = (typeof HANDOFF_TRIGGERS)[number];

export const escalationSettingsSchema = z.looseObject({
  triggers: z.array(z.string()),
  sentimentThreshold: z.number(),
  afterFailedReplies: z.number(),
  businessHours: z.string(),
  timeZone: z.string(),
});
export type EscalationSettings = z.infer<typeof escalationSettingsSchema>;
export const modelChoiceSchema = z.looseObject({ use: z.enum(['configured', 'local']), name: z.string().nullable() });
export type ModelChoice = z.infer<typeof modelChoiceSchema>;

// Loose: a key this console does not know yet is sent back as it came, never dropped by a save.
export const assistantSettingsSchema = z.looseObject({
  companyName: z.string(),
  persona: z.string(),
  instructions: z.string(),
  aiEnabled: z.boolean(),
  escalation: escalationSettingsSchema,
  model: modelChoiceSchema,
});
export type AssistantSettings = z.infer<typeof assistantSettingsSchema>;
const settingsVersionSchema = versionOf(assistantSettingsSchema);
export type SettingsVersion = z.infer<typeof settingsVersionSchema>;

const settingsHistorySchema = z.object({ versions: z.array(settingsVersionSchema) });

export const agentAccountSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['agent', 'admin']),
  maxChats: z.number().nullable(),
  disabled: z.boolean(),
});
export type AgentAccount = z.infer<typeof agentAccountSchema>;
const agentListSchema = z.object({ agents: z.array(agentAccountSchema) });
const agentAnswerSchema = z.object({ agent: agentAccountSchema });
const createdAgentSchema = z.object({ agent: agentAccountSchema, password: z.string().optional() });
export type CreatedAgent = z.infer<typeof createdAgentSchema>;
export interface NewAgent {
  email: string;
  name: string;
  role: AgentAccount['role'];
  maxChats?: number;
  password?: string;
}
export type AgentPatch = Partial<{ name: string; role: AgentAccount['role']; maxChats: number | null; disabled: boolean; password: string }>;

export const kbArticleSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  category: z.string().nullable(),
  url: z.string(),
  locale: z.string(),
  entity: z.string().nullable(),
  source: z.string(),
  sourcePath: z.string().nullable(),
  updatedAt: z.string(),
});
export type KbArticleSummary = z.infer<typeof kbArticleSummarySchema>;
export const kbArticleSchema = kbArticleSummarySchema.extend({ body: z.string(), metadata: z.record(z.string(), z.unknown()) });
export type KbArticle = z.infer<typeof kbArticleSchema>;
const kbArticleListSchema = z.object({ articles: z.array(kbArticleSummarySchema), total: count, limit: count, offset: count });
export type KbArticleList = z.infer<typeof kbArticleListSchema>;
const kbArticleAnswerSchema = z.object({ article: kbArticleSchema });
/** What an author writes (POST and PUT carry these; PUT replaces the whole article). */
export interface KbArticleFields {
  title: string;
  body: string;
  category: string | null;
  url: string;
  locale: string;
  entity: string | null;
  metadata: Record<string, unknown>;
}
const nothingSchema = z.unknown();

export const policyLimitsSchema = z.looseObject({ maxTurnsPerConversation: z.number(), dailyTokensPerCustomer: z.number(), dailyTokensPerGuestIp: z.number() });
export type PolicyLimits = z.infer<typeof policyLimitsSchema>;
/** The harmful kinds of message the input filter knows, each with its own action (guardrail-policy.ts on the server). */
export const GUARDRAIL_CATEGORIES = ['self_harm', 'abuse', 'pii_exposure', 'injection'] as const;
export type GuardrailCategory = (typeof GUARDRAIL_CATEGORIES)[number];
export const categoryPolicySchema = z.looseObject({ action: z.string(), warningsBeforeAction: z.number(), afterWarnings: z.enum(['escalate', 'end']), thenHuman: z.boolean() });
export type CategoryPolicy = z.infer<typeof categoryPolicySchema>;
export const HOTLINE_LANGUAGES = ['en', 'es', 'fr', 'de'] as const;
export type HotlineLanguage = (typeof HOTLINE_LANGUAGES)[number];
const hotlineSchema = z.looseObject({ en: z.string(), es: z.string().optional(), fr: z.string().optional(), de: z.string().optional() });
export type HotlineText = z.infer<typeof hotlineSchema>;
// Loose objects: keys this console does not know (a newer service's) go back as they came.
export const guardrailPolicySchema = z.looseObject({
  input: z.looseObject({ self_harm: categoryPolicySchema, abuse: categoryPolicySchema, pii_exposure: categoryPolicySchema, injection: categoryPolicySchema }),
  hotline: hotlineSchema,
  output: z.looseObject({ moderation: z.enum(['auto', 'local', 'off']), timeoutMs: z.number() }),
  limits: policyLimitsSchema,
});
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

/** The version an edit started from, as the ETag the API sent with it: the write is refused if another came since. */
const ifMatch = (version: number) => ({ 'if-match': `"${version}"` });

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

  /** The consenting conversations of the period, redacted, as OpenAI fine-tuning JSONL (audited by the service). */
  trainingExport(period: Period): Promise<string> {
    return this.api.fetchText(`/admin/exports/training${query({ ...period })}`);
  }

  transcript(sessionId: string): Promise<TranscriptView> {
    return this.api.call('GET', `/admin/conversations/${encodeURIComponent(sessionId)}`, transcriptSchema);
  }

  settings(): Promise<SettingsVersion> {
    return this.api.call('GET', '/admin/settings', settingsVersionSchema);
  }

  /** A new version of the settings, based on version `basedOn`: 409 version_conflict when someone saved another meanwhile. */
  saveSettings(value: AssistantSettings, basedOn: number): Promise<SettingsVersion> {
    return this.api.call('PUT', '/admin/settings', settingsVersionSchema, value, ifMatch(basedOn));
  }

  async settingsHistory(limit: number): Promise<SettingsVersion[]> {
    return (await this.api.call('GET', `/admin/settings/history${query({ limit })}`, settingsHistorySchema)).versions;
  }

  async agents(): Promise<AgentAccount[]> {
    return (await this.api.call('GET', '/admin/agents', agentListSchema)).agents;
  }

  createAgent(agent: NewAgent): Promise<CreatedAgent> {
    return this.api.call('POST', '/admin/agents', createdAgentSchema, agent);
  }

  async updateAgent(id: string, patch: AgentPatch): Promise<AgentAccount> {
    return (await this.api.call('PATCH', `/admin/agents/${encodeURIComponent(id)}`, agentAnswerSchema, patch)).agent;
  }

  kbArticles(filter: { q: string; offset: number }): Promise<KbArticleList> {
    return this.api.call('GET', `/admin/kb/articles${query({ q: filter.q.trim() || null, limit: PAGE_SIZE, offset: filter.offset })}`, kbArticleListSchema);
  }

  async kbArticle(id: string): Promise<KbArticle> {
    return (await this.api.call('GET', `/admin/kb/articles/${encodeURIComponent(id)}`, kbArticleAnswerSchema)).article;
  }

  /** A new article: with the id given, or (none given) one the service makes from the title; 409 article_exists when taken. */
  async createKbArticle(fields: KbArticleFields & { id?: string }): Promise<KbArticle> {
    return (await this.api.call('POST', '/admin/kb/articles', kbArticleAnswerSchema, fields)).article;
  }

  async replaceKbArticle(id: string, fields: KbArticleFields): Promise<KbArticle> {
    return (await this.api.call('PUT', `/admin/kb/articles/${encodeURIComponent(id)}`, kbArticleAnswerSchema, fields)).article;
  }

  async deleteKbArticle(id: string): Promise<void> {
    await this.api.call('DELETE', `/admin/kb/articles/${encodeURIComponent(id)}`, nothingSchema);
  }

  policy(): Promise<PolicyVersion> {
    return this.api.call('GET', '/admin/guardrails/policy', policyVersionSchema);
  }

  /** A new version of the policy, based on version `basedOn` (409 version_conflict as for the settings). */
  savePolicy(value: GuardrailPolicy, basedOn: number): Promise<PolicyVersion> {
    return this.api.call('PUT', '/admin/guardrails/policy', policyVersionSchema, value, ifMatch(basedOn));
  }
}
