import { citationSchema, type Citation, type Message, type MessageRole } from '@support/protocol';
import { z } from 'zod';
import type { Queryable } from '../storage/database.js';
import { newMessageId } from './ids.js';
import { nextPendingQuery } from './pending-replies.js';

interface MessageRow extends Record<string, unknown> {
  id: string;
  role: MessageRole;
  text: string;
  client_message_id: string | null;
  citations: unknown;
  rating: 'up' | 'down' | null;
  reply_to_id: string | null;
  kind: string | null;
  author_name: string | null;
  created_at: Date | string;
}

/** The agent's name rides along with each agent message (the widget shows who wrote). */
const columns = `id, role, text, client_message_id, citations, rating, reply_to_id, kind, created_at,
  (SELECT a.name FROM support_agents a WHERE a.id = support_chat_messages.agent_id) AS author_name`;

/** What a system message stands for; clients show each kind distinctly, and resume re-sends agent_joined. */
export type SystemMessageKind = 'handoff' | 'agent_joined' | 'resolved' | 'handed_back';

function toMessage(row: MessageRow): Message {
  // Written by insertReply from validated citations; parsed anyway, so a bad row cannot reach a client.
  const parsedCitations = z.array(citationSchema).safeParse(row.citations);
  const citations = parsedCitations.success ? parsedCitations.data : [];
  return {
    id: row.id,
    role: row.role,
    text: row.text,
    createdAt: new Date(row.created_at).toISOString(),
    citations,
    ...(row.client_message_id ? { clientMessageId: row.client_message_id } : {}),
    ...(row.rating ? { rating: row.rating } : {}),
    ...(row.reply_to_id ? { replyToMessageId: row.reply_to_id } : {}),
    ...(row.author_name ? { authorName: row.author_name } : {}),
    ...(row.kind ? { kind: row.kind } : {}),
  };
}

