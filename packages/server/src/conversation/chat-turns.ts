import type { ServerEvent } from '@support/protocol';
import type { AgentDesk } from '../agents/agent-desk.js';
import { AppError } from '../errors/app-error.js';
import type { EscalationService } from '../escalation/escalation-service.js';
import type { RateLimits } from '../guardrails/rate-limits.js';
import { recordGuardrailDecision } from '../guardrails/decision-log.js';
import { guardrailReply } from '../guardrails/guardrail-replies.js';
import type { GuardrailPolicyStore } from '../guardrails/policy-store.js';
import type { TokenUsageStore } from '../guardrails/token-usage.js';
import type { ServiceMetrics } from '../observability/service-metrics.js';
import type { SessionEventBus } from '../bus/session-event-bus.js';
import { detectEscalationTrigger } from '../escalation/triggers.js';
import type { Database } from '../storage/database.js';
import { KeyedSerialQueue } from './keyed-serial-queue.js';
import type { MessageStore } from './message-store.js';
import { PendingReplies } from './pending-replies.js';
import type { ReplyWorker } from './reply-worker.js';
import type { ChatSession, SessionStore } from './session-store.js';

/** Messages per page of a resume replay. */
export const RESUME_PAGE_SIZE = 50;

/** Sends an event to the one connection that asked (acks, errors, replays). */
export type ReplyToSender = (event: ServerEvent) => void;

/**
 * What happens to each customer event, whatever edge it arrived on. A
 * message in a conversation the AI owns is stored together with the record
 * that it awaits a reply (support_pending_replies), acknowledged, and handed
 * to the ReplyWorker, which routes it (a request for a person escalates before
 * any model runs) and answers it, on this node or, if this one dies, another.
 * After escalation customer messages go to humans. Replies reach the
 * session's connections through the bus.
 */
export class ChatTurns {
  /** Message intake, per session: quick, and in arrival order. */
  private readonly intake = new KeyedSerialQueue();
  private readonly pending: PendingReplies;

  constructor(
    private readonly deps: {
      db: Database;
      sessions: SessionStore;
      messages: MessageStore;
      escalation: EscalationService;
      worker: ReplyWorker;
      /** Where a customer's messages in a handed-over conversation go (the holder's agent sockets). */
      desk?: AgentDesk;
      maxMessageChars: number;
      rateLimits: RateLimits;
      messagesPerMinute: number;
      /** The conversation and daily token limits (guardrail policy) and the day's token counts. */
      policies: GuardrailPolicyStore;
      tokenUsage: TokenUsageStore;
      metrics?: Pick<ServiceMetrics, 'rating' | 'guardrailDecision'>;
      /** Tells every socket of a session (on any node) what changed: the consent answer. */
      bus: Pick<SessionEventBus, 'publish'>;
    },
  ) {
    this.pending = new PendingReplies(deps.db);
  }

  /**
   * Stores, acks and routes a message; resolves once that is done, with the
   * reply (if any) still being written. Intake runs one message at a time per
   * session, so replies follow the order messages were accepted in.
   */
  acceptMessage(sessionId: string, event: { clientMessageId: string; text: string }, toSender: ReplyToSender, tokenHash?: string): Promise<void> {
    return this.intake.run(sessionId, () => this.accept(sessionId, event, toSender, tokenHash));
  }

