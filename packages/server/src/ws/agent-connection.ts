import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { agentClientEventSchema, type AgentClientEvent, type AgentServerEvent } from '@support/protocol';
import type { AgentAccount } from '../agents/agent-accounts.js';
import type { AgentDesk } from '../agents/agent-desk.js';
import type { AgentPresence, PresenceHandle } from '../agents/agent-presence.js';
import type { QueueDrain } from '../agents/queue-drain.js';
import type { AgentTokens } from '../agents/agent-tokens.js';
import { AGENT_DESK_CHANNEL, type SessionBusEvent, type SessionEventBus } from '../bus/session-event-bus.js';
import { mapError } from '../http/error-mapping.js';
import { CLOSE_SLOW_READER, CLOSE_TOO_MANY_REQUESTS, CLOSE_TRY_AGAIN_LATER, CLOSE_UNAUTHORIZED } from './chat-connection.js';
import { TokenBucket, type Budget } from './frame-budgets.js';
import { OutboundFlow, ReadGate } from './outbound-flow.js';

export const AGENT_WS_PATH = '/support/agent/ws';
const HEARTBEAT_MS = 30_000;
/** An agent frame is small: presence or a typing ping. */
const MAX_AGENT_FRAME_BYTES = 4096;
const AGENT_BUDGETS: Record<AgentClientEvent['type'] | 'invalid', Budget> = {
  presence: { burst: 5, perMinute: 30 },
  // The console sends one every 2 s while the agent types.
  typing: { burst: 5, perMinute: 60 },
  invalid: { burst: 5, perMinute: 10 },
};
/** Refused frames per minute before the socket is closed. */
const REFUSALS: Budget = { burst: 10, perMinute: 10 };

export interface AgentSocketDeps {
  tokens: AgentTokens;
  desk: AgentDesk;
  presence: AgentPresence;
  bus: SessionEventBus;
  /** An agent who is (back) online gets the customers waiting in the live queue. */
  drain: Pick<QueueDrain, 'offer'>;
}

/**
 * One agent websocket: the live queue (every agent sees every change, from
 * any node, through AGENT_DESK_CHANNEL), the customer messages of the
 * conversations this agent holds, presence (online while a socket is open,
 * online/away as the agent says), and typing indicators to the customer.
 */
