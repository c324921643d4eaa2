import type { AgentConversation, AgentNote, Message, QueueEntry, TicketPriority } from '@support/protocol';
import { randomUUID } from 'node:crypto';
import { AGENT_DESK_CHANNEL, type SessionEventBus } from '../bus/session-event-bus.js';
import { MessageStore } from '../conversation/message-store.js';
import { AppError } from '../errors/app-error.js';
import type { Database, Queryable } from '../storage/database.js';
import type { HostDataAdapter } from '../tools/adapters/host-data-adapter.js';
import type { AgentAccount } from './agent-accounts.js';

interface QueueRow extends Record<string, unknown> {
  ticket_id: string;
  session_id: string;
  assigned_agent_id: string | null;
  assigned_name: string | null;
  priority: TicketPriority;
  created_at: Date | string;
  summary: string | null;
  subject: string;
  source: string;
  mode: 'live_agent' | 'ticket';
  customer_id: string | null;
  customer_name: string | null;
}

const OPEN = `t.status IN ('open', 'pending')`;
const QUEUE_SELECT = `SELECT t.id AS ticket_id, t.session_id, t.assigned_agent_id, a.name AS assigned_name, t.priority, t.created_at,
       t.summary, t.subject, t.source, t.mode, s.customer_id, s.customer_name
  FROM support_tickets t
  JOIN support_chat_sessions s ON s.id = t.session_id
  LEFT JOIN support_agents a ON a.id = t.assigned_agent_id`;
const PRIORITY_ORDER = `CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END`;
/** The queue shown at once; a desk with more open handoffs than this has other problems. */
const QUEUE_LIMIT = 500;

function toEntry(row: QueueRow): QueueEntry {
  return {
    sessionId: row.session_id,
    ticketId: row.ticket_id,
    status: row.assigned_agent_id ? 'assigned' : 'waiting',
    assignedTo: row.assigned_agent_id,
    assignedToName: row.assigned_name,
    priority: row.priority,
    waitingSince: new Date(row.created_at).toISOString(),
    summary: row.summary ?? row.subject,
    customer: row.customer_id ? { id: row.customer_id, name: row.customer_name ?? row.customer_id } : null,
    trigger: row.source,
    mode: row.mode,
    subject: row.subject,
  };
}

const notHolder = () => new AppError('not_holder', 'Claim this conversation first: only the agent who holds it may do that.', { status: 403 });
const nothingOpen = () => new AppError('no_open_handoff', 'Nothing in this conversation waits for an agent.', { status: 404 });

/**
 * The human side of a handoff: the queue of open handoffs, claiming one,
 * writing to the customer, internal notes, and ending it (resolved, or handed
 * back to the AI). Every change reaches the customer's sockets through the
 * session's channel and every agent socket through AGENT_DESK_CHANNEL, on any
 * node. Only the agent holding a conversation may act in it.
 */
export class AgentDesk {
  constructor(
    private readonly deps: {
      db: Database;
      bus: SessionEventBus;
      hostData: HostDataAdapter;
      onError: (error: unknown) => void;
    },
  ) {}

  async queue(): Promise<QueueEntry[]> {
    const { rows } = await this.deps.db.query<QueueRow>(`${QUEUE_SELECT} WHERE ${OPEN} ORDER BY ${PRIORITY_ORDER}, t.created_at LIMIT ${QUEUE_LIMIT}`);
    return rows.map(toEntry);
  }

  async entry(sessionId: string, db: Queryable = this.deps.db): Promise<QueueEntry | null> {
    const { rows } = await db.query<QueueRow>(`${QUEUE_SELECT} WHERE ${OPEN} AND t.session_id = $1`, [sessionId]);
    return rows[0] ? toEntry(rows[0]) : null;
  }

  /** The live chat that has waited for an agent longest, highest priority first; null when none waits. */
  async nextWaitingLiveChat(): Promise<string | null> {
    const { rows } = await this.deps.db.query<{ session_id: string }>(
      `SELECT t.session_id FROM support_tickets t
        WHERE t.status IN ('open', 'pending') AND t.assigned_agent_id IS NULL AND t.mode = 'live_agent'
        ORDER BY ${PRIORITY_ORDER}, t.created_at LIMIT 1`,
    );
    return rows[0]?.session_id ?? null;
  }

  /** Tells every agent socket, on every node, that the queue changed. */
  async announce(sessionId: string): Promise<void> {
    const entry = await this.entry(sessionId);
    this.deps.bus.publish(AGENT_DESK_CHANNEL, entry ? { type: 'desk_queue_updated', entry } : { type: 'desk_queue_updated', removedSessionId: sessionId });
  }

