import { randomUUID } from 'node:crypto';
import type { Queryable } from '../storage/database.js';

export type GuardrailStage = 'input' | 'output' | 'limit';

export interface GuardrailDecision {
  sessionId: string;
  messageId: string | null;
  stage: GuardrailStage;
  category: string;
  action: string;
  rule: string | null;
}

/**
 * support_guardrail_decisions: one row per decision (category, action,
 * session), for the dashboard and for audit. The message text is not
 * copied: the transcript has it, and the decision needs only which rule.
 */
export async function recordGuardrailDecision(db: Queryable, decision: GuardrailDecision): Promise<void> {
  await db.query(
    `INSERT INTO support_guardrail_decisions (id, session_id, message_id, stage, category, action, rule) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [`grd_${randomUUID().replace(/-/g, '')}`, decision.sessionId, decision.messageId, decision.stage, decision.category, decision.action, decision.rule],
  );
}

/** How often a category was decided in a session (the warnings an abusive customer has had). */
export async function countGuardrailDecisions(db: Queryable, sessionId: string, category: string, action: string): Promise<number> {
  const { rows } = await db.query<{ count: string | number }>(
    'SELECT count(*) AS count FROM support_guardrail_decisions WHERE session_id = $1 AND category = $2 AND action = $3',
    [sessionId, category, action],
  );
  return Number(rows[0]?.count ?? 0);
}

/** Decisions counted by stage, category and action in [since, until) (either open): the dashboard's guardrail table. */
export async function countDecisionsByKind(db: Queryable, period: { since: Date | null; until: Date | null }): Promise<Array<{ stage: string; category: string; action: string; count: number }>> {
  const { rows } = await db.query<{ stage: string; category: string; action: string; count: string | number }>(
    `SELECT stage, category, action, count(*) AS count FROM support_guardrail_decisions
     WHERE ($1::timestamptz IS NULL OR created_at >= $1) AND ($2::timestamptz IS NULL OR created_at < $2)
     GROUP BY stage, category, action ORDER BY stage, category, action`,
    [period.since, period.until],
  );
  return rows.map((row) => ({ stage: row.stage, category: row.category, action: row.action, count: Number(row.count) }));
}