  /** `tokenHash`: the sender's token, checked in the same read as the session (token_replaced when rotated away). */
  private async accept(sessionId: string, event: { clientMessageId: string; text: string }, toSender: ReplyToSender, tokenHash: string | undefined): Promise<void> {
    const text = event.text.trim();
    if (text === '') throw new AppError('invalid_message', 'The message text is empty.');
    if (text.length > this.deps.maxMessageChars) {
      throw new AppError('too_long', `The message is longer than ${this.deps.maxMessageChars} characters.`);
    }
    const session = await this.currentSession(sessionId, tokenHash);
    if (session.status === 'closed') throw new AppError('session_closed', 'This conversation is closed; start a new one.');
    const verdict = await this.deps.rateLimits.consume('messages', { points: this.deps.messagesPerMinute, durationSeconds: 60 }, session.id);
    if (!verdict.allowed) {
      throw new AppError('rate_limited', `Too many messages; please wait ${Math.ceil(verdict.retryAfterMs / 1000)} s.`, { status: 429, retryable: true });
    }

    if (session.status === 'ai') await this.checkLimits(session, event.clientMessageId, text);

    // The message and the record that it awaits a reply commit together: once acknowledged, it is answered
    // even if this node dies. A human owns an escalated conversation, so nothing awaits the AI there.
    const { message, created } = await this.deps.messages.insertUserMessage(session.id, event.clientMessageId, text, session.status === 'ai');
    toSender({ type: 'ack', clientMessageId: event.clientMessageId, messageId: message.id });
    // A person owns the conversation: the message is theirs to read, live.
    if (created && session.status === 'escalated') await this.deps.desk?.customerMessage(session.id, message);

    if (!created) {
      // A retry: answer it once. Replay the stored reply, or say that it is still being written.
      const existingReply = await this.deps.messages.findReplyTo(message.id);
      if (existingReply) {
        toSender({ type: 'message', message: existingReply });
        return;
      }
      if (!(await this.pending.isPending(message.id))) return;
      toSender({ type: 'typing', role: 'assistant', replyToMessageId: message.id });
    }
    // Also for a retry: if the node that was answering died, this node may take the session over now.
    if (session.status === 'ai') void this.deps.worker.kick(session.id);
  }

  /**
   * The conversation limit and the daily token cap, for a new message the AI
   * would answer. Refused with conversation_limit or quota_exceeded, whose
   * message offers a person; a message that asks for one is never refused
   * (it costs no model call), nor is the retry of a stored message, nor
   * anything after a handoff (people answer those).
   */
  private async checkLimits(session: ChatSession, clientMessageId: string, text: string): Promise<void> {
    const { limits } = await this.deps.policies.current();
    const cap = session.identity.kind === 'customer' ? limits.dailyTokensPerCustomer : limits.dailyTokensPerGuestIp;
    if (limits.maxTurnsPerConversation === 0 && (cap === 0 || !session.quotaKey)) return;
    if (detectEscalationTrigger(text) || (await this.deps.messages.hasClientMessage(session.id, clientMessageId))) return;
    if (limits.maxTurnsPerConversation > 0 && (await this.deps.messages.countCustomerMessages(session.id)) >= limits.maxTurnsPerConversation) {
      await this.refuse(session, 'conversation_limit', `maxTurnsPerConversation=${limits.maxTurnsPerConversation}`);
    }
    if (cap > 0 && session.quotaKey && (await this.deps.tokenUsage.usedToday(session.quotaKey)) >= cap) {
      await this.refuse(session, 'quota_exceeded', `${session.identity.kind === 'customer' ? 'dailyTokensPerCustomer' : 'dailyTokensPerGuestIp'}=${cap}`);
    }
  }

  private async refuse(session: ChatSession, code: 'conversation_limit' | 'quota_exceeded', rule: string): Promise<never> {
    await recordGuardrailDecision(this.deps.db, { sessionId: session.id, messageId: null, stage: 'limit', category: code, action: 'refused', rule });
    this.deps.metrics?.guardrailDecision({ stage: 'limit', category: code, action: 'refused' });
    throw new AppError(code, guardrailReply(code, session.locale), { status: 429 });
  }

  /**
   * The customer's answer to the training-consent question, stored with its
   * time; every socket of the session is told, so another tab does not ask
   * again. Only consenting conversations are ever exported for training.
   */
  async consent(sessionId: string, training: boolean): Promise<void> {
    const at = await this.deps.sessions.setTrainingConsent(sessionId, training);
    this.deps.bus.publish(sessionId, { type: 'consent_recorded', training, at: at.toISOString() });
  }

  /**
   * The end-of-chat rating (1-5, optional comment), one per conversation
   * (again: replaced), stored with whether a person had handled it by then,
   * so that the dashboard splits CSAT between the AI and the team.
   */
  async rateConversation(sessionId: string, score: number, comment: string | undefined): Promise<void> {
    const text = comment?.trim() ? comment.trim() : null;
    const { rows } = await this.deps.db.query<{ rated_at: Date | string }>(
      `INSERT INTO support_conversation_ratings (session_id, score, comment, handled_by)
       VALUES ($1, $2, $3, CASE WHEN EXISTS (SELECT 1 FROM support_chat_messages WHERE session_id = $1 AND role = 'agent') THEN 'human' ELSE 'ai' END)
       ON CONFLICT (session_id) DO UPDATE SET score = EXCLUDED.score, comment = EXCLUDED.comment, handled_by = EXCLUDED.handled_by, rated_at = now()
       RETURNING rated_at`,
      [sessionId, score, text],
    );
    this.deps.bus.publish(sessionId, { type: 'conversation_rated', score, at: new Date(rows[0]!.rated_at).toISOString() });
  }