class AgentConnection {
  private readonly flow: OutboundFlow;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly refusals = new TokenBucket(REFUSALS);
  private readonly releases: Array<() => unknown> = [];
  private readonly connected: Promise<AgentAccount | null>;
  private presence: PresenceHandle | undefined;
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: WebSocket,
    token: string | undefined,
    private readonly log: FastifyBaseLogger,
    private readonly deps: AgentSocketDeps,
  ) {
    const gate = new ReadGate(socket);
    this.flow = new OutboundFlow(socket, gate, () => this.close(CLOSE_SLOW_READER, 'slow_reader'));
    socket.on('message', (data: RawData, isBinary: boolean) => this.onFrame(data, isBinary));
    socket.on('close', () => {
      for (const release of this.releases.splice(0)) release();
      this.flow.release();
    });
    this.startHeartbeat();
    this.connected = this.connect(token);
  }

  private send(event: AgentServerEvent): void {
    this.flow.send(JSON.stringify(event));
  }

  private close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
  }

  private async connect(token: string | undefined): Promise<AgentAccount | null> {
    let agent: AgentAccount;
    try {
      agent = await this.deps.tokens.authenticate(token);
    } catch (error) {
      const mapped = mapError(error);
      this.send({ type: 'error', code: mapped.unexpected ? 'unavailable' : mapped.body.error.code, message: mapped.unexpected ? 'The service is briefly unavailable; reconnect in a moment.' : mapped.body.error.message });
      if (mapped.unexpected) this.log.warn({ err: error }, 'agent websocket authentication failed; told the client to retry');
      this.close(mapped.unexpected ? CLOSE_TRY_AGAIN_LATER : CLOSE_UNAUTHORIZED, mapped.unexpected ? 'unavailable' : 'unauthorized');
      return null;
    }
    try {
      this.releases.push(this.deps.bus.subscribe(AGENT_DESK_CHANNEL, (event) => this.onDeskEvent(event, agent)));
      await this.deps.bus.ready(AGENT_DESK_CHANNEL);
      if (this.socket.readyState !== this.socket.OPEN) return null;
      const presence = await this.deps.presence.connect(agent.id, 'online');
      this.presence = presence;
      this.releases.push(() => presence.close().catch((error: unknown) => this.log.warn({ err: error }, 'agent presence could not be cleared; it runs out')));
      if (this.socket.readyState !== this.socket.OPEN) return null;
      this.send({ type: 'presence', status: 'online' });
      this.deps.drain.offer(agent.id);
      return agent;
    } catch (error) {
      this.log.error({ err: error }, 'agent websocket setup failed');
      this.send({ type: 'error', code: 'unavailable', message: 'The service is briefly unavailable; reconnect in a moment.' });
      this.close(CLOSE_TRY_AGAIN_LATER, 'unavailable');
      return null;
    }
  }

  private onDeskEvent(event: SessionBusEvent, agent: AgentAccount): void {
    if (event.type === 'desk_queue_updated') {
      this.send({ type: 'queue_updated', ...(event.entry ? { entry: event.entry } : {}), ...(event.removedSessionId ? { removedSessionId: event.removedSessionId } : {}) });
    } else if (event.type === 'desk_customer_message') {
      if (event.assignedTo === agent.id) this.send({ type: 'message', sessionId: event.sessionId, message: event.message });
    } else if (event.type === 'session_events_gap') {
      // The node's subscription was interrupted: changes may have been missed, so the console reloads the queue.
      this.send({ type: 'queue_updated' });
    }
  }

  private spend(kind: string): boolean {
    let bucket = this.buckets.get(kind);
    if (!bucket) {
      bucket = new TokenBucket(AGENT_BUDGETS[kind as keyof typeof AGENT_BUDGETS] ?? AGENT_BUDGETS.invalid);
      this.buckets.set(kind, bucket);
    }
    if (bucket.take()) return true;
    if (!this.refusals.take()) this.close(CLOSE_TOO_MANY_REQUESTS, 'rate_limited');
    else this.send({ type: 'error', code: 'rate_limited', message: 'Too many frames of this kind; slow down.' });
    return false;
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    const text = isBinary ? null : data.toString();
    let event: AgentClientEvent | null = null;
    if (text !== null && text.length <= MAX_AGENT_FRAME_BYTES) {
      try {
        const parsed = agentClientEventSchema.safeParse(JSON.parse(text));
        if (parsed.success) event = parsed.data;
      } catch {
        // Not JSON: answered below like any other bad frame.
      }
    }
    if (!event) {
      if (this.spend('invalid')) this.send({ type: 'error', code: 'invalid_message', message: 'Expected {"type":"presence","status":"online"|"away"} or {"type":"typing","sessionId":"..."}.' });
      return;
    }
    if (!this.spend(event.type)) return;
    const handled = event;
    // One frame at a time, after authentication.
    this.work = this.work
      .then(async () => {
        const agent = await this.connected;
        if (agent) await this.handle(agent, handled);
      })
      .catch((error: unknown) => {
        const mapped = mapError(error);
        if (mapped.unexpected) this.log.error({ err: error }, 'agent frame failed');
        this.send({ type: 'error', code: mapped.body.error.code, message: mapped.body.error.message });
      });
  }

  private async handle(agent: AgentAccount, event: AgentClientEvent): Promise<void> {
    if (event.type === 'presence') {
      await this.presence?.setStatus(event.status);
      this.send({ type: 'presence', status: event.status });
      if (event.status === 'online') this.deps.drain.offer(agent.id);
      return;
    }
    // Only the holder's typing reaches the customer.
    if (await this.deps.desk.holds(agent.id, event.sessionId)) this.deps.bus.publish(event.sessionId, { type: 'typing', role: 'agent' });
  }

  private startHeartbeat(): void {
    let alive = true;
    const heartbeat = setInterval(() => {
      if (!alive) return this.socket.terminate();
      alive = false;
      this.socket.ping();
    }, HEARTBEAT_MS);
    this.socket.on('pong', () => {
      alive = true;
    });
    this.releases.push(() => clearInterval(heartbeat));
  }
}

export function registerAgentSocket(app: FastifyInstance, deps: AgentSocketDeps) {
  app.get(AGENT_WS_PATH, { websocket: true }, (socket, request) => {
    const query = request.query as Record<string, unknown> | undefined;
    new AgentConnection(socket, typeof query?.token === 'string' ? query.token : undefined, request.log, deps);
  });
}
