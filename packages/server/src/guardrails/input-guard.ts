import type { Queryable } from '../storage/database.js';
import { countGuardrailDecisions } from './decision-log.js';
import { inLanguage, type GuardrailPolicy } from './guardrail-policy.js';
import { guardrailReply } from './guardrail-replies.js';
import { classifyMessage, type InputVerdict } from './input-filter/classify-message.js';
import type { InputCategory } from './input-filter/lexicon.js';

/**
 * What the input pre-filter does with a customer message, before any model
 * runs: nothing (null), or a plan the reply worker carries out. Every plan
 * names the decision to record (category, action, rule).
 *
 * - reply: a fixed text is the message's reply; then, optionally, the
 *   conversation goes to a person (`escalate`) or is closed (`end`).
 * - escalate: straight to a person; the handoff notice is the reply.
 * - neutralise: the model answers `text`, the message without the sentences
 *   that tried to instruct it.
 * - log: recorded only; the model answers as usual.
 */
export type InputPlan =
  | { kind: 'reply'; text: string; then: 'none' | 'escalate' | 'end'; decision: PlanDecision }
  | { kind: 'escalate'; decision: PlanDecision }
  | { kind: 'neutralise'; text: string; decision: PlanDecision }
  | { kind: 'log'; decision: PlanDecision };

export interface PlanDecision {
  category: InputCategory;
  action: string;
  rule: string;
}

export class InputGuard {
  constructor(private readonly db: Queryable) {}

  /** The verdict alone (the triggers need to know about a crisis before they run). */
  classify(text: string): InputVerdict | null {
    return classifyMessage(text);
  }

  async plan(sessionId: string, text: string, verdict: InputVerdict, policy: GuardrailPolicy, sessionLocale: string): Promise<InputPlan> {
    const language = verdict.language === 'en' ? sessionLocale : verdict.language;
    const category = policy.input[verdict.category];
    const decision = (action: string): PlanDecision => ({ category: verdict.category, action, rule: verdict.rule });
    const safeReplyText = () =>
      verdict.category === 'self_harm' ? inLanguage(policy.hotline, language) : guardrailReply(verdict.category === 'abuse' ? 'abuse_safe_reply' : verdict.category, language);

    switch (category.action) {
      case 'hotline':
        return { kind: 'reply', text: inLanguage(policy.hotline, language), then: category.thenHuman ? 'escalate' : 'none', decision: decision('hotline') };
      case 'escalate':
        return { kind: 'escalate', decision: decision('escalate') };
      case 'end':
        return { kind: 'reply', text: guardrailReply('ended', language), then: 'end', decision: decision('end') };
      case 'warn': {
        const warnings = await countGuardrailDecisions(this.db, sessionId, verdict.category, 'warn');
        if (warnings < category.warningsBeforeAction) return { kind: 'reply', text: guardrailReply('abuse_warning', language), then: 'none', decision: decision('warn') };
        if (category.afterWarnings === 'end') return { kind: 'reply', text: guardrailReply('ended', language), then: 'end', decision: decision('end') };
        return { kind: 'escalate', decision: decision('escalate') };
      }
      case 'neutralise': {
        const rest = withoutInjection(text);
        if (rest.length < 3) return { kind: 'reply', text: guardrailReply('injection', language), then: 'none', decision: decision('safe_reply') };
        return { kind: 'neutralise', text: rest, decision: decision('neutralise') };
      }
      case 'safe_reply':
        return { kind: 'reply', text: safeReplyText(), then: 'none', decision: decision('safe_reply') };
      case 'log':
        return { kind: 'log', decision: decision('log') };
    }
  }
}

/** The message without its sentences (or lines) that the filter reads as instructions to the assistant. */
export function withoutInjection(text: string): string {
  const sentences = text.split(/(?<=[.!?\n])\s+/);
  return sentences
    .filter((sentence) => classifyMessage(sentence)?.category !== 'injection')
    .join(' ')
    .trim();
}
