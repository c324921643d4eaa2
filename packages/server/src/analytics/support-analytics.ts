import { countDecisionsByKind } from '../guardrails/decision-log.js';
import type { Queryable } from '../storage/database.js';

/**
 * The support lead's numbers for a period, computed in SQL from the stored
 * conversations, tickets, ratings, model calls and guardrail decisions.
 * The definitions (README, "Analytics") are exactly these queries:
 *
 * - A conversation is a session that started in the period and holds at
 *   least one customer message.
 * - escalated: it has a ticket (any trigger). resolvedByAgent: an agent
 *   resolved that ticket (not handed it back).
 * - aiAnswered: the AI gave at least one answer (reply outcome `answered`).
 * - contained: not escalated, the AI answered, and its last reply was an
 *   answer (not "I don't know", a provider failure or a guardrail's text).
 * - abandoned: neither escalated nor contained.
 * - containmentRate = (conversations − escalated) / conversations
 * - resolutionRate = contained / conversations
 * - automationRate = customer messages the AI answered (`answered`) /
 *   customer messages, in those conversations
 * - CSAT (AI or human) = thumbs up / (up + down) on assistant or agent messages.
 * - End-of-chat CSAT = ratings of 4 or 5 / ratings, split by whether a person
 *   had handled the conversation when it was rated; with the average score.
 *
 * Model calls (tokens, cost, latency) and guardrail decisions count by when
 * they happened, conversations by when they started. A rate with nothing to
 * divide by is null, not 0.
 */
export interface AnalyticsPeriod {
  since: Date;
  until: Date;
}

export interface AnalyticsSummary {
  period: { since: string; until: string };
  funnel: { conversations: number; aiAnswered: number; escalated: number; resolvedByAgent: number; contained: number; abandoned: number };
  rates: { containment: number | null; resolution: number | null; automation: number | null };
  customerMessages: number;
  aiAnsweredMessages: number;
  dontKnowAnswers: number;
  escalationReasons: Array<{ source: string; count: number }>;
  csat: { ai: Csat; human: Csat; endOfChat: { ai: EndOfChatCsat; human: EndOfChatCsat } };
  tokens: { calls: number; promptTokens: number; completionTokens: number; estimatedCalls: number; costUsd: number; unpricedCalls: number };
  daily: Array<{ day: string; conversations: number; escalated: number; calls: number; promptTokens: number; completionTokens: number; costUsd: number }>;
  latency: { calls: number; totalMs: Percentiles; firstTokenMs: Percentiles };
  tools: Array<{ tool: string; calls: number; failures: number; p50Ms: number | null; p90Ms: number | null }>;
  citedArticles: Array<{ articleId: string; title: string | null; count: number }>;
  guardrails: Array<{ stage: string; category: string; action: string; count: number }>;
}

export interface Csat {
  up: number;
  down: number;
  score: number | null;
}

export interface EndOfChatCsat {
  ratings: number;
  /** Mean score, 1 to 5. */
  average: number | null;
  /** Share of ratings of 4 or 5. */
  satisfied: number | null;
}

export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
const int = (value: unknown): number => Number(value ?? 0);
const nullableInt = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** The period's conversations (started in it, with a customer message), as a CTE the queries below share. */
const CONVERSATIONS = `
  conversations AS (
    SELECT s.id, s.created_at FROM support_chat_sessions s
    WHERE s.created_at >= $1 AND s.created_at < $2
      AND EXISTS (SELECT 1 FROM support_chat_messages m WHERE m.session_id = s.id AND m.role = 'user')
  )`;

/**
 * CTEs `conversations` and `facts`: per conversation of the period, what the
 * definitions above need, and its outcome (contained, escalated, abandoned).
 * The funnel and the transcript browser read the same facts.
 */
export const CONVERSATION_FACTS = `${CONVERSATIONS},
  facts AS (
    SELECT c.id, c.created_at,
      EXISTS (SELECT 1 FROM support_tickets t WHERE t.session_id = c.id) AS escalated,
      EXISTS (SELECT 1 FROM support_tickets t WHERE t.session_id = c.id AND t.resolution = 'resolved') AS resolved_by_agent,
      EXISTS (SELECT 1 FROM support_chat_messages m WHERE m.session_id = c.id AND m.role = 'assistant' AND m.outcome = 'answered') AS ai_answered,
      (SELECT m.outcome FROM support_chat_messages m WHERE m.session_id = c.id AND m.role = 'assistant' ORDER BY m.seq DESC LIMIT 1) AS last_outcome
    FROM conversations c
  ),
  outcomes AS (
    SELECT f.*, CASE WHEN f.escalated THEN 'escalated' WHEN f.ai_answered AND f.last_outcome = 'answered' THEN 'contained' ELSE 'abandoned' END AS outcome
    FROM facts f
  )`;

