import { randomBytes } from 'node:crypto';
import type { Message } from '@support/protocol';
import { z } from 'zod';
import { PROVIDER_FAILURE_TEXT, type AssistantReplies, type Reply } from '../ai/assistant-replies.js';
import type { JobQueue } from '../bus/job-queue.js';
import type { SessionEventBus } from '../bus/session-event-bus.js';
import type { EscalationService } from '../escalation/escalation-service.js';
import type { HandoffTriggers } from '../escalation/handoff-triggers.js';
import { recordGuardrailDecision } from '../guardrails/decision-log.js';
import type { GuardrailPolicyStore } from '../guardrails/policy-store.js';
import { guardrailReply } from '../guardrails/guardrail-replies.js';
import type { InputGuard, InputPlan } from '../guardrails/input-guard.js';
import { ReplyModerator } from '../guardrails/output-moderation/reply-moderator.js';
import type { ProviderModeration } from '../guardrails/output-moderation/provider-moderation.js';
import type { TokenUsageStore } from '../guardrails/token-usage.js';
import type { AssistantSettingsStore } from '../settings/assistant-settings.js';
import type { ServiceMetrics } from '../observability/service-metrics.js';
import type { Database } from '../storage/database.js';
import { historyForReply } from './history-for-reply.js';
import { newMessageId } from './ids.js';
import { MessageStore } from './message-store.js';
import { PendingReplies, type PendingReply } from './pending-replies.js';
import type { ChatSession, SessionStore } from './session-store.js';

/** The background job that answers a session whose messages nobody is answering (its node died). */
export const ANSWER_PENDING_REPLIES = 'answer_pending_replies';
/** Starts on one message after which it gets the apology instead: a message that kills its node must not kill them all. */
export const MAX_REPLY_ATTEMPTS = 3;
/**
 * The messages a reply is written from, at most: the model sees the last 20 (assistant-replies.ts), the
 * handoff triggers the last few; a bounded read keeps a long conversation's turn as cheap as a short one's.
 */
export const REPLY_WINDOW_MESSAGES = 50;
/** Orphaned sessions handed out per sweep. */
const SWEEP_BATCH = 100;

const answerJobPayload = z.object({ sessionId: z.string().min(1) });

export interface ReplyWorkerDeps {
  db: Database;
  sessions: SessionStore;
  messages: MessageStore;
  escalation: EscalationService;
  assistant: AssistantReplies;
  bus: SessionEventBus;
  jobs: JobQueue;
  /** How long a session's lease lasts unless renewed: how soon a dead node's replies are taken over. */
  leaseMs: number;
  /**
   * The escalation settings in force (admin settings, read per message): the triggers read from the
   * customer's words (a request for a person, a yes to the offer of one, anger) and how many failed
   * replies in a row hand the conversation over (0 never).
   */
  handoffRules: () => Promise<{ triggers: HandoffTriggers; escalateAfterFailedReplies: number }>;
  /** The input pre-filter, the policy it follows, and the provider's moderation endpoint (null: local rules only). */
  guard: InputGuard;
  policies: GuardrailPolicyStore;
  /** Replies by outcome and guardrail decisions, for /metrics. */
  metrics?: Pick<ServiceMetrics, 'reply' | 'guardrailDecision'>;
  /** The kill switch lives here (aiEnabled). */
  assistantSettings: Pick<AssistantSettingsStore, 'current'>;
  moderation: ProviderModeration | null;
  /** The day's tokens per customer or guest IP (the daily caps). */
  tokenUsage: TokenUsageStore;
  /** Something failed that the next sweep retries (the database went away mid-reply, say). */
  onError: (error: unknown, context: { sessionId?: string; stage: 'answer' | 'sweep' | 'gave_up' | 'moderation' | 'token_usage' }) => void;
}

/** The ticket's subject when a guardrail hands the conversation over. */
const SAFETY_SUBJECTS: Record<string, string> = {
  self_harm: 'Customer may be in crisis',
  abuse: 'Abusive conversation',
  pii_exposure: "Asked for someone else's data",
  injection: 'Tried to manipulate the assistant',
};

