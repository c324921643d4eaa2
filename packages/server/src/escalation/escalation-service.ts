import type { Message } from '@support/protocol';
import type { AgentDesk } from '../agents/agent-desk.js';
import type { HandoffPlan, HandoffRouting } from '../agents/handoff-routing.js';
import type { SessionEventBus } from '../bus/session-event-bus.js';
import type { ChatSession } from '../conversation/session-store.js';
import { MessageStore } from '../conversation/message-store.js';
import { newTicketId } from '../conversation/ids.js';
import { redactText } from '../guardrails/redaction.js';
import type { Database, Queryable } from '../storage/database.js';
import type { HostDataAdapter } from '../tools/adapters/host-data-adapter.js';
import { handoffPriority, summarizeHandoff } from './handoff-summary.js';

export type EscalationSource = 'customer_button' | 'explicit_request' | 'accepted_offer' | 'ai_tool' | 'repeated_failure' | 'negative_sentiment' | 'safety' | 'ai_disabled';

export interface EscalationRequest {
  source: EscalationSource;
  reason?: string | undefined;
  subject?: string | undefined;
  /** When a customer message caused it: the handoff notice is that message's reply (default: the oldest message awaiting one). */
  replyToId?: string | undefined;
}

export interface EscalationOutcome {
  ticketId: string;
  mode: 'live_agent' | 'ticket';
  created: boolean;
  /** Whether `escalated` went to the session's connections; false when it already stood escalated. */
  announced: boolean;
}

/** Without routing (no agent desk wired): every handoff is a ticket. */
const TICKET_ONLY: HandoffPlan = {
  mode: 'ticket',
  assignee: null,
  notice: (ticketId) => `You're being connected to our support team. Your ticket number is ${ticketId}. An agent will reply here as soon as possible, and you can keep writing in the meantime.`,
};

/**
 * Hands a conversation to humans: one open ticket per conversation (asking
 * twice returns the same ticket), with a priority, a category and a summary
 * for the agent; the session switched to "escalated" so the AI stops
 * answering (what waited for an AI reply is dropped in the same transaction);
 * one handoff notice in the transcript, whatever triggered it; `escalated` to
 * the customer's connections; the queue told; and, when an agent is free, the
 * conversation assigned to them at once.
 */
export class EscalationService {
  constructor(
    private readonly deps: {
      db: Database;
      bus: SessionEventBus;
      routing?: HandoffRouting;
      desk?: AgentDesk;
      /** The customer's tier sets the priority (and the profile names them); the host may be down, and the handoff goes on without it. */
      hostData?: HostDataAdapter;
      /** After a new ticket is stored: notify the team (a background job). */
      onTicketCreated?: (ticket: { ticketId: string; sessionId: string; customerId: string | null; subject: string; source: EscalationSource; mode: 'live_agent' | 'ticket' }) => Promise<void>;
      onError?: (error: unknown) => void;
    },
  ) {}

