import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { ClientEvent, ServerEvent } from '@support/protocol';
import { isControlEvent, type SessionBusEvent, type SessionEventBus } from '../bus/session-event-bus.js';
import type { ChatTurns } from '../conversation/chat-turns.js';
import type { PendingActions } from '../conversation/pending-actions.js';
import type { AuthenticatedSession, SessionService } from '../conversation/session-service.js';
import { AppError } from '../errors/app-error.js';
import { hashSessionToken } from '../conversation/session-tokens.js';
import type { RateLimits } from '../guardrails/rate-limits.js';
import { mapError } from '../http/error-mapping.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { ConnectionBudget, sessionBudgets, type Budget, type FrameKind } from './frame-budgets.js';
import { FrameError, parseFrame } from './frame-parsing.js';
import { OutboundFlow, ReadGate } from './outbound-flow.js';

/** Close codes in the private range: the client can tell what to do next from the code alone. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_TOKEN_EXPIRED = 4408;
/** The session's token was replaced (refresh or resume): reconnect with the current token. */
export const CLOSE_TOKEN_REPLACED = 4409;
/** Too many connections for the session, or frames far over budget: wait, then reconnect. */
export const CLOSE_TOO_MANY_REQUESTS = 4429;
/** The client did not read what it was sent: reconnect and `resume`. */
export const CLOSE_SLOW_READER = 4503;
/** Standard "service restart": this node is shutting down; reconnect (to another node) and `resume`. */
export const CLOSE_SERVICE_RESTART = 1012;
/** Standard "try again later": a dependency failed while the socket was set up; the token is fine. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

const HEARTBEAT_MS = 30_000;
/** Errors after which the same frame may succeed later. */
const RETRYABLE_CODES = new Set(['rate_limited', 'unavailable', 'resume_in_progress', 'too_many_connections']);
/** Frames waiting to be handled at which the socket stops being read… */
const PAUSE_INTAKE_AT = 8;
/** …and the hard cap: frames beyond it (ws may still deliver a few already read) are refused. */
export const MAX_QUEUED_FRAMES = 32;

/** What an error answers: the send_message (its clientMessageId) or the confirm_action / cancel_action (its actionId). */
interface ErrorSubject {
  clientMessageId?: string | undefined;
  actionId?: string | undefined;
}

function subjectOf(event: ClientEvent): ErrorSubject {
  if (event.type === 'send_message') return { clientMessageId: event.clientMessageId };
  if (event.type === 'confirm_action' || event.type === 'cancel_action') return { actionId: event.actionId };
  return {};
}

export interface ChatConnectionDeps {
  sessionService: SessionService;
  turns: ChatTurns;
  pendingActions: PendingActions;
  bus: SessionEventBus;
  rateLimits: RateLimits;
  connections: ConnectionRegistry;
  /** Per-connection budgets that differ from frame-budgets.ts (from config). */
  budgetOverrides?: Partial<Record<FrameKind, Budget>>;
}

/**
 * One customer websocket. It authenticates from the token, parses every frame
 * (never trusting it), spends the connection's budget for it, and hands valid
 * events to ChatTurns one at a time in arrival order. Every failure becomes an
 * `error` event; a bad frame costs the client an error, not its connection.
 * The work one connection can cause is bounded: frame budgets, a short intake
 * queue that stops reading when full, one `resume` at a time, and an outbound
 * buffer that stops reading (and finally disconnects) when the client does not
 * read.
 */