  /**
   * The escalation button. Pressing it again changes nothing: the sender is
   * told where the conversation stands, and nothing is broadcast again.
   */
  async escalate(sessionId: string, reason: string | undefined, toSender: ReplyToSender): Promise<void> {
    const session = await this.currentSession(sessionId);
    if (session.status === 'closed') throw new AppError('session_closed', 'This conversation is closed; start a new one.');
    const outcome = await this.deps.escalation.escalate(session, { source: 'customer_button', reason: reason ?? 'Customer pressed the escalation button' });
    if (!outcome.announced) toSender({ type: 'escalated', ticketId: outcome.ticketId, mode: outcome.mode });
  }

  async feedback(sessionId: string, event: { messageId: string; rating: 'up' | 'down' }, toSender: ReplyToSender): Promise<void> {
    const role = await this.deps.messages.rate(sessionId, event.messageId, event.rating);
    if (!role) throw new AppError('not_found', 'There is no assistant or agent message with that id in this conversation.');
    this.deps.metrics?.rating(role, event.rating);
    toSender({ type: 'feedback_recorded', messageId: event.messageId, rating: event.rating });
  }

  /**
   * After a reconnect: every message after the one the client last saw (all
   * of them without an id), a page at a time. `drained` (the connection's
   * back-pressure) is awaited between pages, so a long transcript goes out as
   * fast as the client reads it and never piles up in memory; it answers
   * false when the connection is gone, and the replay stops there.
   */
  async resume(sessionId: string, afterMessageId: string | undefined, toSender: ReplyToSender, drained: () => Promise<boolean> = async () => true): Promise<void> {
    if (afterMessageId && !(await this.deps.messages.exists(sessionId, afterMessageId))) {
      throw new AppError('not_found', 'There is no message with that id in this conversation.');
    }
    let cursor = afterMessageId;
    for (;;) {
      const page = await this.deps.messages.list(sessionId, { ...(cursor ? { afterMessageId: cursor } : {}), limit: RESUME_PAGE_SIZE });
      for (const message of page) {
        // Offline when an agent joined: the event comes with its notice, as it would have live.
        if (message.kind === 'agent_joined' && message.authorName) toSender({ type: 'agent_joined', agentName: message.authorName });
        toSender({ type: 'message', message });
      }
      if (page.length < RESUME_PAGE_SIZE) break;
      cursor = page[page.length - 1]?.id;
      if (!(await drained())) return;
    }
    // Then what is still on its way: each acknowledged message whose reply is being written (or will be, by
    // whichever node takes it over) is named, so the client knows to wait rather than resend.
    for (const messageId of await this.pending.awaiting(sessionId)) toSender({ type: 'typing', role: 'assistant', replyToMessageId: messageId });
  }

  /** Where the session stands, for a connecting client: who answers and, when handed over, the ticket and its mode. */
  async state(sessionId: string): Promise<ServerEvent> {
    const session = await this.currentSession(sessionId);
    const ticket = session.status === 'escalated' ? await this.deps.escalation.openTicketOf(session.id) : null;
    return { type: 'session_state', sessionId: session.id, status: session.status, ticketId: ticket?.id ?? null, mode: ticket?.mode ?? null, trainingConsent: session.trainingConsent };
  }

  private async currentSession(sessionId: string, tokenHash?: string): Promise<ChatSession> {
    if (tokenHash === undefined) {
      const session = await this.deps.sessions.findById(sessionId);
      if (!session) throw new AppError('not_found', 'The conversation no longer exists.', { status: 404 });
      return session;
    }
    const found = await this.deps.sessions.findWithToken(sessionId, tokenHash);
    if (!found) throw new AppError('not_found', 'The conversation no longer exists.', { status: 404 });
    if (!found.tokenCurrent) throw new AppError('token_replaced', 'This token was replaced; reconnect with the current one.', { status: 401 });
    return found.session;
  }
}