export async function analyticsSummary(db: Queryable, period: AnalyticsPeriod): Promise<AnalyticsSummary> {
  const range = [period.since, period.until];
  const [funnel, messages, reasons, ratings, tokens, daily, latency, tools, cited, guardrails, endOfChat] = await Promise.all([
    db.query(
      `WITH ${CONVERSATION_FACTS}
       SELECT count(*) AS conversations,
         count(*) FILTER (WHERE ai_answered) AS ai_answered,
         count(*) FILTER (WHERE escalated) AS escalated,
         count(*) FILTER (WHERE resolved_by_agent) AS resolved_by_agent,
         count(*) FILTER (WHERE outcome = 'contained') AS contained
       FROM outcomes`,
      range,
    ),
    db.query(
      `WITH ${CONVERSATIONS}
       SELECT count(*) FILTER (WHERE q.role = 'user') AS customer_messages,
         count(*) FILTER (WHERE q.role = 'user' AND EXISTS (
           SELECT 1 FROM support_chat_messages r WHERE r.reply_to_id = q.id AND r.role = 'assistant' AND r.outcome = 'answered')) AS ai_answered_messages,
         count(*) FILTER (WHERE q.role = 'assistant' AND q.outcome = 'dont_know') AS dont_know
       FROM support_chat_messages q JOIN conversations c ON c.id = q.session_id`,
      range,
    ),
    db.query(
      `WITH ${CONVERSATIONS}
       SELECT t.source, count(*) AS count FROM support_tickets t JOIN conversations c ON c.id = t.session_id
       GROUP BY t.source ORDER BY count(*) DESC, t.source`,
      range,
    ),
    db.query(
      `WITH ${CONVERSATIONS}
       SELECT m.role, count(*) FILTER (WHERE m.rating = 'up') AS up, count(*) FILTER (WHERE m.rating = 'down') AS down
       FROM support_chat_messages m JOIN conversations c ON c.id = m.session_id
       WHERE m.rating IS NOT NULL GROUP BY m.role`,
      range,
    ),
    db.query(
      `SELECT count(*) AS calls, coalesce(sum(prompt_tokens), 0) AS prompt_tokens, coalesce(sum(completion_tokens), 0) AS completion_tokens,
         count(*) FILTER (WHERE tokens_estimated) AS estimated_calls, coalesce(sum(cost_usd), 0) AS cost_usd, count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced_calls
       FROM support_ai_interactions WHERE created_at >= $1 AND created_at < $2`,
      range,
    ),
    db.query(
      `WITH ${CONVERSATIONS},
       calls AS (
         SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS calls, sum(prompt_tokens) AS prompt_tokens,
           sum(completion_tokens) AS completion_tokens, coalesce(sum(cost_usd), 0) AS cost_usd
         FROM support_ai_interactions WHERE created_at >= $1 AND created_at < $2 GROUP BY 1
       ),
       started AS (
         SELECT to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS conversations,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM support_tickets t WHERE t.session_id = c.id)) AS escalated
         FROM conversations c GROUP BY 1
       )
       SELECT coalesce(s.day, k.day) AS day, coalesce(s.conversations, 0) AS conversations, coalesce(s.escalated, 0) AS escalated,
         coalesce(k.calls, 0) AS calls, coalesce(k.prompt_tokens, 0) AS prompt_tokens, coalesce(k.completion_tokens, 0) AS completion_tokens, coalesce(k.cost_usd, 0) AS cost_usd
       FROM started s FULL OUTER JOIN calls k ON k.day = s.day ORDER BY 1`,
      range,
    ),
    db.query(
      `SELECT count(*) AS calls,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS total_p50, percentile_disc(0.9) WITHIN GROUP (ORDER BY latency_ms) AS total_p90,
         percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS total_p99,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY first_token_ms) AS first_p50, percentile_disc(0.9) WITHIN GROUP (ORDER BY first_token_ms) AS first_p90,
         percentile_disc(0.99) WITHIN GROUP (ORDER BY first_token_ms) AS first_p99
       FROM support_ai_interactions WHERE purpose = 'reply' AND error_code IS NULL AND created_at >= $1 AND created_at < $2`,
      range,
    ),
    db.query(
      `SELECT call->>'name' AS tool, count(*) AS calls, count(*) FILTER (WHERE call->>'outcome' <> 'ok') AS failures,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY (call->>'latencyMs')::integer) AS p50,
         percentile_disc(0.9) WITHIN GROUP (ORDER BY (call->>'latencyMs')::integer) AS p90
       FROM support_ai_interactions i, jsonb_array_elements(i.tool_calls) AS call
       WHERE i.created_at >= $1 AND i.created_at < $2 GROUP BY 1 ORDER BY count(*) DESC, 1`,
      range,
    ),
    db.query(
      `WITH ${CONVERSATIONS}
       SELECT cited->>'articleId' AS article_id, a.title, count(*) AS count
       FROM support_chat_messages m JOIN conversations c ON c.id = m.session_id, jsonb_array_elements(m.citations) AS cited
       LEFT JOIN kb_articles a ON a.id = cited->>'articleId'
       WHERE m.role = 'assistant' GROUP BY 1, 2 ORDER BY count(*) DESC, 1 LIMIT 20`,
      range,
    ),
    countDecisionsByKind(db, period),
    db.query(
      `WITH ${CONVERSATIONS}
       SELECT r.handled_by, count(*) AS ratings, avg(r.score)::float AS average, count(*) FILTER (WHERE r.score >= 4) AS satisfied
       FROM support_conversation_ratings r JOIN conversations c ON c.id = r.session_id GROUP BY r.handled_by`,
      range,
    ),
  ]);

  const f = funnel.rows[0] ?? {};
  const conversations = int(f.conversations);
  const escalated = int(f.escalated);
  const contained = int(f.contained);
  const m = messages.rows[0] ?? {};
  const customerMessages = int(m.customer_messages);
  const aiAnsweredMessages = int(m.ai_answered_messages);
  const csatOf = (role: string): Csat => {
    const row = ratings.rows.find((candidate) => candidate.role === role);
    const up = int(row?.up);
    const down = int(row?.down);
    return { up, down, score: ratio(up, up + down) };
  };
  const endOfChatOf = (handledBy: string): EndOfChatCsat => {
    const row = endOfChat.rows.find((candidate) => candidate.handled_by === handledBy);
    const count = int(row?.ratings);
    return { ratings: count, average: row ? Number(row.average) : null, satisfied: ratio(int(row?.satisfied), count) };
  };
  const t = tokens.rows[0] ?? {};
  const l = latency.rows[0] ?? {};
  return {
    period: { since: period.since.toISOString(), until: period.until.toISOString() },
    funnel: { conversations, aiAnswered: int(f.ai_answered), escalated, resolvedByAgent: int(f.resolved_by_agent), contained, abandoned: conversations - escalated - contained },
    rates: { containment: ratio(conversations - escalated, conversations), resolution: ratio(contained, conversations), automation: ratio(aiAnsweredMessages, customerMessages) },
    customerMessages,
    aiAnsweredMessages,
    dontKnowAnswers: int(m.dont_know),
    escalationReasons: reasons.rows.map((row) => ({ source: String(row.source), count: int(row.count) })),
    csat: { ai: csatOf('assistant'), human: csatOf('agent'), endOfChat: { ai: endOfChatOf('ai'), human: endOfChatOf('human') } },
    tokens: {
      calls: int(t.calls),
      promptTokens: int(t.prompt_tokens),
      completionTokens: int(t.completion_tokens),
      estimatedCalls: int(t.estimated_calls),
      costUsd: Number(t.cost_usd ?? 0),
      unpricedCalls: int(t.unpriced_calls),
    },
    daily: daily.rows.map((row) => ({
      day: String(row.day),
      conversations: int(row.conversations),
      escalated: int(row.escalated),
      calls: int(row.calls),
      promptTokens: int(row.prompt_tokens),
      completionTokens: int(row.completion_tokens),
      costUsd: Number(row.cost_usd ?? 0),
    })),
    latency: {
      calls: int(l.calls),
      totalMs: { p50: nullableInt(l.total_p50), p90: nullableInt(l.total_p90), p99: nullableInt(l.total_p99) },
      firstTokenMs: { p50: nullableInt(l.first_p50), p90: nullableInt(l.first_p90), p99: nullableInt(l.first_p99) },
    },
    tools: tools.rows.map((row) => ({ tool: String(row.tool), calls: int(row.calls), failures: int(row.failures), p50Ms: nullableInt(row.p50), p90Ms: nullableInt(row.p90) })),
    citedArticles: cited.rows.map((row) => ({ articleId: String(row.article_id), title: row.title === null || row.title === undefined ? null : String(row.title), count: int(row.count) })),
    guardrails,
  };
}
