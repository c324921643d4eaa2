import type { Message } from '@support/protocol';
import { conversationPreview } from '../conversation/conversation-preview.js';
import { MessageStore } from '../conversation/message-store.js';
import { redactText } from '../guardrails/redaction.js';
import type { Queryable } from '../storage/database.js';
import { CONVERSATION_FACTS, type AnalyticsPeriod } from './support-analytics.js';
import { clusterUnanswered, type UnansweredTopic } from './unanswered-topics.js';

export type ConversationOutcome = 'contained' | 'escalated' | 'abandoned';

export interface ConversationFilter extends AnalyticsPeriod {
  outcome?: ConversationOutcome;
  /** Conversations with at least one message rated so. */
  rating?: 'up' | 'down';
  /** Conversations handed over by this trigger (ticket source). */
  trigger?: string;
  limit: number;
  offset: number;
}

export interface ConversationRow {
  sessionId: string;
  customerId: string | null;
  startedAt: string;
  lastMessageAt: string;
  outcome: ConversationOutcome;
  trigger: string | null;
  messages: number;
  ratings: { up: number; down: number };
  /** The first customer message, redacted and clipped. */
  preview: string | null;
}

/** Longest transcript one request returns (the newest messages are the ones cut). */
const MAX_TRANSCRIPT_MESSAGES = 500;
/** Questions clustered per request: the newest unanswered ones. */
const MAX_UNANSWERED = 500;

/**
 * The dashboard's transcript browser: the period's conversations (by the
 * analytics' definitions, filtered by outcome, rating and trigger), and one
 * conversation whole. Every text leaves redacted: an admin reads what the
 * conversation was about, not the customer's card or phone number.
 */
export async function listConversations(db: Queryable, filter: ConversationFilter): Promise<{ total: number; conversations: ConversationRow[] }> {
  const { rows } = await db.query(
    `WITH ${CONVERSATION_FACTS}
     SELECT o.id, o.created_at, o.outcome, s.customer_id,
       (SELECT max(m.created_at) FROM support_chat_messages m WHERE m.session_id = o.id) AS last_message_at,
       (SELECT count(*) FROM support_chat_messages m WHERE m.session_id = o.id) AS messages,
       (SELECT count(*) FROM support_chat_messages m WHERE m.session_id = o.id AND m.rating = 'up') AS up,
       (SELECT count(*) FROM support_chat_messages m WHERE m.session_id = o.id AND m.rating = 'down') AS down,
       (SELECT t.source FROM support_tickets t WHERE t.session_id = o.id ORDER BY t.created_at LIMIT 1) AS trigger,
       (SELECT m.text FROM support_chat_messages m WHERE m.session_id = o.id AND m.role = 'user' ORDER BY m.seq LIMIT 1) AS first_text,
       count(*) OVER () AS total
     FROM outcomes o JOIN support_chat_sessions s ON s.id = o.id
     WHERE ($3::text IS NULL OR o.outcome = $3)
       AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM support_chat_messages m WHERE m.session_id = o.id AND m.rating = $4))
       AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM support_tickets t WHERE t.session_id = o.id AND t.source = $5))
     ORDER BY o.created_at DESC, o.id
     LIMIT $6 OFFSET $7`,
    [filter.since, filter.until, filter.outcome ?? null, filter.rating ?? null, filter.trigger ?? null, filter.limit, filter.offset],
  );
  return {
    total: Number(rows[0]?.total ?? (filter.offset > 0 ? await countOnly(db, filter) : 0)),
    conversations: rows.map((row) => ({
      sessionId: String(row.id),
      customerId: row.customer_id === null ? null : String(row.customer_id),
      startedAt: new Date(row.created_at as string).toISOString(),
      lastMessageAt: new Date(row.last_message_at as string).toISOString(),
      outcome: row.outcome as ConversationOutcome,
      trigger: row.trigger === null ? null : String(row.trigger),
      messages: Number(row.messages),
      ratings: { up: Number(row.up), down: Number(row.down) },
      preview: conversationPreview(row.first_text === null ? null : String(row.first_text)),
    })),
  };
}

/** The total when the page asked for is past the end (the window count came with no row). */
async function countOnly(db: Queryable, filter: ConversationFilter): Promise<number> {
  const { total } = await listConversations(db, { ...filter, offset: 0, limit: 1 });
  return total;
}

export interface TranscriptView {
  sessionId: string;
  customerId: string | null;
  status: string;
  startedAt: string;
  messages: Message[];
  tickets: Array<{ id: string; source: string; status: string; priority: string; subject: string; summary: string | null; resolution: string | null; createdAt: string }>;
  guardrails: Array<{ stage: string; category: string; action: string; messageId: string | null; at: string }>;
}

/** One conversation for the browser: messages, tickets and guardrail decisions, every text redacted; null when there is none. */
export async function transcriptFor(db: Queryable, sessionId: string): Promise<TranscriptView | null> {
  const { rows: sessions } = await db.query('SELECT id, customer_id, status, created_at FROM support_chat_sessions WHERE id = $1', [sessionId]);
  const session = sessions[0];
  if (!session) return null;
  const [messages, tickets, decisions] = await Promise.all([
    new MessageStore(db).list(sessionId, { limit: MAX_TRANSCRIPT_MESSAGES }),
    db.query('SELECT id, source, status, priority, subject, summary, resolution, created_at FROM support_tickets WHERE session_id = $1 ORDER BY created_at', [sessionId]),
    db.query('SELECT stage, category, action, message_id, created_at FROM support_guardrail_decisions WHERE session_id = $1 ORDER BY created_at', [sessionId]),
  ]);
  return {
    sessionId,
    customerId: session.customer_id === null ? null : String(session.customer_id),
    status: String(session.status),
    startedAt: new Date(session.created_at as string).toISOString(),
    messages: messages.map((message) => ({ ...message, text: redactText(message.text) })),
    tickets: tickets.rows.map((row) => ({
      id: String(row.id),
      source: String(row.source),
      status: String(row.status),
      priority: String(row.priority),
      subject: redactText(String(row.subject)),
      summary: row.summary === null ? null : redactText(String(row.summary)),
      resolution: row.resolution === null ? null : String(row.resolution),
      createdAt: new Date(row.created_at as string).toISOString(),
    })),
    guardrails: decisions.rows.map((row) => ({
      stage: String(row.stage),
      category: String(row.category),
      action: String(row.action),
      messageId: row.message_id === null ? null : String(row.message_id),
      at: new Date(row.created_at as string).toISOString(),
    })),
  };
}

/** The period's questions the assistant answered with "I don't know", grouped into topics: the help-centre gaps. */
export async function unansweredTopics(db: Queryable, period: AnalyticsPeriod): Promise<{ questions: number; topics: UnansweredTopic[] }> {
  const { rows } = await db.query(
    `WITH ${CONVERSATION_FACTS}
     SELECT q.id, q.session_id, q.text, q.created_at
     FROM support_chat_messages q JOIN conversations c ON c.id = q.session_id
     JOIN support_chat_messages r ON r.reply_to_id = q.id AND r.role = 'assistant' AND r.outcome = 'dont_know'
     WHERE q.role = 'user'
     ORDER BY q.created_at DESC LIMIT ${MAX_UNANSWERED}`,
    [period.since, period.until],
  );
  const questions = rows
    .map((row) => ({ messageId: String(row.id), sessionId: String(row.session_id), text: redactText(String(row.text)), askedAt: new Date(row.created_at as string).toISOString() }))
    .reverse();
  return { questions: questions.length, topics: clusterUnanswered(questions) };
}
