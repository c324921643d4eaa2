import type { Queryable } from '../storage/database.js';
import type { Identity } from './identity.js';

export type SessionStatus = 'ai' | 'escalated' | 'closed';

export interface ChatSession {
  id: string;
  identity: Identity;
  locale: string;
  status: SessionStatus;
  tokenExpiresAt: Date;
  /** Whose daily token cap the session's model calls count against (customer:… or ip:…); null for sessions from before caps. */
  quotaKey: string | null;
  /** The customer's answer to the training-consent question; null: not answered. */
  trainingConsent: boolean | null;
}

interface SessionRow extends Record<string, unknown> {
  id: string;
  customer_id: string | null;
  customer_name: string | null;
  customer_email: string | null;
  locale: string;
  status: SessionStatus;
  token_expires_at: Date | string;
  quota_key: string | null;
  training_consent: boolean | null;
}

const columns = 'id, customer_id, customer_name, customer_email, locale, status, token_expires_at, quota_key, training_consent';

function toSession(row: SessionRow): ChatSession {
  return {
    id: row.id,
    identity: row.customer_id
      ? { kind: 'customer', customerId: row.customer_id, name: row.customer_name, email: row.customer_email }
      : { kind: 'guest' },
    locale: row.locale,
    status: row.status,
    tokenExpiresAt: new Date(row.token_expires_at),
    quotaKey: row.quota_key,
    trainingConsent: row.training_consent,
  };
}

/** One of a customer's earlier conversations, as GET /support/chat/conversations lists it (preview not yet redacted). */
export interface CustomerConversationRow {
  sessionId: string;
  status: SessionStatus;
  startedAt: Date;
  lastMessageAt: Date;
  /** The customer's first message in it, as stored (the caller redacts and clips it). */
  firstCustomerText: string | null;
}

/** support_chat_sessions: identity, status and the current token's hash and idle expiry. */
export class SessionStore {
  constructor(private readonly db: Queryable) {}

  async create(session: { id: string; identity: Identity; locale: string; tokenHash: string; tokenExpiresAt: Date; quotaKey?: string | null }): Promise<ChatSession> {
    const customer = session.identity.kind === 'customer' ? session.identity : null;
    const { rows } = await this.db.query<SessionRow>(
      `INSERT INTO support_chat_sessions (id, customer_id, customer_name, customer_email, locale, token_hash, token_expires_at, quota_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${columns}`,
      [session.id, customer?.customerId ?? null, customer?.name ?? null, customer?.email ?? null, session.locale, session.tokenHash, session.tokenExpiresAt, session.quotaKey ?? null],
    );
    const row = rows[0];
    if (!row) throw new Error('session insert returned no row');
    return toSession(row);
  }

  async findById(id: string): Promise<ChatSession | null> {
    const { rows } = await this.db.query<SessionRow>(`SELECT ${columns} FROM support_chat_sessions WHERE id = $1`, [id]);
    return rows[0] ? toSession(rows[0]) : null;
  }

  /**
   * The session, and whether `tokenHash` is its current token: one read for
   * a message's intake or a live socket's check of its token, which back up
   * the eviction of a rotated token's sockets (the broadcast may be lost).
   */
  async findWithToken(id: string, tokenHash: string): Promise<{ session: ChatSession; tokenCurrent: boolean } | null> {
    const { rows } = await this.db.query<SessionRow & { token_current: boolean }>(`SELECT ${columns}, token_hash = $2 AS token_current FROM support_chat_sessions WHERE id = $1`, [id, tokenHash]);
    const row = rows[0];
    return row ? { session: toSession(row), tokenCurrent: row.token_current } : null;
  }

  async findByTokenHash(tokenHash: string): Promise<ChatSession | null> {
    const { rows } = await this.db.query<SessionRow>(`SELECT ${columns} FROM support_chat_sessions WHERE token_hash = $1`, [tokenHash]);
    return rows[0] ? toSession(rows[0]) : null;
  }

  /**
   * Pushes the idle expiry forward if the token is still live at `now` (the
   * service's clock, the one that computed the expiry; never the database's
   * now()). Returns false when it already expired or was rotated away, in one
   * atomic statement.
   */
  async touchToken(sessionId: string, tokenHash: string, newExpiry: Date, now: Date): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE support_chat_sessions SET token_expires_at = $3, updated_at = now()
        WHERE id = $1 AND token_hash = $2 AND token_expires_at > $4 RETURNING id`,
      [sessionId, tokenHash, newExpiry, now],
    );
    return rows.length > 0;
  }

  /** Replaces the token; the old hash must still be current and live (no double rotation). */
  async rotateToken(sessionId: string, oldHash: string, newHash: string, newExpiry: Date, now: Date): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE support_chat_sessions SET token_hash = $3, token_expires_at = $4, updated_at = now()
        WHERE id = $1 AND token_hash = $2 AND token_expires_at > $5 RETURNING id`,
      [sessionId, oldHash, newHash, newExpiry, now],
    );
    return rows.length > 0;
  }

  /** A new token for an existing session (resume with a fresh host token). */
  async reissueToken(sessionId: string, newHash: string, newExpiry: Date): Promise<void> {
    await this.db.query(
      `UPDATE support_chat_sessions SET token_hash = $2, token_expires_at = $3, updated_at = now() WHERE id = $1`,
      [sessionId, newHash, newExpiry],
    );
  }

  /**
   * The customer's conversations that have at least one message, the most
   * recently active first (sessions opened and never used are left out: a
   * widget opens one on every page load). Only this customer's: the filter
   * is in the query.
   */
  async listForCustomer(customerId: string, limit: number): Promise<CustomerConversationRow[]> {
    const { rows } = await this.db.query<{
      id: string;
      status: SessionStatus;
      created_at: Date | string;
      last_message_at: Date | string;
      first_text: string | null;
    }>(
      `SELECT s.id, s.status, s.created_at, last.created_at AS last_message_at,
              (SELECT u.text FROM support_chat_messages u
                WHERE u.session_id = s.id AND u.role = 'user' ORDER BY u.seq LIMIT 1) AS first_text
         FROM support_chat_sessions s
         JOIN LATERAL (SELECT m.created_at FROM support_chat_messages m
                        WHERE m.session_id = s.id ORDER BY m.seq DESC LIMIT 1) AS last ON true
        WHERE s.customer_id = $1
        ORDER BY last.created_at DESC, s.created_at DESC, s.id DESC
        LIMIT $2`,
      [customerId, limit],
    );
    return rows.map((row) => ({
      sessionId: row.id,
      status: row.status,
      startedAt: new Date(row.created_at),
      lastMessageAt: new Date(row.last_message_at),
      firstCustomerText: row.first_text,
    }));
  }

  /** Stores the customer's training-consent answer with its time; returns that time. */
  async setTrainingConsent(sessionId: string, training: boolean): Promise<Date> {
    const { rows } = await this.db.query<{ at: Date | string }>(
      'UPDATE support_chat_sessions SET training_consent = $2, training_consent_at = now() WHERE id = $1 RETURNING training_consent_at AS at',
      [sessionId, training],
    );
    if (!rows[0]) throw new Error(`session ${sessionId} not found`);
    return new Date(rows[0].at);
  }

  async setStatus(sessionId: string, status: SessionStatus): Promise<void> {
    await this.db.query('UPDATE support_chat_sessions SET status = $2, updated_at = now() WHERE id = $1', [sessionId, status]);
  }
}
