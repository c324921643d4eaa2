import type { Message } from '@support/protocol';
import type { SessionEventBus } from '../bus/session-event-bus.js';
import type { ChatSession } from '../conversation/session-store.js';
import { MessageStore } from '../conversation/message-store.js';
import { newTicketId } from '../conversation/ids.js';
import type { Database } from '../storage/database.js';

export type EscalationSource = 'customer_button' | 'explicit_request' | 'ai_tool' | 'repeated_failure';

export interface EscalationRequest {
  source: EscalationSource;
  reason?: string | undefined;
  subject?: string | undefined;
  /** When a customer message caused it: the handoff notice is that message's reply. */
  replyToId?: string | undefined;
  /** Write the handoff notice into the transcript (off when the AI's own reply already says it). */
  notice?: boolean;
}

export interface EscalationOutcome {
  ticketId: string;
  mode: 'live_agent' | 'ticket';
  created: boolean;
  /** Whether `escalated` went to the session's connections; false when it already stood escalated. */
  announced: boolean;
}

/**
 * Hands a conversation to humans: one open ticket per conversation (asking
 * twice returns the same ticket), the session switched to "escalated" so
 * customer messages stop going to the AI, a notice in the transcript, and the
 * `escalated` event to the customer's connections.
 */
export class EscalationService {
  constructor(
    private readonly deps: {
      db: Database;
      bus: SessionEventBus;
      /** After a new ticket is stored: notify the team (a background job). */
      onTicketCreated?: (ticket: { ticketId: string; sessionId: string; customerId: string | null; subject: string; source: EscalationSource }) => Promise<void>;
      onError?: (error: unknown) => void;
    },
  ) {}

  async escalate(session: ChatSession, request: EscalationRequest): Promise<EscalationOutcome> {
    // Until the agent console tracks who is online, every handoff becomes a ticket that agents pick up.
    const mode = 'ticket' as const;
    const { outcome, notice } = await this.deps.db.transaction(async (tx) => {
      // Row lock: two escalations of one session at once produce one ticket.
      const locked = await tx.query<{ status: string }>('SELECT status FROM support_chat_sessions WHERE id = $1 FOR UPDATE', [session.id]);
      const open = await tx.query<{ id: string }>(
        `SELECT id FROM support_tickets WHERE session_id = $1 AND status IN ('open', 'pending')`,
        [session.id],
      );
      const existing = open.rows[0];
      if (existing) {
        // Asking again is not news: only a session that was not yet marked escalated is announced.
        const announced = locked.rows[0]?.status !== 'escalated';
        if (announced) await tx.query(`UPDATE support_chat_sessions SET status = 'escalated', updated_at = now() WHERE id = $1`, [session.id]);
        return { outcome: { ticketId: existing.id, mode, created: false, announced }, notice: null };
      }

      const ticketId = newTicketId();
      const customerId = session.identity.kind === 'customer' ? session.identity.customerId : null;
      await tx.query(
        `INSERT INTO support_tickets (id, session_id, customer_id, source, reason, subject)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [ticketId, session.id, customerId, request.source, request.reason?.slice(0, 1000) ?? null, (request.subject ?? 'Chat handoff').slice(0, 200)],
      );
      await tx.query(`UPDATE support_chat_sessions SET status = 'escalated', updated_at = now() WHERE id = $1`, [session.id]);
      const notice: Message | null =
        request.notice === false
          ? null
          : await new MessageStore(tx).insertReply(session.id, {
              role: 'system',
              text: `You're being connected to our support team. Your ticket number is ${ticketId}. An agent will reply here as soon as possible, and you can keep writing in the meantime.`,
              replyToId: request.replyToId ?? null,
            });
      return { outcome: { ticketId, mode, created: true, announced: true }, notice };
    });
    if (outcome.announced) this.deps.bus.publish(session.id, { type: 'escalated', ticketId: outcome.ticketId, mode: outcome.mode });
    if (outcome.created && this.deps.onTicketCreated) {
      const customerId = session.identity.kind === 'customer' ? session.identity.customerId : null;
      await this.deps
        .onTicketCreated({ ticketId: outcome.ticketId, sessionId: session.id, customerId, subject: request.subject ?? 'Chat handoff', source: request.source })
        .catch((error: unknown) => this.deps.onError?.(error));
    }
    if (notice) this.deps.bus.publish(session.id, { type: 'message', message: notice });
    return outcome;
  }

  async openTicketOf(sessionId: string): Promise<string | null> {
    const { rows } = await this.deps.db.query<{ id: string }>(
      `SELECT id FROM support_tickets WHERE session_id = $1 AND status IN ('open', 'pending') ORDER BY created_at DESC LIMIT 1`,
      [sessionId],
    );
    return rows[0]?.id ?? null;
  }
}
