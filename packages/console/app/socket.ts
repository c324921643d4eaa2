/**
 * The agent websocket: queue changes, customer messages, presence. Reconnects
 * with exponential backoff (and jitter) whenever it drops, with the token
 * current at that moment; a socket refused for its token (4401) reports
 * unauthorized once the newest token is refused too.
 */
import { agentServerEventSchema, type AgentClientEvent, type AgentServerEvent, type PresenceStatus } from '@support/protocol';
import { z } from 'zod';

/** Optional in the contract: the customer is typing in a conversation this agent holds. */
const customerTypingSchema = z.object({ type: z.literal('typing'), sessionId: z.string(), role: z.string() });
export type AgentSocketEvent = AgentServerEvent | z.infer<typeof customerTypingSchema>;

export type SocketState = 'connecting' | 'online' | 'offline';

const CLOSE_UNAUTHORIZED = 4401;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15_000;

export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface AgentSocketOptions {
  getToken: () => string | null;
  onUnauthorized: () => void;
  /** Default: same host as the page, ws: or wss: to match. */
  url?: (token: string) => string;
}

type Listener = (event: AgentSocketEvent) => void;
type StateListener = (state: SocketState) => void;

export class AgentSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<StateListener>();
  private desiredPresence: PresenceStatus = 'online';
  state: SocketState = 'offline';

  constructor(private readonly options: AgentSocketOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.reconnectNow);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.reconnectNow);
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'signed_out');
    this.setState('offline');
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Sends when open; false otherwise (nothing is queued: presence is re-sent on reconnect, typing is not worth it). */
  send(event: AgentClientEvent): boolean {
    if (event.type === 'presence') this.desiredPresence = event.status;
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(event));
    return true;
  }

  private readonly reconnectNow = () => {
    if (this.stopped || this.ws) return;
    clearTimeout(this.timer);
    this.connect();
  };

  private defaultUrl(token: string): string {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/support/agent/ws?token=${encodeURIComponent(token)}`;
  }

  private connect(): void {
    const token = this.options.getToken();
    if (!token) {
      this.options.onUnauthorized();
      return;
    }
    this.setState('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.options.url ? this.options.url(token) : this.defaultUrl(token));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.setState('online');
      if (this.desiredPresence !== 'online') ws.send(JSON.stringify({ type: 'presence', status: this.desiredPresence }));
    });
    ws.addEventListener('message', (message) => {
      if (this.ws !== ws || typeof message.data !== 'string') return;
      const event = parseEvent(message.data);
      if (event) for (const listener of this.listeners) listener(event);
    });
    ws.addEventListener('close', (close) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      this.setState('offline');
      if (close.code === CLOSE_UNAUTHORIZED) {
        // Opened with a token that was refreshed meanwhile: try again at once with the new one.
        if (this.options.getToken() !== token) {
          this.connect();
          return;
        }
        this.options.onUnauthorized();
        return;
      }
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setState('offline');
    const delay = backoffDelayMs(this.attempt);
    this.attempt += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private setState(state: SocketState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

function parseEvent(data: string): AgentSocketEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return null;
  }
  const known = agentServerEventSchema.safeParse(raw);
  if (known.success) return known.data;
  const typing = customerTypingSchema.safeParse(raw);
  return typing.success ? typing.data : null; // events this console does not know yet are ignored
}