  /** What an agent sees of a conversation that was handed over (now or before). */
  async conversation(sessionId: string): Promise<AgentConversation> {
    const { db } = this.deps;
    const session = (
      await db.query<{ id: string; status: string; customer_id: string | null; customer_name: string | null; customer_email: string | null }>(
        'SELECT id, status, customer_id, customer_name, customer_email FROM support_chat_sessions WHERE id = $1',
        [sessionId],
      )
    ).rows[0];
    const ticket = (
      await db.query<{
        id: string;
        status: string;
        priority: TicketPriority;
        source: string;
        subject: string;
        reason: string | null;
        category: string | null;
        mode: 'live_agent' | 'ticket';
        assigned_agent_id: string | null;
        summary: string | null;
        created_at: Date | string;
      }>(
        `SELECT id, status, priority, source, subject, reason, category, mode, assigned_agent_id, summary, created_at
           FROM support_tickets WHERE session_id = $1 ORDER BY (status IN ('open', 'pending')) DESC, created_at DESC LIMIT 1`,
        [sessionId],
      )
    ).rows[0];
    // Agents see conversations that were handed to people, not every chat the AI had.
    if (!session || !ticket) throw new AppError('not_found', 'There is no handed-over conversation with that id.', { status: 404 });
    const [messages, notes, customer] = await Promise.all([new MessageStore(db).list(sessionId), this.notes(sessionId), this.customerView(session)]);
    return {
      sessionId,
      status: session.status,
      messages,
      ticket: {
        id: ticket.id,
        status: ticket.status,
        priority: ticket.priority,
        source: ticket.source,
        subject: ticket.subject,
        reason: ticket.reason,
        category: ticket.category,
        mode: ticket.mode,
        assignedTo: ticket.assigned_agent_id,
        createdAt: new Date(ticket.created_at).toISOString(),
      },
      summary: ticket.summary ?? ticket.subject,
      notes,
      ...customer,
    };
  }

  private async customerView(session: { customer_id: string | null; customer_name: string | null; customer_email: string | null }): Promise<Pick<AgentConversation, 'customer' | 'bookings'>> {
    if (!session.customer_id) return { customer: null, bookings: [] };
    const customerId = session.customer_id;
    // The host's systems may be down: the agent still gets the conversation, without the profile.
    const [profile, bookings] = await Promise.all([
      this.deps.hostData.getCustomerProfile(customerId).catch((error: unknown) => (this.deps.onError(error), null)),
      this.deps.hostData.listCustomerBookings(customerId).catch((error: unknown) => (this.deps.onError(error), [])),
    ]);
    return {
      customer: { id: customerId, name: profile?.name ?? session.customer_name ?? customerId, email: session.customer_email, tier: profile?.tier ?? null },
      bookings: bookings.map((booking) => ({ reference: booking.reference, kind: booking.kind, status: booking.status, title: booking.summary, startDate: booking.startDate })),
    };
  }

  private async notes(sessionId: string): Promise<AgentNote[]> {
    const { rows } = await this.deps.db.query<{ id: string; text: string; created_at: Date | string; agent_id: string; agent_name: string }>(
      `SELECT n.id, n.text, n.created_at, n.agent_id, a.name AS agent_name
         FROM support_agent_notes n JOIN support_agents a ON a.id = n.agent_id
        WHERE n.session_id = $1 ORDER BY n.created_at LIMIT 500`,
      [sessionId],
    );
    return rows.map((row) => ({ id: row.id, text: row.text, createdAt: new Date(row.created_at).toISOString(), agent: { id: row.agent_id, name: row.agent_name } }));
  }

  /**
   * Takes the conversation (by hand, or by auto-assignment). The first agent
   * to take a handoff joins it: the customer gets `agent_joined` and a notice
   * in the transcript, once per handoff. Taking it again is a no-op; another
   * agent's conversation is refused with 409.
   */
  async claim(agent: Pick<AgentAccount, 'id' | 'name'>, sessionId: string): Promise<QueueEntry> {
    const { db, bus } = this.deps;
    const { joined, entry } = await db.transaction(async (tx) => {
      const ticket = await this.lockOpenTicket(tx, sessionId);
      if (ticket.assigned_agent_id && ticket.assigned_agent_id !== agent.id) {
        throw new AppError('already_claimed', 'Another agent holds this conversation.', { status: 409 });
      }
      let notice: Message | null = null;
      if (!ticket.assigned_agent_id) {
        await tx.query(`UPDATE support_tickets SET assigned_agent_id = $2, assigned_at = now(), updated_at = now() WHERE id = $1`, [ticket.id, agent.id]);
        notice = await new MessageStore(tx).insertReply(sessionId, { role: 'system', kind: 'agent_joined', agentId: agent.id, text: `${agent.name} from our support team joined the chat.` });
      }
      return { joined: notice, entry: await this.entry(sessionId, tx) };
    });
    if (!entry) throw nothingOpen();
    if (joined) {
      bus.publish(sessionId, { type: 'agent_joined', agentName: agent.name });
      bus.publish(sessionId, { type: 'message', message: joined });
    }
    bus.publish(AGENT_DESK_CHANNEL, { type: 'desk_queue_updated', entry });
    return entry;
  }