export class ChatConnection {
  private readonly gate: ReadGate;
  private readonly flow: OutboundFlow;
  private readonly budget: ConnectionBudget;
  private readonly connected: Promise<AuthenticatedSession | null>;
  private intake: Promise<void>;
  private queued = 0;
  private resumeQueued = false;
  private releases: Array<() => void> = [];
  private closing = false;
  /** The last message event this socket was sent: where a replay after a pub/sub gap starts. */
  private lastMessageId: string | undefined;
  /** When this socket's token last slid (authentication slides it): frames slide it again only every slideEveryMs. */
  private slidAt = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly token: string | undefined,
    private readonly log: FastifyBaseLogger,
    private readonly deps: ChatConnectionDeps,
  ) {
    this.budget = new ConnectionBudget(deps.budgetOverrides);
    this.gate = new ReadGate(socket);
    this.flow = new OutboundFlow(socket, this.gate, () => this.closeWith(CLOSE_SLOW_READER, 'slow_reader'));
    // Listeners go on at once so that no frame sent right after the upgrade is lost while auth runs.
    socket.on('message', (data: RawData, isBinary: boolean) => this.onFrame(data, isBinary));
    socket.on('close', () => this.onClose());
    this.startHeartbeat();
    this.connected = this.connect();
    this.intake = this.connected.then(() => undefined);
  }

  private send(event: ServerEvent): void {
    if (event.type === 'message') this.lastMessageId = event.message.id;
    this.flow.send(JSON.stringify(event));
  }

  /**
   * Events of this session may have been lost (the node's Redis subscription
   * was interrupted): what was stored after the last message this socket got
   * is sent again, in the intake order, as a `resume` would. Clients keep
   * messages by id, so a message sent twice is harmless; one never sent is not.
   */
  private replayAfterGap(auth: AuthenticatedSession): void {
    const after = this.lastMessageId;
    this.intake = this.intake
      .then(() => (this.closing ? undefined : this.deps.turns.resume(auth.session.id, after, (event) => this.send(event), () => this.flow.drained())))
      .catch((error: unknown) => this.log.warn({ err: error }, 'replay after a pub/sub gap failed; the client can resume'));
  }

  private sendError(code: string, message: string, subject: ErrorSubject = {}, retryable = RETRYABLE_CODES.has(code)): void {
    const { clientMessageId, actionId } = subject;
    this.send({
      type: 'error',
      code,
      message,
      ...(clientMessageId ? { clientMessageId } : {}),
      ...(actionId ? { actionId } : {}),
      ...(retryable ? { retryable: true } : {}),
    });
  }

  private closeWith(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    // A client thrown out for flooding may not come straight back with the same token.
    if (reason === 'rate_limited' && this.token) this.deps.connections.coolDown(hashSessionToken(this.token));
    this.socket.close(code, reason);
    // A client that does not read will not answer the close handshake either.
    setTimeout(() => this.socket.terminate(), 2000).unref();
  }

  private startHeartbeat(): void {
    let alive = true;
    // While reading is paused (back-pressure) pongs are not read either: data still flowing out proves the client alive.
    let writes = this.flow.writesCompleted;
    const heartbeat = setInterval(() => {
      if (!alive && this.flow.writesCompleted === writes) return this.socket.terminate();
      alive = false;
      writes = this.flow.writesCompleted;
      this.socket.ping();
    }, HEARTBEAT_MS);
    this.socket.on('pong', () => {
      alive = true;
    });
    this.releases.push(() => clearInterval(heartbeat));
  }

  private onClose(): void {
    for (const release of this.releases.splice(0)) release();
    this.flow.release();
  }

  private async connect(): Promise<AuthenticatedSession | null> {
    let auth: AuthenticatedSession;
    try {
      auth = await this.deps.sessionService.authenticate(this.token);
      this.slidAt = Date.now();
    } catch (error) {
      const mapped = mapError(error);
      if (mapped.unexpected) {
        // Not the token's fault (the database is down, say): 4401 would make a client throw its session away.
        this.log.warn({ err: error }, 'websocket authentication failed; told the client to retry');
        this.sendError('unavailable', 'The chat service is briefly unavailable; reconnect in a moment with the same token.');
        this.closeWith(CLOSE_TRY_AGAIN_LATER, 'unavailable');
        return null;
      }
      this.sendError(mapped.body.error.code, mapped.body.error.message);
      this.closeWith(mapped.body.error.code === 'token_expired' ? CLOSE_TOKEN_EXPIRED : CLOSE_UNAUTHORIZED, mapped.body.error.code);
      return null;
    }
    if (this.socket.readyState !== this.socket.OPEN) return null;
    const releaseSlot = this.deps.connections.holdSession(auth.session.id);
    if (!releaseSlot) {
      this.sendError('too_many_connections', 'This conversation is open in too many windows; close one and reconnect.');
      this.closeWith(CLOSE_TOO_MANY_REQUESTS, 'too_many_connections');
      return null;
    }
    this.releases.push(releaseSlot);
    try {
      // Frames wait until the socket is subscribed to its session (with Redis, confirmed by Redis),
      // so no reply to them can be published before this connection listens.
      this.releases.push(this.deps.bus.subscribe(auth.session.id, (event) => this.onBusEvent(event, auth)));
      await this.deps.bus.ready(auth.session.id);
      // A refresh that ran while this socket authenticated was announced before it listened.
      if (!(await this.deps.sessionService.isCurrentToken(auth.session.id, auth.tokenHash))) {
        this.closeWith(CLOSE_TOKEN_REPLACED, 'token_replaced');
        return null;
      }
      this.send(await this.deps.turns.state(auth.session.id));
      // A proposal the customer has not answered yet is shown again after a reconnect.
      for (const action of await this.deps.pendingActions.pendingFor(auth.session.id)) this.send({ type: 'action_proposed', action });
      return auth;
    } catch (error) {
      this.log.error({ err: error }, 'websocket setup failed');
      this.sendError('unavailable', 'The chat service is briefly unavailable; reconnect in a moment with the same token.');
      this.closeWith(CLOSE_TRY_AGAIN_LATER, 'unavailable');
      return null;
    }
  }

  private onBusEvent(event: SessionBusEvent, auth: AuthenticatedSession): void {
    if (!isControlEvent(event)) return this.send(event);
    if (event.type === 'session_events_gap') return this.replayAfterGap(auth);
    // Sockets opened with a replaced token go, so a stolen token stops working on refresh.
    if (event.type === 'session_token_replaced' && event.currentTokenHash !== auth.tokenHash) this.closeWith(CLOSE_TOKEN_REPLACED, 'token_replaced');
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    let parsed: { event: ClientEvent } | { error: FrameError };
    try {
      parsed = { event: parseFrame(data, isBinary) };
    } catch (error) {
      parsed = { error: error instanceof FrameError ? error : new FrameError('invalid_message', 'The frame could not be read.') };
    }
    const subject: ErrorSubject = 'event' in parsed ? subjectOf(parsed.event) : { clientMessageId: parsed.error.clientMessageId };
    const spent = this.budget.spend('event' in parsed ? parsed.event.type : 'invalid');
    if (spent.verdict === 'disconnect') return this.closeWith(CLOSE_TOO_MANY_REQUESTS, 'rate_limited');
    if (spent.verdict === 'refused') {
      return this.refuse(`Too many frames of this kind; wait ${Math.ceil(spent.retryAfterMs / 1000)} s.`, subject, false);
    }
    const isResume = 'event' in parsed && parsed.event.type === 'resume';
    if (isResume && this.resumeQueued) return this.refuse('A resume is already running on this connection; wait for its messages.', {}, true, 'resume_in_progress');
    // Reading stopped at PAUSE_INTAKE_AT; what ws had read by then is bounded by one socket read, so this does not count towards disconnection.
    if (this.queued >= MAX_QUEUED_FRAMES) return this.refuse('Too many frames waiting; slow down.', subject, false);

    this.queued += 1;
    if (isResume) this.resumeQueued = true;
    if (this.queued >= PAUSE_INTAKE_AT) this.gate.hold('intake');
    this.intake = this.intake
      .then(async () => {
        const auth = await this.connected;
        if (!auth || this.closing) return;
        if ('error' in parsed) return this.sendError(parsed.error.code, parsed.error.message, subject);
        await this.handle(parsed.event, auth);
      })
      .catch((error: unknown) => this.log.error({ err: error }, 'chat frame failed'))
      .finally(() => {
        this.queued -= 1;
        if (isResume) this.resumeQueued = false;
        if (this.queued < PAUSE_INTAKE_AT / 2) this.gate.release('intake');
      });
  }

  /** Answers a refused frame, or disconnects a client that keeps sending refused frames. */
  private refuse(message: string, subject: ErrorSubject, counts: boolean, code = 'rate_limited'): void {
    if (counts && this.budget.refuse() === 'disconnect') return this.closeWith(CLOSE_TOO_MANY_REQUESTS, 'rate_limited');
    this.sendError(code, message, subject);
  }

  private async handle(event: ClientEvent, auth: AuthenticatedSession): Promise<void> {
    const { deps } = this;
    const sessionId = auth.session.id;
    const subject = subjectOf(event);
    try {
      const sessionBudget = sessionBudgets[event.type];
      if (sessionBudget) {
        const verdict = await deps.rateLimits.consume(`ws_${event.type}`, sessionBudget, sessionId);
        if (!verdict.allowed) throw new AppError('rate_limited', `Too many ${event.type} events in this conversation; wait ${Math.ceil(verdict.retryAfterMs / 1000)} s.`, { status: 429 });
      }
      // Idle expiry applies to live connections too: a socket left silent past the token lifetime is done,
      // and one whose token was rotated away goes even if the eviction broadcast never reached this node.
      const alive = await this.keepAlive(event.type, auth);
      if (alive === 'replaced') return this.closeWith(CLOSE_TOKEN_REPLACED, 'token_replaced');
      if (alive === 'expired') {
        this.sendError('token_expired', 'The session token has expired; create a new session.');
        this.closeWith(CLOSE_TOKEN_EXPIRED, 'token_expired');
        return;
      }
      const toSender = (reply: ServerEvent) => this.send(reply);
      switch (event.type) {
        case 'send_message': {
          // Resolves once stored and acknowledged; the reply streams on while the next frames are taken.
          await deps.turns.acceptMessage(sessionId, event, toSender, auth.tokenHash);
          break;
        }
        case 'escalate':
          await deps.turns.escalate(sessionId, event.reason, toSender);
          break;
        case 'feedback':
          await deps.turns.feedback(sessionId, event, toSender);
          break;
        case 'resume':
          await deps.turns.resume(sessionId, event.afterMessageId, toSender, () => this.flow.drained());
          break;
        case 'confirm_action':
          await deps.pendingActions.confirm(sessionId, event.actionId);
          break;
        case 'cancel_action':
          await deps.pendingActions.cancel(sessionId, event.actionId);
          break;
        case 'consent':
          await deps.turns.consent(sessionId, event.training);
          break;
        case 'rate_conversation':
          await deps.turns.rateConversation(sessionId, event.score, event.comment);
          break;
      }
    } catch (error) {
      this.reportFailure(error, sessionId, subject);
    }
  }

  /**
   * The token's idle expiry, slid when a slide is due (a database write); in between only checked,
   * read only, except for a message, whose intake reads the session and checks the token in that read.
   */
  private async keepAlive(type: ClientEvent['type'], auth: AuthenticatedSession): Promise<'ok' | 'expired' | 'replaced'> {
    const { sessionService } = this.deps;
    const now = Date.now();
    if (now - this.slidAt >= sessionService.slideEveryMs) {
      const alive = await sessionService.keepAlive(auth.session.id, auth.tokenHash);
      if (alive === 'ok') this.slidAt = now;
      return alive;
    }
    return type === 'send_message' ? 'ok' : sessionService.checkToken(auth.session.id, auth.tokenHash);
  }

  private reportFailure(error: unknown, sessionId: string, subject: ErrorSubject): void {
    if (error instanceof AppError && error.code === 'token_replaced') return this.closeWith(CLOSE_TOKEN_REPLACED, 'token_replaced');
    const mapped = mapError(error);
    if (mapped.unexpected) this.log.error({ err: error, sessionId }, 'chat event failed');
    this.sendError(mapped.body.error.code, mapped.body.error.message, subject, mapped.body.error.retryable === true || RETRYABLE_CODES.has(mapped.body.error.code));
  }
}