interface HeldLease {
  /** Set once a renewal found the lease taken by another node: this node stops after the running reply. */
  lost: boolean;
  stop(): void;
}

/**
 * Durable turns: answers the messages recorded in support_pending_replies.
 * The node that accepted a message starts on it at once (`kick`); if that
 * node dies, its lease on the session runs out and every node's sweep hands
 * the session to the job queue (BullMQ across nodes in server mode, in process
 * in embedded mode), where any node picks it up. One lease holder per session
 * answers its messages in transcript order; a reply and the end of its
 * pending row are one transaction, and the store keeps one reply per message,
 * so a slow node that lost its lease cannot store a second answer. A session
 * that a human owns is never answered, also after a recovery.
 */
export class ReplyWorker {
  /** This worker's name in support_reply_leases: unique per process (and per server in tests). */
  readonly owner = `node_${randomBytes(8).toString('hex')}`;
  private readonly pending: PendingReplies;
  private readonly driving = new Map<string, Promise<void>>();
  /** Sessions kicked while their drive ran: look again once it ends. */
  private readonly rerun = new Set<string>();
  private readonly held = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping = false;
  /** The last sweep failed: the next failures of the same outage are not reported again. */
  private sweepFailing = false;
  private stopping = false;

  constructor(private readonly deps: ReplyWorkerDeps) {
    this.pending = new PendingReplies(deps.db);
    deps.jobs.register(ANSWER_PENDING_REPLIES, async (raw) => {
      await this.kick(answerJobPayload.parse(raw).sessionId);
    });
  }

  /** Renewals per lease period: a lease survives two missed renewals. */
  private get renewEveryMs(): number {
    return Math.max(100, Math.floor(this.deps.leaseMs / 3));
  }

