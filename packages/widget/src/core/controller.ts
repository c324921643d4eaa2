/**
 * The chat client: sessions over REST, the live socket, the outbox, token
 * refresh and reconnects (docs/protocol.md), holding the conversation state
 * (./conversation.ts) for the view. Framework-free, so it is tested with a
 * fake socket, a fake fetch and fake timers (and in a browser against the real
 * service by packages/server/e2e/widget-*.e2e.test.ts):
 *
 * - history first, then the socket, which `resume`s after the newest message
 *   held, then resends every unacknowledged message with its clientMessageId;
 * - reconnects with exponential backoff and jitter; close codes decide:
 *   4401/4408 a new session (a signed-in customer's is resumed), 4409
 *   reconnect with the token the refresh returns, 4429 wait, 1012/1013 quick;
 * - the token is refreshed ahead of its expiry, read on the server's clock
 *   (Date header); tabs of one signed-in customer share the rotating token;
 * - the training-consent answer and the end-of-chat rating are sent at once,
 *   or once connected, and again after every reconnect until the service
 *   confirms them (kept over a reload with the other per-session extras);
 * - a generation number retires every callback of a replaced session/socket.
 */
import type { ClientEvent, CreateSessionResponse, ServerEvent } from '@support/protocol';
import {
  conversationReducer,
  initialConversation,
  lastSeenMessageId,
  outbox,
  type ConversationAction,
  type ConversationRating,
  type ConversationState,
  type PendingRating,
  type Rating,
} from './conversation.js';
import { isScore, parseConversations, parseHistory, parseRefreshResponse, parseServerEvent, parseSessionResponse, type ConversationSummary } from './guards.js';
import { HttpError, requestJson, type HttpDeps } from './http.js';
import { newClientMessageId } from './ids.js';
import { browserStore, customerKeyOf, WidgetStorage, type KeyValueStore, type StoredOutboxEntry, type StoredSession } from './storage.js';
import { backoffDelay, decideOnClose, refreshDelay, REFRESH_RETRY_MS } from './timing.js';
import { browser } from './env.js';
import { normalizeServiceUrl, socketUrl } from './urls.js';

export const MAX_MESSAGE_LENGTH = 4000;
/** Longest comment an end-of-chat rating carries (protocol: rate_conversation). */
export const MAX_RATING_COMMENT_LENGTH = 1000;
const SOCKET_OPEN = 1;
const CONNECT_TIMEOUT_MS = 15_000;
const TYPING_TIMEOUT_MS = 60_000;

/** What the controller needs of a WebSocket (the browser's, or a fake in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type ConnectionPhase = 'starting' | 'connecting' | 'online' | 'reconnecting' | 'expired' | 'failed' | 'stopped';

export interface ConnectionState {
  phase: ConnectionPhase;
  /** The browser says it is offline. */
  offline: boolean;
  /** When the next reconnect attempt is due (epoch ms), while waiting. */
  retryAt: number | null;
  /** Why the start failed (an error code), for phase 'failed'. */
  error: string | null;
}

export interface WidgetState {
  conversation: ConversationState;
  connection: ConnectionState;
  sessionId: string | null;
  signedIn: boolean;
  customerName: string | null;
  /** Earlier conversations of a signed-in customer; `available` false hides the list (no such endpoint, a guest). */
  conversations: { available: boolean; loading: boolean; list: ConversationSummary[] };
}

export interface EscalationInfo {
  ticketId: string;
  mode: 'live_agent' | 'ticket';
}

export interface ControllerOptions {
  serviceUrl: string;
  /** BCP 47 tag sent with a new session (the assistant answers in it where it can). */
  locale?: string;
  getCustomerToken?: (() => Promise<string | null>) | undefined;
  initialOpenSessionId?: string | undefined;
  onEscalated?: ((info: EscalationInfo) => void) | undefined;
  // Injected for tests; the browser's by default.
  fetch?: typeof fetch;
  createSocket?: (url: string) => SocketLike;
  storage?: { local: KeyValueStore; session: KeyValueStore };
  random?: () => number;
  now?: () => number;
  pageHref?: string;
  /** Where 'online' / 'offline' / 'visibilitychange' are listened to (window/document); null: nowhere. */
  events?: { window: Listenable | null; document: Listenable | null };
  isOnline?: () => boolean;
}

