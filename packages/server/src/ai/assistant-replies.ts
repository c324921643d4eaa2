import type { Citation, Message } from '@support/protocol';
import type { Identity } from '../conversation/identity.js';
import type { KnowledgeRetriever } from '../kb/retriever.js';
import type { HostDataAdapter } from '../tools/adapters/host-data-adapter.js';
import type { ToolRuntime } from '../tools/tool-runtime.js';
import type { Queryable } from '../storage/database.js';
import { CitationRegistry } from './citation-registry.js';
import { recordModelRound } from './interaction-log.js';
import type { ChatModel, ModelMessage } from './model-port.js';
import type { ModelPrices } from './model-prices.js';
import type { ServiceMetrics } from '../observability/service-metrics.js';
import { renderSystemPrompt } from './prompts/system-prompt.js';
import { runToolLoop } from './tool-loop.js';
import type { AssistantSettings } from '../settings/assistant-settings.js';

export interface ReplyRequest {
  sessionId: string;
  identity: Identity;
  locale: string;
  /** The transcript so far, oldest first, ending with the message to answer. */
  history: Message[];
  /** The id the reply will be stored under (deltas quote it). */
  replyMessageId: string;
  /** The customer message being answered (tools record it with what they propose). */
  replyToMessageId?: string;
  onTextDelta: (delta: string) => void;
}

/** answered, dont_know, fallback (the model's); guardrail: a guardrail's fixed text; moderated: a model reply replaced by moderation. */
export type ReplyOutcome = 'answered' | 'dont_know' | 'fallback' | 'guardrail' | 'moderated';

/**
 * A reply that says it cannot answer. The system prompt asks every model to
 * say so plainly rather than guess; the local provider's own wording matches.
 */
export function admitsNotKnowing(text: string): boolean {
  return /\b(?:i\s+don'?t\s+know|i\s+do\s+not\s+know|don'?t\s+have\s+(?:reliable\s+|any\s+)?information|(?:can(?:no|')t|could\s*n[o']t)\s+find\s+(?:any(?:thing)?|that|information))\b/i.test(text);
}

export interface Reply {
  text: string;
  citations: Citation[];
  /** answered; dont_know: no good source, a human was offered; fallback: the provider failed. */
  outcome: ReplyOutcome;
  /** Model tokens the reply cost (all rounds), for the daily caps; absent when no model ran. */
  usage?: { promptTokens: number; completionTokens: number };
}

const HISTORY_MESSAGES = 20;
const PROMPT_PASSAGES = 3;
/** Passages below this confidence are not worth the prompt space. */
const PROMPT_PASSAGE_MIN_SCORE = 0.35;

export const PROVIDER_FAILURE_TEXT =
  "I'm sorry, I'm having trouble answering right now. Please try again in a moment, or press \"Talk to a human\" and our team will help you.";

/**
 * The AI proxy: the only code that talks to a model. It builds the prompt
 * (persona and rules, profile, top passages), runs the tool loop with the
 * caller's identity, logs every model call, and turns "[n]" markers into
 * citations. A provider failure becomes a polite complete reply, never a
 * half-written one.
 */
export class AssistantReplies {
  constructor(
    private readonly deps: {
      db: Queryable;
      model: ChatModel;
      tools: ToolRuntime;
      retriever: KnowledgeRetriever;
      hostData: HostDataAdapter;
      /** The admin settings in force (company name, persona, instructions), read per reply. */
      settings: () => Promise<Pick<AssistantSettings, 'companyName' | 'persona' | 'instructions' | 'model'>>;
      /** The chat model for the settings' model choice (ModelSelector); `model` when absent. */
      selectModel?: (choice: AssistantSettings['model']) => ChatModel;
      /** The price table the calls' cost is estimated from. */
      prices: ModelPrices;
      metrics?: Pick<ServiceMetrics, 'modelCall'>;
      maxToolRounds: number;
      requestTimeoutMs: number;
      /** A degraded reply: the model failed ('model') or the host could not give the profile ('host_profile'). */
      reportError?: (stage: 'model' | 'host_profile' | 'knowledge_base' | 'usage_log', error: unknown) => void;
      /** The service's clock: "today" in the prompt (ServerParts.now). */
      now?: () => Date;
    },
  ) {}