/** Transcript storage: support_chat_messages. */
export class MessageStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Stores a customer message once per clientMessageId. `created` is false
   * when the same clientMessageId was stored before (a retry); the earlier
   * message is returned. With `awaitsReply`, the record that it awaits the
   * AI's reply (support_pending_replies) is written in the same statement:
   * once acknowledged, it is answered even if this node dies.
   */
  async insertUserMessage(sessionId: string, clientMessageId: string, text: string, awaitsReply = false): Promise<{ message: Message; created: boolean }> {
    // One statement, so one round trip and no transaction: the message and its pending record commit together.
    const inserted = await this.db.query<MessageRow>(
      `WITH inserted AS (
         INSERT INTO support_chat_messages (id, session_id, role, text, client_message_id)
         VALUES ($1, $2, 'user', $3, $4)
         ON CONFLICT (session_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
         RETURNING ${columns}
       ), pending AS (
         INSERT INTO support_pending_replies (message_id, session_id)
         SELECT id, $2 FROM inserted WHERE $5::boolean
         ON CONFLICT (message_id) DO NOTHING
       )
       SELECT * FROM inserted`,
      [newMessageId(), sessionId, text, clientMessageId, awaitsReply],
    );
    if (inserted.rows[0]) return { message: toMessage(inserted.rows[0]), created: true };
    const existing = await this.db.query<MessageRow>(
      `SELECT ${columns} FROM support_chat_messages WHERE session_id = $1 AND client_message_id = $2`,
      [sessionId, clientMessageId],
    );
    const row = existing.rows[0];
    if (!row) throw new Error('message vanished between insert and select');
    return { message: toMessage(row), created: false };
  }

  /**
   * The AI's reply to `questionId`, stored only while the AI still holds the
   * conversation (the session row locked as the escalation locks it: either
   * the reply is stored before a handoff, or not at all) and only once per
   * question; the question stops awaiting a reply either way. One statement.
   * Also answers which message of the session awaits a reply next, so that
   * the worker needs no query of its own for it.
   */
  async storeAssistantReply(
    sessionId: string,
    questionId: string,
    reply: { id: string; text: string; citations: Citation[]; outcome: 'answered' | 'dont_know' | 'fallback' | 'guardrail' | 'moderated' },
  ): Promise<{ message: Message | null; nextPending: string | null }> {
    const { rows } = await this.db.query<MessageRow & { next_pending: string | null }>(
      `WITH live AS (
         SELECT id FROM support_chat_sessions WHERE id = $2 AND status = 'ai' FOR UPDATE
       ), stored AS (
         INSERT INTO support_chat_messages (id, session_id, role, text, citations, reply_to_id, outcome)
         SELECT $1, live.id, 'assistant', $3, $4::jsonb, $5, $6 FROM live
         ON CONFLICT (reply_to_id) WHERE reply_to_id IS NOT NULL DO NOTHING
         RETURNING ${columns}
       ), completed AS (
         DELETE FROM support_pending_replies WHERE message_id = $5
       )
       SELECT stored.*, (${nextPendingQuery('$2', '$5')}) AS next_pending
         FROM (SELECT 1) AS one LEFT JOIN stored ON true`,
      [reply.id, sessionId, reply.text, JSON.stringify(reply.citations), questionId, reply.outcome],
    );
    const row = rows[0];
    return { message: row?.id ? toMessage(row) : null, nextPending: row?.next_pending ?? null };
  }

  /**
   * What a reply to `messageId` is written from (historyForReply): the last
   * `window` messages up to and including it, and the replies stored after
   * it (to it or to earlier messages), oldest first. Bounded, so a long
   * conversation costs a turn no more than a short one.
   */
  async replyWindow(sessionId: string, messageId: string, window: number): Promise<{ question: Message | null; transcript: Message[] }> {
    const { rows } = await this.db.query<MessageRow & { seq: string | number }>(
      `WITH q AS (SELECT seq FROM support_chat_messages WHERE session_id = $1 AND id = $2)
       SELECT * FROM (
         (SELECT ${columns}, seq FROM support_chat_messages WHERE session_id = $1 AND seq <= (SELECT seq FROM q) ORDER BY seq DESC LIMIT $3)
         UNION ALL
         (SELECT ${columns}, seq FROM support_chat_messages
           WHERE session_id = $1 AND seq > (SELECT seq FROM q) AND role <> 'user' AND reply_to_id IS NOT NULL ORDER BY seq LIMIT $3)
       ) AS around ORDER BY seq`,
      [sessionId, messageId, window],
    );
    const transcript = rows.map(toMessage);
    return { question: transcript.find((message) => message.id === messageId) ?? null, transcript };
  }

  /**
   * Stores a reply (assistant, system or agent). With `replyToId`, a second
   * reply to the same message is refused and null is returned, so a message
   * is answered once even when two nodes race.
   */
  async insertReply(
    sessionId: string,
    reply: {
      id?: string;
      role: Exclude<MessageRole, 'user'>;
      text: string;
      citations?: Citation[];
      replyToId?: string | null;
      /** For assistant replies: how it went (see ReplyOutcome). */
      outcome?: 'answered' | 'dont_know' | 'fallback' | 'guardrail' | 'moderated';
      /** For agent messages (and an agent's system notices): who. */
      agentId?: string | null;
      kind?: SystemMessageKind;
    },
  ): Promise<Message | null> {
    const { rows } = await this.db.query<MessageRow>(
      `INSERT INTO support_chat_messages (id, session_id, role, text, citations, reply_to_id, outcome, agent_id, kind)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)
       ON CONFLICT (reply_to_id) WHERE reply_to_id IS NOT NULL DO NOTHING
       RETURNING ${columns}`,
      [
        reply.id ?? newMessageId(),
        sessionId,
        reply.role,
        reply.text,
        JSON.stringify(reply.citations ?? []),
        reply.replyToId ?? null,
        reply.outcome ?? null,
        reply.agentId ?? null,
        reply.kind ?? null,
      ],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  /**
   * How many of the session's latest assistant replies, newest first, went
   * this way in a row. A person's turn (an agent message, a handoff or its
   * end) breaks the run: failures before a handoff do not count after it.
   */
  async consecutiveAssistantOutcomes(sessionId: string, outcomes: string[], lookBack: number): Promise<number> {
    const { rows } = await this.db.query<{ role: MessageRole; outcome: string | null }>(
      `SELECT role, outcome FROM support_chat_messages WHERE session_id = $1 AND role <> 'user' ORDER BY seq DESC LIMIT $2`,
      [sessionId, lookBack],
    );
    let count = 0;
    for (const row of rows) {
      if (row.role !== 'assistant' || !row.outcome || !outcomes.includes(row.outcome)) break;
      count += 1;
    }
    return count;
  }

  /** Whether a customer message with this client id is already stored (a retry is never refused by a limit). */
  async hasClientMessage(sessionId: string, clientMessageId: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM support_chat_messages WHERE session_id = $1 AND client_message_id = $2', [sessionId, clientMessageId]);
    return rows.length > 0;
  }

  /** Customer messages in the conversation: its turns, for the conversation limit. */
  async countCustomerMessages(sessionId: string): Promise<number> {
    const { rows } = await this.db.query<{ count: string | number }>(`SELECT count(*) AS count FROM support_chat_messages WHERE session_id = $1 AND role = 'user'`, [sessionId]);
    return Number(rows[0]?.count ?? 0);
  }

  async findReplyTo(messageId: string): Promise<Message | null> {
    const { rows } = await this.db.query<MessageRow>(`SELECT ${columns} FROM support_chat_messages WHERE reply_to_id = $1`, [messageId]);
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async list(sessionId: string, options: { afterMessageId?: string; limit?: number } = {}): Promise<Message[]> {
    const { rows } = await this.db.query<MessageRow>(
      `SELECT ${columns} FROM support_chat_messages
        WHERE session_id = $1
          AND ($2::text IS NULL OR seq > (SELECT seq FROM support_chat_messages WHERE id = $2 AND session_id = $1))
        ORDER BY seq
        LIMIT $3`,
      [sessionId, options.afterMessageId ?? null, options.limit ?? 500],
    );
    return rows.map(toMessage);
  }

  async exists(sessionId: string, messageId: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM support_chat_messages WHERE session_id = $1 AND id = $2', [sessionId, messageId]);
    return rows.length > 0;
  }

  /** Records a thumbs up/down on one of the session's assistant or agent replies; false if there is none. */
  /** The rated message's role (assistant or agent), or null when there is no such message to rate. */
  async rate(sessionId: string, messageId: string, rating: 'up' | 'down'): Promise<'assistant' | 'agent' | null> {
    const { rows } = await this.db.query<{ role: 'assistant' | 'agent' }>(
      `UPDATE support_chat_messages SET rating = $3, rated_at = now()
        WHERE session_id = $1 AND id = $2 AND role IN ('assistant', 'agent') RETURNING role`,
      [sessionId, messageId, rating],
    );
    return rows[0]?.role ?? null;
  }
}
