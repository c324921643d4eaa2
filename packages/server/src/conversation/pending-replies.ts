import type { Queryable } from '../storage/database.js';

/** A customer message that awaits the AI's reply. */
export interface PendingReply {
  messageId: string;
  sessionId: string;
}

// Leases are timed by the database's clock (clock_timestamp(), not the transaction's now()): it is the one
// clock all nodes share, and a lease is about nodes, not about the conversation's business time.
const LEASE_UNTIL = `clock_timestamp() + $3::integer * interval '1 millisecond'`;

/**
 * The oldest message of the session (the SQL parameter `session`) that awaits
 * a reply, in transcript order, leaving out `except` (a message the same
 * statement completes: its deletion is not visible to the statement itself).
 */
export function nextPendingQuery(session: string, except?: string): string {
  return `SELECT p.message_id FROM support_pending_replies p JOIN support_chat_messages m ON m.id = p.message_id
           WHERE p.session_id = ${session}${except ? ` AND p.message_id <> ${except}` : ''} ORDER BY m.seq LIMIT 1`;
}

/**
 * support_pending_replies and support_reply_leases: what awaits an answer, and
 * which node is answering each session. A pending reply is recorded in the
 * statement that stores the customer message, and completed in the one that
 * stores the reply (MessageStore.insertUserMessage, storeAssistantReply).
 */
export class PendingReplies {
  constructor(private readonly db: Queryable) {}

  /** Nothing is left to answer (a person owns the conversation, or the handoff notice answers the message). */
  async complete(messageId: string): Promise<void> {
    await this.db.query('DELETE FROM support_pending_replies WHERE message_id = $1', [messageId]);
  }

  /** The oldest message of the session that awaits a reply (transcript order). */
  async next(sessionId: string): Promise<PendingReply | null> {
    const { rows } = await this.db.query<{ message_id: string }>(nextPendingQuery('$1'), [sessionId]);
    const row = rows[0];
    return row ? { messageId: row.message_id, sessionId } : null;
  }

  /** Every message of the session still awaiting a reply, in transcript order (for `resume`). */
  async awaiting(sessionId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ message_id: string }>(
      `SELECT p.message_id FROM support_pending_replies p
         JOIN support_chat_messages m ON m.id = p.message_id
        WHERE p.session_id = $1 ORDER BY m.seq LIMIT 100`,
      [sessionId],
    );
    return rows.map((row) => row.message_id);
  }

  async isPending(messageId: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM support_pending_replies WHERE message_id = $1', [messageId]);
    return rows.length > 0;
  }

  /** Counts this start; the count says whether earlier starts died on this message. */
  async startAttempt(messageId: string): Promise<number> {
    const { rows } = await this.db.query<{ attempts: number }>(
      'UPDATE support_pending_replies SET attempts = attempts + 1 WHERE message_id = $1 RETURNING attempts',
      [messageId],
    );
    return rows[0]?.attempts ?? 0;
  }

  /**
   * Takes the session's lease when nobody holds it, it ran out, or `owner`
   * holds it already (`claimed` false while another live node holds it),
   * and says in the same statement which message awaits a reply first.
   */
  async claim(sessionId: string, owner: string, leaseMs: number): Promise<{ claimed: boolean; next: PendingReply | null }> {
    const { rows } = await this.db.query<{ claimed: boolean; next_pending: string | null }>(
      `WITH lease AS (
         INSERT INTO support_reply_leases (session_id, owner, expires_at) VALUES ($1, $2, ${LEASE_UNTIL})
         ON CONFLICT (session_id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
          WHERE support_reply_leases.expires_at < clock_timestamp() OR support_reply_leases.owner = EXCLUDED.owner
         RETURNING session_id
       )
       SELECT EXISTS (SELECT 1 FROM lease) AS claimed, (${nextPendingQuery('$1')}) AS next_pending`,
      [sessionId, owner, leaseMs],
    );
    const row = rows[0];
    return { claimed: row?.claimed === true, next: row?.next_pending ? { messageId: row.next_pending, sessionId } : null };
  }

  /** Pushes the lease forward; false when it was lost (it ran out and another node took it). */
  async renew(sessionId: string, owner: string, leaseMs: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE support_reply_leases SET expires_at = ${LEASE_UNTIL} WHERE session_id = $1 AND owner = $2 RETURNING session_id`,
      [sessionId, owner, leaseMs],
    );
    return rows.length > 0;
  }

  async release(sessionId: string, owner: string): Promise<void> {
    await this.db.query('DELETE FROM support_reply_leases WHERE session_id = $1 AND owner = $2', [sessionId, owner]);
  }

  /**
   * Lets the lease go and, in the same statement, names a message that still
   * awaits a reply: one accepted on another node while this one held the
   * lease was left to it (that node's claim failed), so it must look again.
   */
  async releaseAndNext(sessionId: string, owner: string): Promise<PendingReply | null> {
    const { rows } = await this.db.query<{ next_pending: string | null }>(
      `WITH released AS (DELETE FROM support_reply_leases WHERE session_id = $1 AND owner = $2)
       SELECT (${nextPendingQuery('$1')}) AS next_pending`,
      [sessionId, owner],
    );
    const next = rows[0]?.next_pending;
    return next ? { messageId: next, sessionId } : null;
  }

  /**
   * Embedded mode at start: the data directory is this process's alone, so
   * every lease in it belongs to a process that is gone.
   */
  async releaseAll(): Promise<void> {
    await this.db.query('DELETE FROM support_reply_leases');
  }

  /**
   * Sessions with messages awaiting a reply that no live node is answering:
   * their node died, gave up at shutdown, or lost the database midway. Only
   * messages older than `olderThanMs`, so that the accepting node's own
   * claim right after the commit is not raced.
   */
  async orphanedSessions(olderThanMs: number, limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ session_id: string }>(
      `SELECT DISTINCT p.session_id FROM support_pending_replies p
        WHERE p.created_at < clock_timestamp() - $1::integer * interval '1 millisecond'
          AND NOT EXISTS (SELECT 1 FROM support_reply_leases l WHERE l.session_id = p.session_id AND l.expires_at >= clock_timestamp())
        LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((row) => row.session_id);
  }
}
