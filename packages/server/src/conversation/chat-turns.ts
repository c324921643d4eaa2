import type { Message, ServerEvent } from '@support/protocol';
import type { AssistantReplies } from '../ai/assistant-replies.js';
import type { SessionEventBus } from '../bus/session-event-bus.js';
import { AppError } from '../errors/app-error.js';
import type { EscalationService } from '../escalation/escalation-service.js';
import { detectEscalationTrigger } from '../escalation/triggers.js';
import type { RateLimits } from '../guardrails/rate-limits.js';
import { newMessageId } from './ids.js';
import { KeyedSerialQueue } from './keyed-serial-queue.js';
import type { MessageStore } from './message-store.js';
import type { ChatSession, SessionStore } from './session-store.js';

/** Messages per page of a resume replay. */
export const RESUME_PAGE_SIZE = 50;

/** Sends an event to the one connection that asked (acks, errors, replays). */
export type ReplyToSender = (event: ServerEvent) => void;

/**
 * What happens to each customer event, whatever edge it arrived on. Routing
 * is here: after escalation customer messages go to humans, an explicit
 * request for a person escalates before any model runs, everything else gets
 * an AI reply. Replies reach the session's connections through the bus.
 */
export class ChatTurns {
  /** Message intake, per session: quick, and in arrival order. */
  private readonly intake = new KeyedSerialQueue();
  /** AI replies, per session: one at a time, each seeing the one before it. */
  private readonly queue = new KeyedSerialQueue();
  /** User message ids whose reply this node is producing right now. */
  private readonly inFlight = new Set<string>();
  /** Resolved when the last running reply ends (graceful shutdown waits on it). */
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly deps: {
      sessions: SessionStore;
      messages: MessageStore;
      escalation: EscalationService;
      assistant: AssistantReplies;
      bus: SessionEventBus;
      maxMessageChars: number;
      rateLimits: RateLimits;
      messagesPerMinute: number;
      /** Consecutive failed replies that hand the conversation over; 0 never. */
      escalateAfterFailedReplies: number;
    },
  ) {}

  /**
   * Stores, acks and routes a message; resolves once that is done, with the
   * reply (if any) still running. Intake runs one message at a time per
   * session, so replies are queued in the order messages were accepted.
   */
  acceptMessage(sessionId: string, event: { clientMessageId: string; text: string }, toSender: ReplyToSender): Promise<{ reply: Promise<void> }> {
    return this.intake.run(sessionId, () => this.accept(sessionId, event, toSender));
  }

  private async accept(sessionId: string, event: { clientMessageId: string; text: string }, toSender: ReplyToSender): Promise<{ reply: Promise<void> }> {
    const none = { reply: Promise.resolve() };
    const text = event.text.trim();
    if (text === '') throw new AppError('invalid_message', 'The message text is empty.');
    if (text.length > this.deps.maxMessageChars) {
      throw new AppError('too_long', `The message is longer than ${this.deps.maxMessageChars} characters.`);
    }
    const session = await this.currentSession(sessionId);
    if (session.status === 'closed') throw new AppError('session_closed', 'This conversation is closed; start a new one.');
    const verdict = await this.deps.rateLimits.consume('messages', { points: this.deps.messagesPerMinute, durationSeconds: 60 }, session.id);
    if (!verdict.allowed) {
      throw new AppError('rate_limited', `Too many messages; please wait ${Math.ceil(verdict.retryAfterMs / 1000)} s.`, { status: 429, retryable: true });
    }

    const { message, created } = await this.deps.messages.insertUserMessage(session.id, event.clientMessageId, text);
    toSender({ type: 'ack', clientMessageId: event.clientMessageId, messageId: message.id });

    if (!created) {
      // A retry: answer it once. Replay the stored reply, or let the running one finish.
      const existingReply = await this.deps.messages.findReplyTo(message.id);
      if (existingReply) {
        toSender({ type: 'message', message: existingReply });
        return none;
      }
      if (this.inFlight.has(message.id) || session.status !== 'ai') return none;
    }

    if (session.status === 'escalated') return none; // A human owns the conversation now.

    if (detectEscalationTrigger(text)) {
      const outcome = await this.deps.escalation.escalate(session, { source: 'explicit_request', reason: text, replyToId: message.id });
      if (!outcome.announced) toSender({ type: 'escalated', ticketId: outcome.ticketId, mode: outcome.mode });
      return none;
    }
    const reply = this.answerWithAi(session, message);
    // Awaited by sendMessage once intake lets go; this keeps an early failure from counting as unhandled.
    reply.catch(() => {});
    return { reply };
  }

  private answerWithAi(session: ChatSession, question: Message): Promise<void> {
    this.inFlight.add(question.id);
    return this.queue
      .run(session.id, async () => {
        const history = await this.deps.messages.list(session.id);
        const upToQuestion = history.slice(0, history.findIndex((message) => message.id === question.id) + 1);
        const replyId = newMessageId();
        this.deps.bus.publish(session.id, { type: 'typing', role: 'assistant' });
        const reply = await this.deps.assistant.reply({
          sessionId: session.id,
          identity: session.identity,
          locale: session.locale,
          history: upToQuestion.length > 0 ? upToQuestion : [question],
          replyMessageId: replyId,
          onTextDelta: (delta) => this.deps.bus.publish(session.id, { type: 'message_delta', messageId: replyId, delta }),
        });
        const stored = await this.deps.messages.insertReply(session.id, {
          id: replyId,
          role: 'assistant',
          text: reply.text,
          citations: reply.citations,
          replyToId: question.id,
          outcome: reply.outcome,
        });
        // Null: another node answered this message first; its reply already went out.
        if (!stored) return;
        this.deps.bus.publish(session.id, { type: 'message', message: stored });
        if (reply.outcome !== 'answered') await this.escalateIfStuck(session);
      })
      .finally(() => {
        this.inFlight.delete(question.id);
        if (this.inFlight.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
  }

  /** Replies this node is producing right now. */
  get runningReplies(): number {
    return this.inFlight.size;
  }

  /**
   * Resolves true once no reply is running on this node, or false after
   * `timeoutMs` (graceful shutdown: running replies finish and are stored,
   * for the customer to get on whichever node they reconnect to).
   */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * The repeated-failure trigger: after this many "don't know" or failed
   * replies in a row the assistant is not helping, and a person takes over.
   */
  private async escalateIfStuck(session: ChatSession): Promise<void> {
    const limit = this.deps.escalateAfterFailedReplies;
    if (limit <= 0) return;
    const failures = await this.deps.messages.consecutiveAssistantOutcomes(session.id, ['dont_know', 'fallback'], limit);
    if (failures < limit) return;
    await this.deps.escalation.escalate(session, {
      source: 'repeated_failure',
      reason: `The assistant could not help ${failures} times in a row.`,
      subject: 'The assistant could not answer',
    });
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
    if (!(await this.deps.messages.rate(sessionId, event.messageId, event.rating))) {
      throw new AppError('not_found', 'There is no assistant or agent message with that id in this conversation.');
    }
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
      for (const message of page) toSender({ type: 'message', message });
      if (page.length < RESUME_PAGE_SIZE) return;
      cursor = page[page.length - 1]?.id;
      if (!(await drained())) return;
    }
  }

  async state(sessionId: string): Promise<ServerEvent> {
    const session = await this.currentSession(sessionId);
    return {
      type: 'session_state',
      sessionId: session.id,
      status: session.status,
      ticketId: session.status === 'escalated' ? await this.deps.escalation.openTicketOf(session.id) : null,
    };
  }

  private async currentSession(sessionId: string): Promise<ChatSession> {
    const session = await this.deps.sessions.findById(sessionId);
    if (!session) throw new AppError('not_found', 'The conversation no longer exists.', { status: 404 });
    return session;
  }
}
