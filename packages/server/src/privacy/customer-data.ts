import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../storage/database.js';

/**
 * Privacy requests about one customer (the host's customer id): export
 * everything this service holds about them, or delete it. Both are audited
 * in support_privacy_audit (who, when, how many rows), and that line is all
 * a deletion leaves behind. The host's own data (bookings, wallets) is the
 * host's to export and delete; the demo tables are not touched.
 */

export interface PrivacyActor {
  /** agent:<id>, admin-api-key, cli. */
  actor: string;
}

const auditId = () => `prv_${randomUUID().replace(/-/g, '')}`;

export async function recordPrivacyAudit(db: Queryable, entry: { action: 'export' | 'delete' | 'retention' | 'training_export'; customerId: string | null; actor: string; details: Record<string, unknown> }): Promise<void> {
  await db.query('INSERT INTO support_privacy_audit (id, action, customer_id, actor, details) VALUES ($1, $2, $3, $4, $5::jsonb)', [
    auditId(),
    entry.action,
    entry.customerId,
    entry.actor,
    JSON.stringify(entry.details),
  ]);
}

/** Which of a customer's rows a request reaches: their sessions and what hangs off them, and the rows keyed by the customer. */
const SESSIONS_OF = 'SELECT id FROM support_chat_sessions WHERE customer_id = $1';

export interface CustomerExport {
  customerId: string;
  exportedAt: string;
  conversations: Array<Record<string, unknown> & { messages: Array<Record<string, unknown>>; tickets: Array<Record<string, unknown>> }>;
  toolCalls: Array<Record<string, unknown>>;
  modelCalls: Array<Record<string, unknown>>;
  guardrailDecisions: Array<Record<string, unknown>>;
  emails: Array<Record<string, unknown>>;
  tokenUsage: Array<Record<string, unknown>>;
}

/** Everything about the customer, as they would be sent it: their own words whole (it is their data), in one JSON document. */
export async function exportCustomerData(db: Database, customerId: string, by: PrivacyActor): Promise<CustomerExport> {
  const [sessions, messages, tickets, toolCalls, modelCalls, decisions, emails, tokens] = await Promise.all([
    db.query(
      `SELECT s.id, s.customer_name, s.customer_email, s.locale, s.status, s.training_consent, s.training_consent_at, s.created_at,
         r.score AS rating_score, r.comment AS rating_comment, r.rated_at
       FROM support_chat_sessions s LEFT JOIN support_conversation_ratings r ON r.session_id = s.id WHERE s.customer_id = $1 ORDER BY s.created_at`,
      [customerId],
    ),
    db.query(`SELECT session_id, id, role, text, rating, rated_at, outcome, citations, created_at FROM support_chat_messages WHERE session_id IN (${SESSIONS_OF}) ORDER BY seq`, [customerId]),
    db.query(`SELECT session_id, id, status, priority, source, reason, subject, summary, resolution, created_at, resolved_at FROM support_tickets WHERE session_id IN (${SESSIONS_OF}) OR customer_id = $1 ORDER BY created_at`, [customerId]),
    db.query(`SELECT session_id, tool, arguments, outcome, latency_ms, created_at FROM support_tool_audit WHERE customer_id = $1 OR session_id IN (${SESSIONS_OF}) ORDER BY created_at`, [customerId]),
    db.query(`SELECT session_id, provider, model, prompt_tokens, completion_tokens, redacted_prompt, redacted_completion, created_at FROM support_ai_interactions WHERE session_id IN (${SESSIONS_OF}) ORDER BY created_at`, [customerId]),
    db.query(`SELECT session_id, stage, category, action, created_at FROM support_guardrail_decisions WHERE session_id IN (${SESSIONS_OF}) ORDER BY created_at`, [customerId]),
    db.query(`SELECT subject, body, created_at, sent_at FROM support_outbox WHERE customer_id = $1 ORDER BY created_at`, [customerId]),
    db.query(`SELECT day::text AS day, tokens FROM support_token_usage WHERE quota_key = $1 ORDER BY day`, [`customer:${customerId}`]),
  ]);
  const bySession = <T extends Record<string, unknown>>(rows: T[], sessionId: unknown) => rows.filter((row) => row.session_id === sessionId).map(({ session_id: _session, ...rest }) => rest);
  const result: CustomerExport = {
    customerId,
    exportedAt: new Date().toISOString(),
    conversations: sessions.rows.map((session) => ({ ...session, messages: bySession(messages.rows, session.id), tickets: bySession(tickets.rows, session.id) })),
    toolCalls: toolCalls.rows,
    modelCalls: modelCalls.rows,
    guardrailDecisions: decisions.rows,
    emails: emails.rows,
    tokenUsage: tokens.rows,
  };
  await recordPrivacyAudit(db, {
    action: 'export',
    customerId,
    actor: by.actor,
    details: { conversations: sessions.rows.length, messages: messages.rows.length, tickets: tickets.rows.length, toolCalls: toolCalls.rows.length, modelCalls: modelCalls.rows.length },
  });
  return result;
}

