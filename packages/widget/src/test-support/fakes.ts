/**
 * Test doubles for the controller: a fake WebSocket class and a fake support
 * service answering the REST endpoints of docs/protocol.md in memory. Unit
 * level only; the real-server browser tests live elsewhere.
 */
import type { Message, ProposedAction, ServerEvent } from '@support/protocol';
import type { SocketLike } from '../core/controller.js';
import { MemoryStore, type KeyValueStore } from '../core/storage.js';

export class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  readonly sent: Array<Record<string, unknown>> = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason?: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  closedByClient: number | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  static reset(): void {
    FakeSocket.instances = [];
  }

  static last(): FakeSocket {
    const socket = FakeSocket.instances[FakeSocket.instances.length - 1];
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  get token(): string | null {
    return new URL(this.url).searchParams.get('token');
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code = 1000): void {
    if (this.readyState === 3) return;
    this.closedByClient = code;
    this.readyState = 3;
    this.onclose?.({ code });
  }

  /** The server side: */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(event: ServerEvent | Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(event) });
  }

  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }

  sentOfType(type: string): Array<Record<string, unknown>> {
    return this.sent.filter((frame) => frame.type === type);
  }
}

interface Deferred {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface FakeServiceOptions {
  /** Server clock minus the test's clock, in ms (for the Date header and expiresAt). */
  serverAheadMs?: number;
  ttlSeconds?: number;
  history?: Message[];
  /** The history's `actions` (as the service lists them); undefined: the answer has no `actions` (an older service). */
  actions?: ProposedAction[];
  /** Conversations list: undefined answers 404 (the endpoint is not there). */
  conversations?: Array<Record<string, unknown>>;
  /** The session responses' `trainingConsent`; undefined: not in the answer (an older service). */
  trainingConsent?: boolean | null;
}

export interface FakeCall {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
  authorization: string | null;
}

/** An in-memory support service behind a fetch function. */
export function fakeService(options: FakeServiceOptions = {}) {
  const calls: FakeCall[] = [];
  let tokenCounter = 0;
  let sessionCounter = 0;
  const ttl = (options.ttlSeconds ?? 900) * 1000;
  const tokens = new Map<string, string>(); // token -> sessionId (current tokens only)
  const history = new Map<string, Message[]>();
  const state = {
    /** When set, the next refresh waits until `release()`. */
    holdRefresh: false,
    held: [] as Deferred[],
    failRefresh: null as null | number, // HTTP status, 0 = network error
    failCreate: null as null | number,
    /** What session responses say of the training consent (undefined: nothing, as an older service). */
    trainingConsent: options.trainingConsent,
  };
  const serverNow = () => Date.now() + (options.serverAheadMs ?? 0);
  const respond = (status: number, body: unknown) =>
    new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', date: new Date(serverNow()).toUTCString() } });
  const issue = (sessionId: string) => {
    for (const [token, id] of tokens) if (id === sessionId) tokens.delete(token);
    tokenCounter += 1;
    const token = `st_${tokenCounter}`;
    tokens.set(token, sessionId);
    return { token, expiresAt: new Date(serverNow() + ttl).toISOString() };
  };

  const fetch = (async (input: Parameters<typeof globalThis.fetch>[0], init?: Parameters<typeof globalThis.fetch>[1]) => {
    const url = new URL(String(input), 'https://support.test');
    const method = init?.method ?? 'GET';
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : null;
    const authorization = headers.authorization ?? null;
    calls.push({ method, path: url.pathname, body, authorization });
    const bearer = authorization?.replace(/^Bearer /, '') ?? '';

    if (method === 'POST' && url.pathname === '/support/chat/session') {
      if (state.failCreate !== null) {
        if (state.failCreate === 0) throw new TypeError('Failed to fetch');
        return respond(state.failCreate, { error: { code: 'unavailable', message: 'down' } });
      }
      let sessionId: string;
      if (typeof body?.resumeSessionId === 'string') {
        if (!body.customerToken || !history.has(body.resumeSessionId)) return respond(404, { error: { code: 'session_not_found', message: 'no' } });
        sessionId = body.resumeSessionId;
      } else {
        sessionCounter += 1;
        sessionId = `ses_${sessionCounter}`;
        history.set(sessionId, [...(options.history ?? [])]);
      }
      const customer = typeof body?.customerToken === 'string' ? { id: 'cus_1', name: 'Alice' } : null;
      const consent = state.trainingConsent === undefined ? {} : { trainingConsent: state.trainingConsent };
      return respond(201, { sessionId, ...issue(sessionId), wsUrl: '/support/chat/ws', customer, status: 'ai', ...consent });
    }
    const refresh = /^\/support\/chat\/session\/([^/]+)\/refresh$/.exec(url.pathname);
    if (method === 'POST' && refresh) {
      if (state.holdRefresh) await new Promise<void>((resolve, reject) => state.held.push({ resolve, reject }));
      if (state.failRefresh !== null) {
        if (state.failRefresh === 0) throw new TypeError('Failed to fetch');
        return respond(state.failRefresh, { error: { code: 'token_expired', message: 'expired' } });
      }
      if (tokens.get(bearer) !== refresh[1]) return respond(401, { error: { code: 'token_expired', message: 'expired' } });
      return respond(200, issue(refresh[1] as string));
    }
    const messages = /^\/support\/chat\/session\/([^/]+)\/messages$/.exec(url.pathname);
    if (method === 'GET' && messages) {
      if (tokens.get(bearer) !== messages[1]) return respond(401, { error: { code: 'unauthorized', message: 'no' } });
      return respond(200, { messages: history.get(messages[1] as string) ?? [], ...(options.actions ? { actions: options.actions } : {}) });
    }
    if (method === 'GET' && url.pathname === '/support/chat/conversations') {
      if (!options.conversations) return respond(404, { error: { code: 'not_found', message: 'Route not found' } });
      return respond(200, { conversations: options.conversations });
    }
    return respond(404, { error: { code: 'not_found', message: 'no route' } });
  }) as typeof globalThis.fetch;

  return {
    fetch,
    calls,
    state,
    tokens,
    history,
    /** Lets held refreshes answer. */
    release() {
      for (const deferred of state.held.splice(0)) deferred.resolve();
    },
    callsTo(path: string | RegExp) {
      return calls.filter((call) => (typeof path === 'string' ? call.path === path : path.test(call.path)));
    },
  };
}

export function memoryStorage(): { local: KeyValueStore; session: KeyValueStore } {
  return { local: new MemoryStore(), session: new MemoryStore() };
}

let messageCounter = 0;
export function message(partial: Partial<Message> & Pick<Message, 'role'>): Message {
  messageCounter += 1;
  return { id: `msg_${messageCounter}`, text: '', createdAt: '2026-03-01T10:00:00.000Z', citations: [], ...partial };
}

/** A well-formed (unsigned) JWT carrying `sub`, as a host would sign it. */
export function fakeJwt(sub: string): string {
  const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub, name: 'Alice' })}.signature`;
}
