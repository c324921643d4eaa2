import { redactText } from '../guardrails/redaction.js';
import type { Queryable } from '../storage/database.js';
import { recordPrivacyAudit } from './customer-data.js';

/** One line of the export: a conversation in OpenAI's fine-tuning chat format. */
export interface TrainingExample {
  messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
}

/** Replies not worth learning from: the apology after a provider failure, and a reply moderation replaced. */
const EXCLUDED_OUTCOMES = new Set(['fallback', 'moderated']);

/**
 * Conversations for fine-tuning, as JSONL in OpenAI's chat format: only
 * those whose customer said yes to the consent question (the widget asks;
 * the answer is stored with its time), every text redacted, the agent's
 * replies as the assistant's (what a person answered is what the model
 * should learn). System notices are left out, as are failure apologies and
 * moderated replies; a conversation is exported only if it has a question
 * and an answer, and ends on an answer. Audited with its counts.
 */
export async function exportTrainingData(db: Queryable, options: { since: Date; until: Date; companyName: string; actor: string }): Promise<{ examples: TrainingExample[]; consenting: number; withoutConsent: number }> {
  const { rows: sessions } = await db.query<{ id: string; training_consent: boolean | null }>(
    `SELECT s.id, s.training_consent FROM support_chat_sessions s
     WHERE s.created_at >= $1 AND s.created_at < $2 AND EXISTS (SELECT 1 FROM support_chat_messages m WHERE m.session_id = s.id AND m.role = 'user')
     ORDER BY s.created_at, s.id`,
    [options.since, options.until],
  );
  const consenting = sessions.filter((session) => session.training_consent === true).map((session) => session.id);
  const { rows: messages } = consenting.length
    ? await db.query<{ session_id: string; role: string; text: string; outcome: string | null }>(
        `SELECT session_id, role, text, outcome FROM support_chat_messages WHERE session_id = ANY($1::text[]) AND role IN ('user', 'assistant', 'agent') ORDER BY seq`,
        [consenting],
      )
    : { rows: [] };
  const system = `You are the customer-support assistant of ${options.companyName}, a travel-booking company. Answer briefly and only from what you know; offer a person when you cannot help.`;
  const examples: TrainingExample[] = [];
  for (const sessionId of consenting) {
    const turns: TrainingExample['messages'] = [];
    for (const message of messages) {
      if (message.session_id !== sessionId || (message.outcome && EXCLUDED_OUTCOMES.has(message.outcome))) continue;
      const role = message.role === 'user' ? 'user' : 'assistant';
      const content = redactText(message.text).trim();
      if (content === '') continue;
      const last = turns.at(-1);
      // Two in a row from one side (a customer's follow-up, an agent's second line) are one turn.
      if (last?.role === role) last.content = `${last.content}\n\n${content}`;
      else if (turns.length > 0 || role === 'user') turns.push({ role, content });
    }
    while (turns.at(-1)?.role === 'user') turns.pop();
    if (turns.length >= 2) examples.push({ messages: [{ role: 'system', content: system }, ...turns] });
  }
  await recordPrivacyAudit(db, {
    action: 'training_export',
    customerId: null,
    actor: options.actor,
    details: { since: options.since.toISOString(), until: options.until.toISOString(), exported: examples.length, consenting: consenting.length, withoutConsent: sessions.length - consenting.length },
  });
  return { examples, consenting: consenting.length, withoutConsent: sessions.length - consenting.length };
}

export const toJsonl = (examples: readonly TrainingExample[]) => examples.map((example) => `${JSON.stringify(example)}\n`).join('');
