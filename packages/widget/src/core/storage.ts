/**
 * What survives a reload: the session (per customer), the outbox of unsent
 * messages, and what the transcript cannot tell (the escalation mode, the
 * confirmation cards seen in this browser, the training-consent answer: a
 * token refresh does not repeat it as a session response does; the end-of-chat
 * rating, which no response repeats). A guest's session lives in
 * sessionStorage (this tab only); a signed-in customer's in localStorage, so
 * that every tab and every reload reopens the same conversation and tabs
 * share the rotating token. Storage failures (private mode, quotas) are
 * ignored: the widget then just starts over on reload.
 */
import type { ActionCard, ConversationRating, EscalationMode, PendingRating } from './conversation.js';
import { browser } from './env.js';

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface StoredSession {
  sessionId: string;
  token: string;
  expiresAt: string;
  wsUrl: string;
}

export interface StoredExtras {
  escalationMode?: EscalationMode | null;
  ticketId?: string | null;
  actions?: ActionCard[];
  trainingConsent?: boolean | null;
  /** An answer not yet confirmed by the service. */
  consentPending?: boolean | null;
  /** The end-of-chat rating the service confirmed, and one not confirmed yet. */
  conversationRating?: ConversationRating | null;
  ratingPending?: PendingRating | null;
  ratingComment?: string | null;
}

export interface StoredOutboxEntry {
  clientMessageId: string;
  text: string;
  createdAt: string;
}

const PREFIX = 'support-widget:v1';

/** In-memory fallback when Web Storage is not available. */
export class MemoryStore implements KeyValueStore {
  private readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

export function browserStore(kind: 'local' | 'session'): KeyValueStore {
  try {
    const store = kind === 'local' ? browser().localStorage : browser().sessionStorage;
    if (store) {
      const probe = `${PREFIX}:probe`;
      store.setItem(probe, '1');
      store.removeItem(probe);
      return store;
    }
  } catch {
    // blocked (sandboxed iframe, privacy settings)
  }
  return new MemoryStore();
}

function read<T>(store: KeyValueStore, key: string): T | null {
  try {
    const raw = store.getItem(key);
    return raw === null ? null : (JSON.parse(raw) as T);
  } catch {
    return null;
  }
}

function write(store: KeyValueStore, key: string, value: unknown): void {
  try {
    if (value === null) store.removeItem(key);
    else store.setItem(key, JSON.stringify(value));
  } catch {
    // quota or blocked: nothing to do
  }
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** The `sub` claim of a host JWT, read without verifying (only to key storage per customer; the service verifies). */
export function customerKeyOf(customerToken: string | null): string {
  if (!customerToken) return 'guest';
  const payload = customerToken.split('.')[1];
  if (payload) {
    try {
      const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
      const claims = JSON.parse(json) as { sub?: unknown };
      if (typeof claims.sub === 'string' && claims.sub) return `customer:${claims.sub}`;
    } catch {
      // not a JWT we can read: one shared slot for signed-in customers
    }
  }
  return 'customer';
}

export class WidgetStorage {
  private readonly scope: string;

  constructor(
    private readonly stores: { local: KeyValueStore; session: KeyValueStore },
    serviceUrl: string,
  ) {
    this.scope = `${PREFIX}:${serviceUrl || 'self'}`;
  }

  private storeFor(customerKey: string): KeyValueStore {
    return customerKey === 'guest' ? this.stores.session : this.stores.local;
  }

  loadSession(customerKey: string): StoredSession | null {
    const saved = read<Partial<StoredSession>>(this.storeFor(customerKey), `${this.scope}:session:${customerKey}`);
    if (!saved || !isString(saved.sessionId) || !isString(saved.token) || !isString(saved.expiresAt)) return null;
    return { sessionId: saved.sessionId, token: saved.token, expiresAt: saved.expiresAt, wsUrl: isString(saved.wsUrl) ? saved.wsUrl : '/support/chat/ws' };
  }

  saveSession(customerKey: string, session: StoredSession | null): void {
    write(this.storeFor(customerKey), `${this.scope}:session:${customerKey}`, session);
  }

  /** Unsent messages stay with the tab (sessionStorage), whoever the customer is. */
  loadOutbox(sessionId: string): StoredOutboxEntry[] {
    const saved = read<unknown>(this.stores.session, `${this.scope}:outbox:${sessionId}`);
    if (!Array.isArray(saved)) return [];
    return saved.filter(
      (entry): entry is StoredOutboxEntry =>
        typeof entry === 'object' && entry !== null && isString((entry as StoredOutboxEntry).clientMessageId) && isString((entry as StoredOutboxEntry).text),
    ).map((entry) => ({ clientMessageId: entry.clientMessageId, text: entry.text, createdAt: isString(entry.createdAt) ? entry.createdAt : new Date().toISOString() }));
  }

  saveOutbox(sessionId: string, entries: StoredOutboxEntry[]): void {
    write(this.stores.session, `${this.scope}:outbox:${sessionId}`, entries.length > 0 ? entries : null);
  }

  loadExtras(customerKey: string, sessionId: string): StoredExtras {
    return read<StoredExtras>(this.storeFor(customerKey), `${this.scope}:extras:${sessionId}`) ?? {};
  }

  saveExtras(customerKey: string, sessionId: string, extras: StoredExtras): void {
    write(this.storeFor(customerKey), `${this.scope}:extras:${sessionId}`, extras);
  }
}