  /**
   * Starts sweeping for orphaned sessions, the first sweep at once.
   * `releaseStaleLeases`: embedded mode, where the data directory is this
   * process's alone, so leases found in it belong to a process that died.
   */
  async start(options: { releaseStaleLeases: boolean }): Promise<void> {
    if (options.releaseStaleLeases) await this.pending.releaseAll().catch((error: unknown) => this.deps.onError(error, { stage: 'sweep' }));
    void this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), this.renewEveryMs);
    this.sweeper.unref();
  }

  /**
   * Answers what waits in the session, unless another live node is on it
   * (that node looks again before it lets go). Resolves when this node is
   * done with the session for now; never rejects: what failed stays pending
   * for the next sweep.
   */
  kick(sessionId: string): Promise<void> {
    if (this.stopping) return Promise.resolve();
    const running = this.driving.get(sessionId);
    if (running) {
      this.rerun.add(sessionId);
      return running;
    }
    const drive = this.drive(sessionId).finally(() => {
      this.driving.delete(sessionId);
      if (this.rerun.delete(sessionId)) void this.kick(sessionId);
      if (this.driving.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
    this.driving.set(sessionId, drive);
    return drive;
  }

  /** Sessions this node is answering right now. */
  get running(): number {
    return this.driving.size;
  }

  /** True once nothing runs here, false after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.driving.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** No more sweeps (the server is closing); running replies go on. */
  stopSweeping(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /**
   * Graceful stop: nothing new starts, running replies get `graceMs` to finish
   * and be stored, and the leases still held then are released, so another
   * node takes those sessions over at its next sweep instead of when the
   * leases run out.
   */
  async stop(graceMs: number): Promise<{ finished: boolean }> {
    this.stopping = true;
    this.stopSweeping();
    const finished = await this.whenIdle(graceMs);
    await Promise.allSettled([...this.held].map((sessionId) => this.pending.release(sessionId, this.owner)));
    return { finished };
  }

  private async drive(sessionId: string): Promise<void> {
    try {
      // Normally one pass; another only when a message arrived while the lease was being let go.
      for (let pass = 0; pass < 10; pass += 1) {
        const { claimed, next: first } = await this.pending.claim(sessionId, this.owner, this.deps.leaseMs);
        if (!claimed) return;
        this.held.add(sessionId);
        const lease = this.keepLease(sessionId);
        let waiting: PendingReply | null = null;
        try {
          let next = first;
          while (next && !this.stopping && !lease.lost) {
            // A stored reply's statement names the next message itself; the other outcomes ask.
            const known = await this.answer(next);
            next = known === undefined ? await this.pending.next(sessionId) : known;
          }
        } finally {
          lease.stop();
          this.held.delete(sessionId);
          // Let go, and look again in the same statement: a message accepted on another node while this one held the lease was left to it.
          if (!lease.lost) waiting = await this.pending.releaseAndNext(sessionId, this.owner);
        }
        if (lease.lost || this.stopping || !waiting) return;
      }
    } catch (error) {
      // Typically the database went away: the message stays pending and a later sweep answers it.
      this.deps.onError(error, { sessionId, stage: 'answer' });
    }
  }

  private keepLease(sessionId: string): HeldLease {
    const lease: HeldLease = { lost: false, stop: () => clearInterval(timer) };
    const timer = setInterval(() => {
      this.pending.renew(sessionId, this.owner, this.deps.leaseMs).then(
        (kept) => {
          if (!kept) lease.lost = true;
        },
        // A failed renewal is not a lost lease: it may still be ours when the database answers again.
        () => {},
      );
    }, this.renewEveryMs);
    timer.unref();
    return lease;
  }

  /**
   * One pending message: routed (a human owns it, it asks for one, or the AI answers) and completed.
   * Resolves with the message that awaits a reply next when the reply's store said so (null: none),
   * undefined when the caller must ask.
   */
  private async answer(pendingReply: PendingReply): Promise<PendingReply | null | undefined> {
    const { messages, sessions } = this.deps;
    // Three reads at once: one round trip. The attempt counts even when nothing is answered below (harmless: the row goes).
    const [session, window, attempt] = await Promise.all([
      sessions.findById(pendingReply.sessionId),
      messages.replyWindow(pendingReply.sessionId, pendingReply.messageId, REPLY_WINDOW_MESSAGES),
      this.pending.startAttempt(pendingReply.messageId),
    ]);
    const question = window.question;
    const answered = window.transcript.some((message) => message.role !== 'user' && message.replyToMessageId === pendingReply.messageId);
    // A human owns the conversation (or it is closed): the AI stays out of it, after a recovery too.
    if (!session || !question || session.status !== 'ai' || answered) {
      await this.pending.complete(pendingReply.messageId);
      return undefined;
    }
    if (attempt > MAX_REPLY_ATTEMPTS) {
      this.deps.onError(new Error(`gave up on message ${question.id} after ${MAX_REPLY_ATTEMPTS} starts that never finished`), { sessionId: session.id, stage: 'gave_up' });
      return this.storeReply(session, question, newMessageId(), { text: PROVIDER_FAILURE_TEXT, citations: [], outcome: 'fallback' });
    }
    let history = historyForReply(window.transcript, question);
    const policy = await this.deps.policies.current();
    const verdict = this.deps.guard.classify(question.text);
    // Planned once: what the filter does with the message (its fixed reply or handoff, or what the model may see).
    const plan = verdict ? await this.deps.guard.plan(session.id, question.text, verdict, policy, session.locale) : null;
    const acts = plan?.kind === 'reply' || plan?.kind === 'escalate';
    // A crisis comes first: the hotline text and a person, whatever else the message says.
    if (verdict?.category === 'self_harm' && acts) {
      await this.carryOut(session, question, plan);
      return undefined;
    }
    // The kill switch: no model runs; every message goes to a person (live, or a ticket when nobody is at the desk).
    if (!(await this.deps.assistantSettings.current()).aiEnabled) {
      await this.deps.escalation.escalate(session, { source: 'ai_disabled', reason: 'The assistant is switched off (admin settings).', subject: 'Assistant switched off', replyToId: question.id });
      await this.pending.complete(question.id);
      return undefined;
    }
    const decision = (await this.deps.handoffRules()).triggers.check(question, history.slice(0, -1));
    if (decision?.kind === 'escalate') {
      // The customer's words hand it over: no model runs; the handoff notice is this message's reply.
      await this.deps.escalation.escalate(session, { source: decision.source, reason: decision.reason, subject: decision.subject, replyToId: question.id });
      await this.pending.complete(question.id);
      return undefined;
    }
    if (decision?.kind === 'decline_offer') {
      // "No" to the offer of a person: acknowledged, not met with the same offer again.
      return this.storeReply(session, question, newMessageId(), { text: decision.reply, citations: [], outcome: 'answered' });
    }
    if (plan) {
      if (plan.kind === 'reply' || plan.kind === 'escalate') {
        await this.carryOut(session, question, plan);
        return undefined;
      }
      await this.recordDecision(session.id, question.id, 'input', plan.decision);
      // The model sees the message without the sentences that tried to instruct it; the transcript keeps it whole.
      if (plan.kind === 'neutralise') history = history.map((message) => (message.id === question.id ? { ...message, text: plan.text } : message));
    }
    const replyId = newMessageId();
    const { bus } = this.deps;
    // Bot silence: once the conversation is handed to a person (on any node) not one more delta goes out.
    // The store below refuses the reply itself; this stops the stream as soon as the news arrives.
    let handedOver = false;
    const stopListening = bus.subscribe(session.id, (event) => {
      if (event.type === 'escalated') handedOver = true;
    });
    const moderator = new ReplyModerator(
      (delta) => {
        if (!handedOver) bus.publish(session.id, { type: 'message_delta', messageId: replyId, delta, replyToMessageId: question.id });
      },
      {
        mode: policy.output.moderation,
        provider: this.deps.moderation,
        timeoutMs: policy.output.timeoutMs,
        onProviderError: (error) => this.deps.onError(error, { sessionId: session.id, stage: 'moderation' }),
      },
    );
    try {
      bus.publish(session.id, { type: 'typing', role: 'assistant', replyToMessageId: question.id });
      const reply = await this.deps.assistant.reply({
        sessionId: session.id,
        identity: session.identity,
        locale: session.locale,
        history,
        replyMessageId: replyId,
        replyToMessageId: question.id,
        onTextDelta: (delta) => moderator.push(delta),
      });
      await this.countTokens(session, reply);
      // The apology after a provider failure is our own text: only what a model wrote is moderated.
      const moderation = reply.outcome === 'fallback' ? { blocked: null } : await moderator.finish(reply.text);
      if (moderation.blocked) {
        // The final message replaces what was streamed: the transcript and every reload hold only the safe text.
        const next = await this.storeReply(session, question, replyId, { text: guardrailReply('moderated', session.locale), citations: [], outcome: 'moderated' });
        await this.recordDecision(session.id, replyId, 'output', { category: moderation.blocked.category, action: 'replaced', rule: `${moderation.blocked.by}:${moderation.blocked.rule}` });
        return next;
      }
      return await this.storeReply(session, question, replyId, reply);
    } finally {
      stopListening();
    }
  }

  /** A guardrail's plan for a message: its fixed reply, the handoff, the end of the conversation; then the decision is recorded. */
  private async carryOut(session: ChatSession, question: Message, plan: Extract<InputPlan, { kind: 'reply' | 'escalate' }>): Promise<void> {
    const reason = `Guardrail: ${plan.decision.category} (${plan.decision.action}, rule ${plan.decision.rule})`;
    const subject = SAFETY_SUBJECTS[plan.decision.category] ?? 'Guardrail handoff';
    // Recorded first: the next message's plan counts this one's warning even if it arrives at once.
    await this.recordDecision(session.id, question.id, 'input', plan.decision);
    if (plan.kind === 'escalate') {
      await this.deps.escalation.escalate(session, { source: 'safety', reason, subject, replyToId: question.id });
      await this.pending.complete(question.id);
    } else {
      await this.storeReply(session, question, newMessageId(), { text: plan.text, citations: [], outcome: 'guardrail' });
      if (plan.then === 'escalate') await this.deps.escalation.escalate(session, { source: 'safety', reason, subject });
      if (plan.then === 'end') await this.closeConversation(session);
    }
  }

  /** The `end` action: the conversation is closed (new messages get session_closed) and its sockets are told. */
  private async closeConversation(session: ChatSession): Promise<void> {
    await this.deps.db.query(`UPDATE support_chat_sessions SET status = 'closed', updated_at = now() WHERE id = $1 AND status = 'ai'`, [session.id]);
    this.deps.bus.publish(session.id, { type: 'session_state', sessionId: session.id, status: 'closed', ticketId: null, mode: null });
  }

  private async recordDecision(sessionId: string, messageId: string, stage: 'input' | 'output', decision: { category: string; action: string; rule: string }): Promise<void> {
    await recordGuardrailDecision(this.deps.db, { sessionId, messageId, stage, ...decision });
    this.deps.metrics?.guardrailDecision({ stage, category: decision.category, action: decision.action });
  }

  /** The reply's tokens count against the customer's (or the guest IP's) daily cap; a failed count does not cost the answer. */
  private async countTokens(session: ChatSession, reply: Reply): Promise<void> {
    if (!session.quotaKey || !reply.usage) return;
    await this.deps.tokenUsage
      .add(session.quotaKey, reply.usage.promptTokens + reply.usage.completionTokens)
      .catch((error: unknown) => this.deps.onError(error, { sessionId: session.id, stage: 'token_usage' }));
  }

  /** Stores the reply (see MessageStore.storeAssistantReply) and sends it; resolves with the message that awaits a reply next. */
  private async storeReply(session: ChatSession, question: Message, replyId: string, reply: Reply): Promise<PendingReply | null> {
    const { message: stored, nextPending } = await this.deps.messages.storeAssistantReply(session.id, question.id, { id: replyId, text: reply.text, citations: reply.citations, outcome: reply.outcome });
    const next = nextPending ? { messageId: nextPending, sessionId: session.id } : null;
    // Null: a person took the conversation over meanwhile (their handoff notice answers the message), or
    // another node (one that lost its lease while writing) stored its answer first and that one went out.
    if (!stored) return next;
    this.deps.bus.publish(session.id, { type: 'message', message: stored });
    this.deps.metrics?.reply(reply.outcome);
    if (reply.outcome !== 'answered') await this.escalateIfStuck(session);
    return next;
  }

  /**
   * The repeated-failure trigger: after this many "don't know" or failed
   * replies in a row the assistant is not helping, and a person takes over.
   */
  private async escalateIfStuck(session: ChatSession): Promise<void> {
    const limit = (await this.deps.handoffRules()).escalateAfterFailedReplies;
    if (limit <= 0) return;
    const failures = await this.deps.messages.consecutiveAssistantOutcomes(session.id, ['dont_know', 'fallback'], limit);
    if (failures < limit) return;
    await this.deps.escalation.escalate(session, {
      source: 'repeated_failure',
      reason: `The assistant could not help ${failures} times in a row.`,
      subject: 'The assistant could not answer',
    });
  }

  /** Hands every session nobody is answering to the job queue; any node's worker takes it. */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.stopping) return;
    this.sweeping = true;
    try {
      // A message is the accepting node's to start for a moment; after that an unleased one is orphaned.
      const orphaned = await this.pending.orphanedSessions(Math.min(2000, this.deps.leaseMs), SWEEP_BATCH);
      // One job per session per sweep period, however many nodes sweep.
      const period = Math.floor(Date.now() / this.renewEveryMs);
      for (const sessionId of orphaned) {
        await this.deps.jobs.enqueue(ANSWER_PENDING_REPLIES, { sessionId }, { idempotencyKey: `${sessionId}:${period}` });
      }
      this.sweepFailing = false;
    } catch (error) {
      if (!this.sweepFailing) this.deps.onError(error, { stage: 'sweep' });
      this.sweepFailing = true;
    } finally {
      this.sweeping = false;
    }
  }
}