  /** The holder writes to the customer: stored, then on the customer's sockets. */
  async postMessage(agent: Pick<AgentAccount, 'id'>, sessionId: string, text: string): Promise<Message> {
    const body = checkedText(text, 4000);
    const message = await this.deps.db.transaction(async (tx) => {
      await this.lockHeldTicket(tx, sessionId, agent.id);
      return new MessageStore(tx).insertReply(sessionId, { role: 'agent', agentId: agent.id, text: body });
    });
    if (!message) throw new Error('agent message insert returned no row');
    this.deps.bus.publish(sessionId, { type: 'message', message });
    return message;
  }

  async addNote(agent: Pick<AgentAccount, 'id' | 'name'>, sessionId: string, text: string): Promise<AgentNote> {
    const body = checkedText(text, 4000);
    return this.deps.db.transaction(async (tx) => {
      const ticket = await this.lockHeldTicket(tx, sessionId, agent.id);
      const id = `note_${randomUUID().replace(/-/g, '')}`;
      const { rows } = await tx.query<{ created_at: Date | string }>(
        'INSERT INTO support_agent_notes (id, session_id, ticket_id, agent_id, text) VALUES ($1, $2, $3, $4, $5) RETURNING created_at',
        [id, sessionId, ticket.id, agent.id, body],
      );
      return { id, text: body, createdAt: new Date(rows[0]?.created_at ?? Date.now()).toISOString(), agent: { id: agent.id, name: agent.name } };
    });
  }

  /**
   * Ends the handoff: resolved (the customer's issue is dealt with) or handed
   * back (the AI can go on). Either way the AI owns the conversation again and
   * answers the next message; the customer is told in a system message.
   */
  async finish(agent: Pick<AgentAccount, 'id' | 'name'>, sessionId: string, how: 'resolved' | 'handed_back'): Promise<void> {
    const { db, bus } = this.deps;
    const notice = await db.transaction(async (tx) => {
      const ticket = await this.lockHeldTicket(tx, sessionId, agent.id);
      await tx.query(
        `UPDATE support_tickets SET status = $2, resolution = $3, resolved_at = now(), resolved_by = $4, updated_at = now() WHERE id = $1`,
        [ticket.id, how === 'resolved' ? 'solved' : 'closed', how, agent.id],
      );
      await tx.query(`UPDATE support_chat_sessions SET status = 'ai', updated_at = now() WHERE id = $1`, [sessionId]);
      const text =
        how === 'resolved'
          ? `${agent.name} marked this conversation as resolved. If you need anything else, just write here: the assistant is back, and you can ask for a person again at any time.`
          : `${agent.name} handed the conversation back to the assistant, which will answer your next message. You can ask for a person again at any time.`;
      return new MessageStore(tx).insertReply(sessionId, { role: 'system', kind: how, agentId: agent.id, text });
    });
    if (notice) bus.publish(sessionId, { type: 'message', message: notice });
    bus.publish(AGENT_DESK_CHANNEL, { type: 'desk_queue_updated', removedSessionId: sessionId });
  }

  /** A customer wrote in a handed-over conversation: its holder's sockets show it at once. */
  async customerMessage(sessionId: string, message: Message): Promise<void> {
    try {
      const { rows } = await this.deps.db.query<{ assigned_agent_id: string | null }>(
        `SELECT t.assigned_agent_id FROM support_tickets t WHERE t.session_id = $1 AND ${OPEN}`,
        [sessionId],
      );
      this.deps.bus.publish(AGENT_DESK_CHANNEL, { type: 'desk_customer_message', sessionId, assignedTo: rows[0]?.assigned_agent_id ?? null, message });
    } catch (error) {
      // Stored and acknowledged already: whoever opens the conversation reads it there.
      this.deps.onError(error);
    }
  }

  /** Whether this agent holds the conversation now (typing indicators, the socket's live messages). */
  async holds(agentId: string, sessionId: string): Promise<boolean> {
    const { rows } = await this.deps.db.query(`SELECT 1 FROM support_tickets t WHERE t.session_id = $1 AND ${OPEN} AND t.assigned_agent_id = $2`, [sessionId, agentId]);
    return rows.length > 0;
  }

  private async lockOpenTicket(tx: Queryable, sessionId: string): Promise<{ id: string; assigned_agent_id: string | null }> {
    const { rows } = await tx.query<{ id: string; assigned_agent_id: string | null }>(
      `SELECT t.id, t.assigned_agent_id FROM support_tickets t WHERE t.session_id = $1 AND ${OPEN} FOR UPDATE`,
      [sessionId],
    );
    const ticket = rows[0];
    if (!ticket) throw nothingOpen();
    return ticket;
  }

  private async lockHeldTicket(tx: Queryable, sessionId: string, agentId: string): Promise<{ id: string }> {
    const ticket = await this.lockOpenTicket(tx, sessionId);
    if (ticket.assigned_agent_id !== agentId) throw notHolder();
    return ticket;
  }
}

function checkedText(text: string, max: number): string {
  const body = text.trim();
  if (body === '') throw new AppError('invalid_request', 'The text is empty.');
  if (body.length > max) throw new AppError('too_long', `The text is longer than ${max} characters.`);
  return body;
}