type Listener = () => void;

export interface Listenable {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export class ChatController {
  private state: WidgetState;
  private readonly listeners = new Set<Listener>();
  private readonly http: HttpDeps;
  private readonly storage: WidgetStorage;
  private readonly serviceUrl: string;
  private readonly createSocket: (url: string) => SocketLike;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly pageHref: string;

  private generation = 0;
  private customerKey = 'guest';
  private session: StoredSession | null = null;
  private skewMs = 0;
  private ws: SocketLike | null = null;
  private connectedOnce = false;
  private attempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private startTimer: ReturnType<typeof setTimeout> | undefined;
  private startAttempts = 0;
  private refreshing: Promise<unknown> | null = null;
  private savedOutbox = '';
  private savedExtras = '';
  /** False while a session opens: what storage holds for it is read before anything is written back. */
  private persistReady = false;
  /** The consent answer of the last session response; undefined: the session came from a refresh (or an older service). */
  private serviceConsent: boolean | null | undefined;
  private announcedTickets = new Set<string>();
  private detach: Array<() => void> = [];

  constructor(private readonly options: ControllerOptions) {
    this.serviceUrl = normalizeServiceUrl(options.serviceUrl);
    this.now = options.now ?? (() => Date.now());
    this.random = options.random ?? Math.random;
    this.pageHref = options.pageHref ?? browser().location?.href ?? 'http://localhost/';
    this.http = {
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      serviceUrl: this.serviceUrl,
      now: this.now,
      onSkew: (skew) => {
        this.skewMs = skew;
      },
    };
    this.storage = new WidgetStorage(options.storage ?? { local: browserStore('local'), session: browserStore('session') }, this.serviceUrl);
    this.createSocket =
      options.createSocket ??
      ((url) => {
        const Socket = browser().WebSocket;
        if (!Socket) throw new Error('WebSocket is not available');
        return new Socket(url) as SocketLike;
      });
    this.state = {
      conversation: initialConversation,
      connection: { phase: 'starting', offline: !(options.isOnline?.() ?? browser().navigator?.onLine ?? true), retryAt: null, error: null },
      sessionId: null,
      signedIn: false,
      customerName: null,
      conversations: { available: false, loading: false, list: [] },
    };
  }

  // ---------------------------------------------------------------- store

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): WidgetState => this.state;