  async reply(request: ReplyRequest): Promise<Reply> {
    const question = request.history.at(-1)?.text ?? '';
    const citations = new CitationRegistry();
    // The earlier turns let retrieval resolve follow-ups ("what's the check-in time for that?"),
    // in the prompt's passages and in the model's own knowledge-base searches alike.
    const conversation = request.history.slice(-HISTORY_MESSAGES, -1).map((message) => message.text);
    const [customer, hits] = await Promise.all([
      request.identity.kind === 'customer' ? this.profileOf(request.identity) : Promise.resolve(null),
      this.deps.retriever.search({ text: question, context: conversation, limit: PROMPT_PASSAGES, locale: request.locale.slice(0, 2) }).catch((error: unknown) => {
        // Answered without passages (the model can still search); said in the log, not swallowed.
        this.deps.reportError?.('knowledge_base', error);
        return [];
      }),
    ]);
    const passages = hits
      .filter((hit) => hit.score >= PROMPT_PASSAGE_MIN_SCORE)
      .map((hit) => ({ ref: citations.register(hit), title: hit.title, section: hit.heading, text: hit.passage }));

    const { companyName, persona, instructions, model: choice } = await this.deps.settings();
    // One model for the whole reply, as the settings say now.
    const model = this.deps.selectModel?.(choice) ?? this.deps.model;
    const system = renderSystemPrompt({ companyName, persona, instructions, customer, locale: request.locale, passages, now: this.deps.now?.() ?? new Date() });
    const messages: ModelMessage[] = [{ role: 'system', content: system }, ...toModelHistory(request.history.slice(-HISTORY_MESSAGES))];
    const toolContext = {
      identity: request.identity,
      sessionId: request.sessionId,
      ...(request.replyToMessageId ? { replyToMessageId: request.replyToMessageId } : {}),
      locale: request.locale,
      citations,
      conversation,
    };

    // One deadline for the whole reply: the SDK's own timeout does not cover a stream that stalls midway.
    const signal = AbortSignal.timeout(this.deps.requestTimeoutMs);
    const deadline = Date.now() + this.deps.requestTimeoutMs;
    try {
      const result = await runToolLoop({
        model,
        messages,
        tools: this.deps.tools.definitionsFor(toolContext),
        executeTool: (call) => this.deps.tools.execute(call, { ...toolContext, signal }),
        maxRounds: this.deps.maxToolRounds,
        signal,
        deadline,
        locale: request.locale,
        onTextDelta: request.onTextDelta,
        // Usage logging must not cost the customer the answer: a failed write is reported, not thrown.
        onRound: (record) =>
          recordModelRound(this.deps.db, {
            sessionId: request.sessionId,
            messageId: request.replyMessageId,
            prices: this.deps.prices,
            ...(this.deps.metrics ? { metrics: this.deps.metrics } : {}),
            prompt: question,
            record,
          }).catch((error: unknown) => this.deps.reportError?.('usage_log', error)),
      });
      const text = result.text.trim();
      if (text === '') return { text: PROVIDER_FAILURE_TEXT, citations: [], outcome: 'fallback', usage: result.usage };
      const cited = citations.citedIn(result.text);
      return { text: result.text, citations: cited, outcome: cited.length === 0 && admitsNotKnowing(text) ? 'dont_know' : 'answered', usage: result.usage };
    } catch (error) {
      this.deps.reportError?.('model', error);
      return { text: PROVIDER_FAILURE_TEXT, citations: [], outcome: 'fallback' };
    }
  }

  /** The profile for the prompt; when the host cannot say, the identity the host token vouched for is enough. */
  private async profileOf(identity: Extract<Identity, { kind: 'customer' }>) {
    const fallback = { id: identity.customerId, name: identity.name ?? 'the customer', tier: 'unknown', locale: 'en' };
    try {
      return (await this.deps.hostData.getCustomerProfile(identity.customerId)) ?? fallback;
    } catch (error) {
      this.deps.reportError?.('host_profile', error);
      return fallback;
    }
  }
}

/** Transcript → model messages. Agent and system notes reach the model as context it did not write. */
function toModelHistory(history: Message[]): ModelMessage[] {
  return history.map((message): ModelMessage => {
    switch (message.role) {
      case 'user':
        return { role: 'user', content: message.text };
      case 'assistant':
        return { role: 'assistant', content: message.text };
      case 'agent':
        return { role: 'assistant', content: `(Human agent) ${message.text}` };
      case 'system':
        return { role: 'assistant', content: `(Notice) ${message.text}` };
    }
  });
}
