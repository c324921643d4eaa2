import { redactText } from '../guardrails/redaction.js';
import type { Database } from '../storage/database.js';
import { deleteSessions, recordPrivacyAudit } from './customer-data.js';

export interface RetentionPolicy {
  /** Conversations whose last message is older than this many days; 0: kept for ever. */
  days: number;
  /** delete: gone, with everything that hangs off them; anonymise: kept for the numbers, without who or their PII. */
  mode: 'delete' | 'anonymise';
}

/** Conversations handled per transaction: a long backlog is worked through in bounded steps. */
const BATCH = 200;

export interface RetentionRun {
  conversations: number;
  tokenUsageDays: number;
  emails: number;
}

/**
 * One retention pass: every conversation whose last activity is older than
 * the period is deleted or anonymised (identity removed from the session,
 * its tickets and tool audit; every message text redacted), old daily token
 * counts and sent e-mails go, and the run is audited with its counts.
 * Idempotent, so several nodes may run it at once.
 */
export async function applyRetention(db: Database, policy: RetentionPolicy, now: Date): Promise<RetentionRun> {
  const run: RetentionRun = { conversations: 0, tokenUsageDays: 0, emails: 0 };
  if (policy.days <= 0) return run;
  const cutoff = new Date(now.getTime() - policy.days * 24 * 3600 * 1000);
  for (;;) {
    const handled = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `SELECT s.id FROM support_chat_sessions s
         WHERE coalesce((SELECT max(m.created_at) FROM support_chat_messages m WHERE m.session_id = s.id), s.created_at) < $1
           ${policy.mode === 'anonymise' ? 'AND s.anonymised_at IS NULL' : ''}
         ORDER BY s.created_at LIMIT ${BATCH}
         FOR UPDATE SKIP LOCKED`,
        [cutoff],
      );
      const ids = rows.map((row) => row.id);
      if (policy.mode === 'delete') return (await deleteSessions(tx, ids)).conversations;
      for (const id of ids) {
        await tx.query(`UPDATE support_chat_sessions SET customer_id = NULL, customer_name = NULL, customer_email = NULL, quota_key = NULL, anonymised_at = now() WHERE id = $1`, [id]);
        await tx.query('UPDATE support_tickets SET customer_id = NULL WHERE session_id = $1', [id]);
        await tx.query('UPDATE support_tool_audit SET customer_id = NULL WHERE session_id = $1', [id]);
        const { rows: ratings } = await tx.query<{ comment: string | null }>('SELECT comment FROM support_conversation_ratings WHERE session_id = $1', [id]);
        if (ratings[0]?.comment) await tx.query('UPDATE support_conversation_ratings SET comment = $2 WHERE session_id = $1', [id, redactText(ratings[0].comment)]);
        const { rows: messages } = await tx.query<{ id: string; text: string }>('SELECT id, text FROM support_chat_messages WHERE session_id = $1', [id]);
        for (const message of messages) {
          const redacted = redactText(message.text);
          if (redacted !== message.text) await tx.query('UPDATE support_chat_messages SET text = $2 WHERE id = $1', [message.id, redacted]);
        }
      }
      return ids.length;
    });
    run.conversations += handled;
    if (handled < BATCH) break;
  }
  const day = cutoff.toISOString().slice(0, 10);
  run.tokenUsageDays = (await db.query('DELETE FROM support_token_usage WHERE day < $1::date RETURNING day', [day])).rows.length;
  run.emails = (await db.query('DELETE FROM support_outbox WHERE sent_at IS NOT NULL AND created_at < $1 RETURNING id', [cutoff])).rows.length;
  if (run.conversations + run.tokenUsageDays + run.emails > 0) {
    await recordPrivacyAudit(db, { action: 'retention', customerId: null, actor: 'retention', details: { mode: policy.mode, days: policy.days, ...run } });
  }
  return run;
}

/** Runs retention soon after start and then every `everyMs`; stop() ends it. Failures are reported and retried next time. */
export function scheduleRetention(db: Database, policy: RetentionPolicy, options: { now: () => Date; everyMs: number; onRun: (run: RetentionRun) => void; onError: (error: unknown) => void }): { stop(): void } {
  if (policy.days <= 0) return { stop() {} };
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    applyRetention(db, policy, options.now())
      .then(options.onRun, options.onError)
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(tick, 5_000);
  const timer = setInterval(tick, options.everyMs);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