  private update(patch: Partial<WidgetState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of [...this.listeners]) listener();
  }

  private setConnection(patch: Partial<ConnectionState>): void {
    this.update({ connection: { ...this.state.connection, ...patch } });
  }

  private dispatch(action: ConversationAction): void {
    const conversation = conversationReducer(this.state.conversation, action);
    if (conversation === this.state.conversation) return;
    this.update({ conversation });
    this.persist();
  }

  /** The outbox and what the transcript cannot tell go to storage, so a reload keeps them. */
  private persist(): void {
    const session = this.session;
    if (!session || !this.persistReady) return;
    const conversation = this.state.conversation;
    const pending = JSON.stringify(outbox(conversation));
    if (pending !== this.savedOutbox) {
      this.savedOutbox = pending;
      this.storage.saveOutbox(session.sessionId, outbox(conversation));
    }
    const extras = {
      escalationMode: conversation.escalation?.mode ?? null,
      ticketId: conversation.escalation?.ticketId ?? null,
      actions: conversation.actions.map((card) => ({ ...card, phase: card.phase === 'confirming' || card.phase === 'cancelling' ? 'pending' : card.phase })),
      trainingConsent: conversation.trainingConsent,
      consentPending: conversation.consentPending,
      conversationRating: conversation.conversationRating,
      ratingPending: conversation.ratingPending,
      ratingComment: conversation.ratingComment,
    };
    const serialized = JSON.stringify(extras);
    if (serialized !== this.savedExtras) {
      this.savedExtras = serialized;
      this.storage.saveExtras(this.customerKey, session.sessionId, extras);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Opens the customer's conversation: the saved one (reload), the one asked for, or a new one. */
  async start(): Promise<void> {
    const generation = this.retire();
    this.listen();
    this.setConnection({ phase: 'starting', error: null, retryAt: null });
    try {
      const customerToken = await this.customerToken();
      if (generation !== this.generation) return;
      this.customerKey = customerKeyOf(customerToken);
      this.update({ signedIn: customerToken !== null });
      const saved = this.storage.loadSession(this.customerKey);
      let session: StoredSession | null = null;
      const wanted = this.options.initialOpenSessionId;
      if (wanted && customerToken && saved?.sessionId !== wanted) {
        session = await this.createSession(customerToken, wanted).catch((error: unknown) => {
          if (error instanceof HttpError && error.status > 0 && error.status < 500) return null;
          throw error;
        });
      }
      if (!session && saved) session = await this.reopen(saved, customerToken);
      if (generation !== this.generation) return;
      if (!session) session = await this.createSession(customerToken);
      if (generation !== this.generation) return;
      await this.openSession(session, generation);
      this.startAttempts = 0;
    } catch (error) {
      if (generation !== this.generation) return;
      const code = error instanceof HttpError ? error.code : 'internal_error';
      this.setConnection({ phase: 'failed', error: code });
      // A network failure or an outage: try again by itself, with backoff (the "Try again" button does it at once).
      if (!(error instanceof HttpError) || error.retryable) {
        const delay = backoffDelay(this.startAttempts + 2, this.random());
        this.startAttempts += 1;
        this.setConnection({ retryAt: this.now() + delay });
        this.startTimer = setTimeout(() => void this.start(), delay);
      }
    }
  }

  /** Closes the socket and stops every timer; the controller can be started again. */
  stop(): void {
    this.retire();
    for (const off of this.detach.splice(0)) off();
    this.setConnection({ phase: 'stopped', retryAt: null });
  }

  /** A new conversation (after an expired session, or the customer's choice); unsent messages go with it. */
  async startNewConversation(): Promise<void> {
    await this.switchTo(undefined);
  }

  /** Reopens an earlier conversation of the signed-in customer (`resumeSessionId`). */
  async openConversation(sessionId: string): Promise<void> {
    if (sessionId === this.session?.sessionId) return;
    await this.switchTo(sessionId);
  }

  private async switchTo(resumeSessionId: string | undefined): Promise<void> {
    const generation = this.retire();
    this.listen();
    this.setConnection({ phase: 'starting', error: null, retryAt: null });
    try {
      const customerToken = await this.customerToken();
      if (generation !== this.generation) return;
      if (resumeSessionId && !customerToken) throw new HttpError(401, 'unauthorized', 'Sign in to reopen an earlier conversation.', false);
      const session = await this.createSession(customerToken, resumeSessionId);
      if (generation !== this.generation) return;
      await this.openSession(session, generation);
    } catch (error) {
      if (generation !== this.generation) return;
      this.setConnection({ phase: 'failed', error: error instanceof HttpError ? error.code : 'internal_error' });
    }
  }

  /** Bumps the generation: callbacks of the socket, timers and requests before now do nothing from here. */
  private retire(): number {
    this.generation += 1;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000, 'closing');
      } catch {
        // already closed
      }
    }
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.typingTimer);
    clearTimeout(this.startTimer);
    this.refreshing = null;
    return this.generation;
  }

  private listen(): void {
    if (this.detach.length > 0) return;
    const events = this.options.events ?? { window: browser().window ?? null, document: browser().document ?? null };
    const on = (target: Listenable | null, type: string, handler: () => void) => {
      if (!target) return;
      target.addEventListener(type, handler);
      this.detach.push(() => target.removeEventListener(type, handler));
    };
    on(events.window, 'online', () => {
      this.setConnection({ offline: false });
      this.reconnectNow();
    });
    on(events.window, 'offline', () => this.setConnection({ offline: true }));
    on(events.document, 'visibilitychange', () => {
      if ((browser().document?.visibilityState ?? 'visible') === 'visible') this.reconnectNow();
    });
  }

  private async customerToken(): Promise<string | null> {
    if (!this.options.getCustomerToken) return null;
    try {
      const token = await this.options.getCustomerToken();
      return typeof token === 'string' && token.length > 0 ? token : null;
    } catch (error) {
      console.warn('[support-widget] getCustomerToken failed; continuing as a guest', error);
      return null;
    }
  }

  private async createSession(customerToken: string | null, resumeSessionId?: string): Promise<StoredSession> {
    const locale = this.options.locale;
    const body = {
      ...(customerToken ? { customerToken } : {}),
      ...(locale && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(locale) ? { locale } : {}),
      ...(resumeSessionId ? { resumeSessionId } : {}),
    };
    const created: CreateSessionResponse | null = parseSessionResponse(await requestJson(this.http, 'POST', '/support/chat/session', { body }));
    if (!created) throw new HttpError(200, 'invalid_response', 'The service answered with something unexpected.', true);
    this.update({ customerName: created.customer?.name ?? null });
    this.serviceConsent = created.trainingConsent;
    // The session belongs to whoever the service says (also when the token names no `sub` we could read).
    if (created.customer?.id) this.customerKey = `customer:${created.customer.id}`;
    return { sessionId: created.sessionId, token: created.token, expiresAt: created.expiresAt, wsUrl: created.wsUrl };
  }

  /** A saved session after a reload: a fresh token for it, or (signed in) a resume; null when it is gone. */
  private async reopen(saved: StoredSession, customerToken: string | null): Promise<StoredSession | null> {
    try {
      const refreshed = parseRefreshResponse(await requestJson(this.http, 'POST', `/support/chat/session/${encodeURIComponent(saved.sessionId)}/refresh`, { bearer: saved.token }));
      if (!refreshed) throw new HttpError(200, 'invalid_response', 'The service answered with something unexpected.', true);
      this.serviceConsent = undefined;
      return { ...saved, token: refreshed.token, expiresAt: refreshed.expiresAt };
    } catch (error) {
      if (!(error instanceof HttpError) || error.status === 0 || error.status >= 500 || error.status === 429) throw error;
    }
    // The token is gone (expired, or rotated by another tab): a signed-in customer resumes the same conversation.
    const current = this.storage.loadSession(this.customerKey);
    if (current && current.sessionId === saved.sessionId && current.token !== saved.token) return this.reopen(current, customerToken);
    if (customerToken) {
      try {
        return await this.createSession(customerToken, saved.sessionId);
      } catch (error) {
        if (!(error instanceof HttpError) || error.status === 0 || error.status >= 500) throw error;
      }
    }
    this.storage.saveSession(this.customerKey, null);
    return null;
  }

  private async openSession(session: StoredSession, generation: number): Promise<void> {
    const previousId = this.session?.sessionId;
    const carried = outbox(this.state.conversation);
    if (previousId && previousId !== session.sessionId) this.storage.saveOutbox(previousId, []);
    this.session = session;
    this.connectedOnce = false;
    this.attempts = 0;
    this.savedOutbox = '';
    this.savedExtras = '';
    this.persistReady = false;
    this.storage.saveSession(this.customerKey, session);
    this.update({ sessionId: session.sessionId, conversation: previousId === session.sessionId ? this.state.conversation : initialConversation });
    // The consent answer: the session response's, else (a reload, which refreshes the token) what this browser knew.
    const known = this.storage.loadExtras(this.customerKey, session.sessionId);
    this.dispatch({
      type: 'session',
      trainingConsent: this.serviceConsent !== undefined ? this.serviceConsent : typeof known.trainingConsent === 'boolean' ? known.trainingConsent : this.state.conversation.trainingConsent,
      consentPending: typeof known.consentPending === 'boolean' ? known.consentPending : null,
      // The rating: only this browser knows it (no response repeats it).
      conversationRating: storedRating(known.conversationRating),
      ratingPending: storedPendingRating(known.ratingPending),
      ratingComment: typeof known.ratingComment === 'string' && known.ratingComment ? known.ratingComment.slice(0, MAX_RATING_COMMENT_LENGTH) : null,
    });
    // Unsent messages: those saved before a reload, and those written meanwhile.
    const pending: StoredOutboxEntry[] = [...this.storage.loadOutbox(session.sessionId), ...carried];
    for (const entry of pending) this.dispatch({ type: 'local_send', clientMessageId: entry.clientMessageId, text: entry.text, createdAt: entry.createdAt, delivery: 'waiting' });
    this.setConnection({ phase: 'connecting', error: null, retryAt: null });
    this.scheduleRefresh(generation);

    const history = await this.loadHistory(generation);
    if (generation !== this.generation) return;
    this.dispatch({ type: 'history', ...history });
    // What this browser saw is a fallback for what the service does not say: cards only when it lists none
    // (an older service), the mode until session_state names it.
    const extras = this.storage.loadExtras(this.customerKey, session.sessionId);
    this.dispatch({ type: 'restore', actions: history.actions ? [] : (extras.actions ?? []), escalationMode: extras.escalationMode ?? null, ticketId: extras.ticketId ?? null });
    this.persistReady = true;
    this.persist();
    this.connect(generation);
    if (this.state.signedIn) void this.loadConversations();
  }

  private async loadHistory(generation: number): Promise<NonNullable<ReturnType<typeof parseHistory>>> {
    const get = async () => parseHistory(await requestJson(this.http, 'GET', `/support/chat/session/${encodeURIComponent(this.session?.sessionId ?? '')}/messages`, { bearer: this.session?.token ?? null }));
    const none = { messages: [], actions: null };
    try {
      return (await get()) ?? none;
    } catch (error) {
      // Another tab rotated the token a moment ago: its successor is in the shared storage.
      if (error instanceof HttpError && error.status === 401 && generation === this.generation && this.adoptStoredToken()) return (await get()) ?? none;
      throw error;
    }
  }

  // ---------------------------------------------------------------- token refresh

  private scheduleRefresh(generation: number): void {
    clearTimeout(this.refreshTimer);
    if (!this.session) return;
    const delay = refreshDelay(this.session.expiresAt, this.now(), this.skewMs);
    this.refreshTimer = setTimeout(() => void this.refreshNow(generation), delay);
  }

  /** A newer token for our session written by another tab: take it. True when one was taken. */
  private adoptStoredToken(): boolean {
    const session = this.session;
    if (!session) return false;
    const stored = this.storage.loadSession(this.customerKey);
    if (!stored || stored.sessionId !== session.sessionId || stored.token === session.token) return false;
    if (Date.parse(stored.expiresAt) < Date.parse(session.expiresAt)) return false;
    this.session = { ...session, token: stored.token, expiresAt: stored.expiresAt };
    return true;
  }

  /** Rotates the session token now (also used by tests and after a long sleep). */
  async refreshNow(generation = this.generation): Promise<void> {
    if (generation !== this.generation || !this.session) return;
    if (this.adoptStoredToken()) {
      this.scheduleRefresh(generation);
      return;
    }
    const session = this.session;
    const request = requestJson(this.http, 'POST', `/support/chat/session/${encodeURIComponent(session.sessionId)}/refresh`, { bearer: session.token });
    // The service closes the socket (4409) as soon as the token rotates, perhaps before this answer arrives.
    const settled = request.then(
      () => undefined,
      () => undefined,
    );
    this.refreshing = settled;
    try {
      const refreshed = parseRefreshResponse(await request);
      if (generation !== this.generation) return;
      if (!refreshed) throw new HttpError(200, 'invalid_response', 'Unexpected refresh answer.', true);
      this.session = { ...session, token: refreshed.token, expiresAt: refreshed.expiresAt };
      this.storage.saveSession(this.customerKey, this.session);
      this.scheduleRefresh(generation);
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof HttpError && (error.status === 401 || error.status === 403 || error.status === 404)) {
        if (this.adoptStoredToken()) return this.scheduleRefresh(generation);
        void this.onSessionLost(generation);
      } else {
        clearTimeout(this.refreshTimer);
        this.refreshTimer = setTimeout(() => void this.refreshNow(generation), REFRESH_RETRY_MS);
      }
    } finally {
      if (this.refreshing === settled) this.refreshing = null;
    }
  }

  /** The session's token is no longer accepted: a signed-in customer resumes the same conversation; a guest starts again. */
  private async onSessionLost(generation: number): Promise<void> {
    const session = this.session;
    if (!session || generation !== this.generation) return;
    if (this.state.signedIn) {
      const customerToken = await this.customerToken();
      if (generation !== this.generation) return;
      if (customerToken) {
        try {
          this.session = await this.createSession(customerToken, session.sessionId);
          if (generation !== this.generation) return;
          if (this.serviceConsent !== undefined) this.dispatch({ type: 'session', trainingConsent: this.serviceConsent });
          this.storage.saveSession(this.customerKey, this.session);
          this.scheduleRefresh(generation);
          this.connect(generation);
          return;
        } catch {
          if (generation !== this.generation) return;
        }
      }
    }
    this.expire();
  }

  private expire(): void {
    const keep = this.session;
    this.retire();
    this.session = keep;
    if (keep) this.storage.saveSession(this.customerKey, null);
    this.dispatch({ type: 'connection_lost' });
    this.setConnection({ phase: 'expired', retryAt: null });
  }

  // ---------------------------------------------------------------- socket

  private connect(generation: number): void {
    const session = this.session;
    if (generation !== this.generation || !session || this.ws) return;
    clearTimeout(this.reconnectTimer);
    const token = session.token;
    let ws: SocketLike;
    try {
      ws = this.createSocket(socketUrl(this.serviceUrl, session.wsUrl, token, this.pageHref));
    } catch {
      this.scheduleReconnect(generation, backoffDelay(this.attempts, this.random()));
      return;
    }
    this.ws = ws;
    this.setConnection({ phase: this.connectedOnce ? 'reconnecting' : 'connecting', retryAt: null });
    const openTimer = setTimeout(() => {
      if (this.ws === ws && ws.readyState !== SOCKET_OPEN) ws.close();
    }, CONNECT_TIMEOUT_MS);

    ws.onopen = () => {
      if (this.ws !== ws) return;
      clearTimeout(openTimer);
      const isReconnect = this.connectedOnce;
      this.connectedOnce = true;
      this.attempts = 0;
      this.setConnection({ phase: 'online', retryAt: null, offline: false });
      // Catch up on what was sent while we were not listening (also the gap after loading the history).
      const after = lastSeenMessageId(this.state.conversation);
      if (after) this.sendEvent({ type: 'resume', afterMessageId: after });
      else if (isReconnect) this.sendEvent({ type: 'resume' });
      // Unacknowledged messages go again; the service stores and answers a clientMessageId once.
      const pending = outbox(this.state.conversation);
      for (const entry of pending) this.sendEvent({ type: 'send_message', clientMessageId: entry.clientMessageId, text: entry.text });
      if (pending.length > 0) this.dispatch({ type: 'outbox_delivery', delivery: 'sending' });
      // A consent answer the service has not confirmed yet (given offline, or cut by the drop) goes again.
      const consent = this.state.conversation.consentPending;
      if (consent !== null) this.sendEvent({ type: 'consent', training: consent });
      // Likewise a rating not confirmed yet.
      const rating = this.state.conversation.ratingPending;
      if (rating) this.sendEvent(rateEvent(rating));
    };
    ws.onmessage = (event) => {
      if (this.ws !== ws || typeof event.data !== 'string') return;
      const parsed = parseServerEvent(event.data);
      if (parsed) this.onServerEvent(parsed);
    };
    ws.onerror = () => {
      // a close event follows
    };
    ws.onclose = (event) => {
      clearTimeout(openTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      void this.onSocketClosed(event.code, token, generation);
    };
  }

  private async onSocketClosed(code: number, token: string, generation: number): Promise<void> {
    this.dispatch({ type: 'connection_lost' });
    if (generation !== this.generation) return;
    const decision = decideOnClose(code, this.attempts, this.random());
    if (decision.action === 'new_session') {
      // A token rotated before this socket opened: the current one may be fine.
      if (this.refreshing) await this.refreshing;
      if (generation !== this.generation) return;
      this.adoptStoredToken();
      if (code === 4401 && this.session && this.session.token !== token) return this.connect(generation);
      return this.onSessionLost(generation);
    }
    if (decision.action === 'reconnect_after_refresh') {
      this.setConnection({ phase: 'reconnecting' });
      // Wait for the refresh's answer: the close may arrive first.
      if (this.refreshing) await this.refreshing;
      if (generation !== this.generation) return;
      this.adoptStoredToken();
      if (this.session && this.session.token !== token) return this.connect(generation);
      // Nobody here rotated it: reconnect after a pause; the service answers 4401 if the token is really gone.
      return this.scheduleReconnect(generation, backoffDelay(this.attempts, this.random()));
    }
    this.scheduleReconnect(generation, decision.delayMs);
  }

  private scheduleReconnect(generation: number, delayMs: number): void {
    if (generation !== this.generation) return;
    this.attempts += 1;
    clearTimeout(this.reconnectTimer);
    this.setConnection({ phase: 'reconnecting', retryAt: this.now() + delayMs });
    this.reconnectTimer = setTimeout(() => this.connect(generation), delayMs);
  }

  /** Back online, back to the tab, or the "retry now" button: do not wait out the backoff. */
  reconnectNow(): void {
    const phase = this.state.connection.phase;
    if (phase === 'failed') {
      void this.start();
      return;
    }
    if (this.session && !this.ws && phase === 'reconnecting') this.connect(this.generation);
  }

  private sendEvent(event: ClientEvent): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== SOCKET_OPEN) return false;
    try {
      ws.send(JSON.stringify(event));
      return true;
    } catch {
      return false;
    }
  }

  private onServerEvent(event: ServerEvent): void {
    if (event.type === 'session_state' && this.session && event.sessionId !== this.session.sessionId) return;
    this.dispatch({ type: 'server', event });
    if (event.type === 'typing') {
      clearTimeout(this.typingTimer);
      // Never spin forever.
      this.typingTimer = setTimeout(() => this.dispatch({ type: 'typing_timeout' }), TYPING_TIMEOUT_MS);
    }
    if (event.type === 'escalated' && !this.announcedTickets.has(event.ticketId)) {
      this.announcedTickets.add(event.ticketId);
      try {
        this.options.onEscalated?.({ ticketId: event.ticketId, mode: event.mode });
      } catch (error) {
        console.warn('[support-widget] onEscalated threw', error);
      }
    }
  }

  // ---------------------------------------------------------------- what the customer does

  /** Queues a message and sends it when connected; false when there is nothing to send. */
  send(text: string): boolean {
    const trimmed = text.trim();
    if (!trimmed || this.state.conversation.status === 'closed') return false;
    if (trimmed.length > MAX_MESSAGE_LENGTH) {
      this.dispatch({ type: 'notice', code: 'too_long' });
      return false;
    }
    const clientMessageId = newClientMessageId();
    const open = this.ws?.readyState === SOCKET_OPEN;
    this.dispatch({ type: 'local_send', clientMessageId, text: trimmed, createdAt: new Date(this.now()).toISOString(), delivery: open ? 'sending' : 'waiting' });
    if (open) this.sendEvent({ type: 'send_message', clientMessageId, text: trimmed });
    return true;
  }

  /** Sends a failed message again, with the same clientMessageId. */
  retry(clientMessageId: string): void {
    const item = this.state.conversation.items.find((candidate) => candidate.clientMessageId === clientMessageId && candidate.id === null);
    if (!item) return;
    const sent = this.sendEvent({ type: 'send_message', clientMessageId, text: item.text });
    this.dispatch({ type: 'delivery', clientMessageId, delivery: sent ? 'sending' : 'waiting' });
  }

  escalate(): boolean {
    if (this.state.conversation.status !== 'ai') return false;
    if (!this.sendEvent({ type: 'escalate', reason: 'Customer pressed the escalation button' })) {
      this.dispatch({ type: 'notice', code: 'not_connected' });
      return false;
    }
    this.dispatch({ type: 'escalate_requested' });
    return true;
  }

  feedback(messageId: string, rating: Rating): boolean {
    if (!this.sendEvent({ type: 'feedback', messageId, rating })) {
      this.dispatch({ type: 'notice', code: 'not_connected' });
      return false;
    }
    this.dispatch({ type: 'feedback_requested', messageId, rating });
    return true;
  }

  answerAction(actionId: string, answer: 'confirm' | 'cancel'): boolean {
    const card = this.state.conversation.actions.find((candidate) => candidate.action.id === actionId);
    if (!card || card.phase !== 'pending') return false;
    if (!this.sendEvent({ type: answer === 'confirm' ? 'confirm_action' : 'cancel_action', actionId })) {
      this.dispatch({ type: 'notice', code: 'not_connected' });
      return false;
    }
    this.dispatch({ type: 'action_answered', actionId, answer });
    return true;
  }

  /**
   * The customer's answer to "may this conversation be used to improve the assistant?" (any time, again):
   * sent now, or once connected; the view shows it at once, the service confirms it with consent_recorded.
   */
  answerConsent(training: boolean): void {
    this.dispatch({ type: 'consent_answered', training });
    this.sendEvent({ type: 'consent', training });
  }

  /**
   * The customer's end-of-chat rating, 1 to 5 stars and an optional comment (again: it replaces the
   * earlier one): sent now, or once connected; the view shows it at once, the service confirms it with
   * conversation_rated. False when the score is not one of 1 to 5.
   */
  rateConversation(score: number, comment?: string): boolean {
    if (!isScore(score)) return false;
    const text = comment?.trim().slice(0, MAX_RATING_COMMENT_LENGTH);
    const rating: PendingRating = { score, ...(text ? { comment: text } : {}) };
    this.dispatch({ type: 'rating_answered', ...rating });
    this.sendEvent(rateEvent(rating));
    return true;
  }

  dismissNotice(): void {
    this.dispatch({ type: 'dismiss_notice' });
  }

  /** Earlier conversations of the signed-in customer (`GET /support/chat/conversations`); a 404 hides the list. */
  async loadConversations(): Promise<void> {
    if (!this.state.signedIn) return;
    const generation = this.generation;
    this.update({ conversations: { ...this.state.conversations, loading: true } });
    let list: ConversationSummary[] | null = null;
    try {
      const customerToken = await this.customerToken();
      if (customerToken) list = parseConversations(await requestJson(this.http, 'GET', '/support/chat/conversations', { bearer: customerToken }));
    } catch {
      list = null; // 404 (not built yet), or any failure: no list
    }
    if (generation !== this.generation) return;
    this.update({ conversations: { available: list !== null, loading: false, list: list ?? [] } });
  }
}

const rateEvent = (rating: PendingRating): ClientEvent => ({ type: 'rate_conversation', score: rating.score, ...(rating.comment ? { comment: rating.comment } : {}) });

/** A confirmed rating read back from storage (anything else: none). */
function storedRating(value: unknown): ConversationRating | null {
  const rating = value as Partial<ConversationRating> | null | undefined;
  return rating && isScore(rating.score) && typeof rating.at === 'string' ? { score: rating.score, at: rating.at } : null;
}

/** A rating still on its way, read back from storage (anything else: none). */
function storedPendingRating(value: unknown): PendingRating | null {
  const rating = value as Partial<PendingRating> | null | undefined;
  if (!rating || !isScore(rating.score)) return null;
  return { score: rating.score, ...(typeof rating.comment === 'string' && rating.comment ? { comment: rating.comment.slice(0, MAX_RATING_COMMENT_LENGTH) } : {}) };
}