  async escalate(session: ChatSession, request: EscalationRequest): Promise<EscalationOutcome> {
    const customerId = session.identity.kind === 'customer' ? session.identity.customerId : null;
    const [plan, profile] = await Promise.all([this.deps.routing?.plan() ?? TICKET_ONLY, this.profileOf(customerId)]);
    const subject = (request.subject ?? 'Chat handoff').slice(0, 200);
    const { outcome, notice } = await this.deps.db.transaction(async (tx) => {
      // Row lock: two escalations of one session at once produce one ticket, and a reply being stored waits.
      const locked = await tx.query<{ status: string }>('SELECT status FROM support_chat_sessions WHERE id = $1 FOR UPDATE', [session.id]);
      const open = await tx.query<{ id: string; mode: 'live_agent' | 'ticket' }>(`SELECT id, mode FROM support_tickets WHERE session_id = $1 AND status IN ('open', 'pending')`, [session.id]);
      const existing = open.rows[0];
      if (existing) {
        // Asking again is not news: only a session that was not yet marked escalated is announced.
        const announced = locked.rows[0]?.status !== 'escalated';
        if (announced) await tx.query(`UPDATE support_chat_sessions SET status = 'escalated', updated_at = now() WHERE id = $1`, [session.id]);
        return { outcome: { ticketId: existing.id, mode: existing.mode, created: false, announced }, notice: null };
      }

      // What waited for the AI will not get its answer: a human owns the conversation now.
      const waiting = await tx.query<{ message_id: string }>(
        `SELECT p.message_id FROM support_pending_replies p JOIN support_chat_messages m ON m.id = p.message_id WHERE p.session_id = $1 ORDER BY m.seq LIMIT 1`,
        [session.id],
      );
      await tx.query('DELETE FROM support_pending_replies WHERE session_id = $1', [session.id]);
      const messages = new MessageStore(tx);
      const transcript = await messages.list(session.id);
      const ticketId = newTicketId();
      await tx.query(
        `INSERT INTO support_tickets (id, session_id, customer_id, source, reason, subject, mode, priority, summary, category)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          ticketId,
          session.id,
          customerId,
          request.source,
          // The customer's words outside the transcript are redacted, like every other copy.
          request.reason ? redactText(request.reason).slice(0, 1000) : null,
          redactText(subject),
          plan.mode,
          handoffPriority(request.source, profile?.tier ?? null),
          summarizeHandoff(transcript, request.source),
          await categoryOf(tx, transcript),
        ],
      );
      // The agent's queue names the customer: the host's profile fills in a name the token did not carry.
      await tx.query(`UPDATE support_chat_sessions SET status = 'escalated', customer_name = coalesce(customer_name, $2), updated_at = now() WHERE id = $1`, [
        session.id,
        profile?.name ?? null,
      ]);
      const notice: Message | null = await messages.insertReply(session.id, {
        role: 'system',
        kind: 'handoff',
        text: plan.notice(ticketId),
        replyToId: request.replyToId ?? waiting.rows[0]?.message_id ?? null,
      });
      return { outcome: { ticketId, mode: plan.mode, created: true, announced: true }, notice };
    });
    if (outcome.announced) this.deps.bus.publish(session.id, { type: 'escalated', ticketId: outcome.ticketId, mode: outcome.mode });
    if (notice) this.deps.bus.publish(session.id, { type: 'message', message: notice });
    if (outcome.created) await this.afterCreated(session, outcome, plan, customerId, subject, request.source);
    return outcome;
  }

  /** The queue hears of it, a free agent gets it, the team is notified; none of which may undo the handoff. */
  private async afterCreated(session: ChatSession, outcome: EscalationOutcome, plan: HandoffPlan, customerId: string | null, subject: string, source: EscalationSource): Promise<void> {
    const report = (error: unknown) => this.deps.onError?.(error);
    const { desk } = this.deps;
    if (desk) {
      // Assigning announces the assigned entry; only when nobody takes it at once is the waiting one announced.
      const assigned = plan.assignee
        ? await desk.claim(plan.assignee, session.id).then(
            () => true,
            (error: unknown) => (report(error), false),
          )
        : false;
      if (!assigned) await desk.announce(session.id).catch(report);
    }
    if (this.deps.onTicketCreated) {
      await this.deps.onTicketCreated({ ticketId: outcome.ticketId, sessionId: session.id, customerId, subject, source, mode: outcome.mode }).catch(report);
    }
  }

  private async profileOf(customerId: string | null): Promise<{ name: string; tier: string } | null> {
    if (!customerId || !this.deps.hostData) return null;
    try {
      return await this.deps.hostData.getCustomerProfile(customerId);
    } catch (error) {
      this.deps.onError?.(error);
      return null;
    }
  }

  /** The session's open handoff: its ticket and whether it is a live chat or a ticket answered later. */
  async openTicketOf(sessionId: string): Promise<{ id: string; mode: 'live_agent' | 'ticket' } | null> {
    const { rows } = await this.deps.db.query<{ id: string; mode: 'live_agent' | 'ticket' }>(
      `SELECT id, mode FROM support_tickets WHERE session_id = $1 AND status IN ('open', 'pending') ORDER BY created_at DESC LIMIT 1`,
      [sessionId],
    );
    return rows[0] ?? null;
  }
}

/** The help-centre category of the article the assistant cited last: what the conversation was about. */
async function categoryOf(tx: Queryable, transcript: readonly Message[]): Promise<string | null> {
  const cited = [...transcript].reverse().flatMap((message) => message.citations.map((citation) => citation.articleId))[0];
  if (!cited) return null;
  const { rows } = await tx.query<{ category: string | null }>('SELECT category FROM kb_articles WHERE id = $1', [cited]);
  return rows[0]?.category ?? null;
}