export interface DeletionCounts {
  conversations: number;
  toolCalls: number;
  emails: number;
  tokenUsageDays: number;
}

/**
 * Deletes the given sessions and everything that hangs off them (messages,
 * model calls, tickets, notes, pending actions and replies, guardrail
 * decisions: ON DELETE CASCADE), their tool audit rows (no foreign key: the
 * audit outlives a session on purpose, except for privacy), and the
 * messages written about them (the agents' new-ticket notices name the
 * ticket and quote the customer).
 */
export async function deleteSessions(tx: Queryable, sessionIds: readonly string[]): Promise<{ conversations: number; toolCalls: number }> {
  if (sessionIds.length === 0) return { conversations: 0, toolCalls: 0 };
  const { rows: tickets } = await tx.query<{ id: string }>('SELECT id FROM support_tickets WHERE session_id = ANY($1::text[])', [[...sessionIds]]);
  await tx.query(
    `DELETE FROM support_outbox o WHERE EXISTS (
       SELECT 1 FROM unnest($1::text[]) AS k(id)
       WHERE o.idempotency_key LIKE '%:' || k.id OR strpos(o.subject, k.id) > 0 OR strpos(o.body, k.id) > 0)`,
    [[...sessionIds, ...tickets.map((ticket) => ticket.id)]],
  );
  const audit = await tx.query('DELETE FROM support_tool_audit WHERE session_id = ANY($1::text[]) RETURNING id', [[...sessionIds]]);
  const sessions = await tx.query('DELETE FROM support_chat_sessions WHERE id = ANY($1::text[]) RETURNING id', [[...sessionIds]]);
  return { conversations: sessions.rows.length, toolCalls: audit.rows.length };
}

/** Deletes everything about the customer, in one transaction, and audits it (counts only). */
export async function deleteCustomerData(db: Database, customerId: string, by: PrivacyActor): Promise<DeletionCounts> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(SESSIONS_OF, [customerId]);
    const removed = await deleteSessions(
      tx,
      rows.map((row) => row.id),
    );
    const audit = await tx.query('DELETE FROM support_tool_audit WHERE customer_id = $1 RETURNING id', [customerId]);
    const emails = await tx.query('DELETE FROM support_outbox WHERE customer_id = $1 RETURNING id', [customerId]);
    const tokens = await tx.query('DELETE FROM support_token_usage WHERE quota_key = $1 RETURNING day', [`customer:${customerId}`]);
    const counts: DeletionCounts = { conversations: removed.conversations, toolCalls: removed.toolCalls + audit.rows.length, emails: emails.rows.length, tokenUsageDays: tokens.rows.length };
    await recordPrivacyAudit(tx, { action: 'delete', customerId, actor: by.actor, details: { ...counts } });
    return counts;
  });
}
