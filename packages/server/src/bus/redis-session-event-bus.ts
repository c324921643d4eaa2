import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { sessionBusEventSchema, type SessionBusEvent, type SessionEventBus } from './session-event-bus.js';

/** Streaming noise: not worth sending late (the final `message` carries the whole reply). */
const EPHEMERAL_EVENTS = new Set<SessionBusEvent['type']>(['message_delta', 'typing', 'session_events_gap']);
/** Failed publishes kept for Redis's return: the newest this many, none older than MAX_UNSENT_AGE_MS. */
const MAX_UNSENT = 1000;
const MAX_UNSENT_AGE_MS = 10 * 60_000;

/**
 * Server mode: session events travel through Redis pub/sub, so a reply made
 * on one node reaches the customer's websocket on another. Each node keeps
 * one subscriber connection and subscribes to a session's channel while it
 * holds at least one socket of that session.
 *
 * Pub/sub is at most once, so both ends cover Redis outages: a subscriber
 * that was away tells its sockets of the gap (they are sent what was stored
 * meanwhile), and a publish that failed (a stored reply, an escalation) is
 * published again when this node's connection is back — a subscriber on
 * another node may have returned sooner and replayed before the reply was
 * stored. Clients keep messages by id, so a late copy is harmless.
 */
export class RedisSessionEventBus implements SessionEventBus {
  private readonly local = new EventEmitter();
  private readonly prefix: string;
  private readonly readyTimeoutMs: number;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    options: { prefix?: string; onError?: (error: unknown) => void; readyTimeoutMs?: number } = {},
  ) {
    this.prefix = options.prefix ?? 'support:session:';
    this.readyTimeoutMs = options.readyTimeoutMs ?? 3000;
    this.local.setMaxListeners(0);
    this.subscriber.on('message', (channel: string, payload: string) => {
      if (!channel.startsWith(this.prefix)) return;
      let raw: unknown;
      try {
        raw = JSON.parse(payload);
      } catch {
        return;
      }
      // Parse, don't trust: whatever is on the channel must be a contract or control event.
      const event = sessionBusEventSchema.safeParse(raw);
      if (event.success) this.local.emit(channel.slice(this.prefix.length), event.data);
    });
    this.onError = options.onError ?? (() => {});
    this.publisher.on('ready', () => this.publishUnsent());
    // Pub/sub is at most once: what was published while this subscriber was away is gone. Once it is
    // back (ioredis re-subscribes), each session's channel is confirmed and its sockets told of the gap.
    let interrupted = false;
    this.subscriber.on('close', () => {
      interrupted = true;
    });
    this.subscriber.on('ready', () => {
      if (!interrupted) return;
      interrupted = false;
      for (const sessionId of this.local.eventNames()) {
        if (typeof sessionId !== 'string') continue;
        this.subscriber
          .subscribe(`${this.prefix}${sessionId}`)
          .then(() => this.local.emit(sessionId, { type: 'session_events_gap' } satisfies SessionBusEvent))
          .catch(this.onError);
      }
    });
  }

  private readonly onError: (error: unknown) => void;
  private unsent: Array<{ channel: string; payload: string; at: number }> = [];

  publish(sessionId: string, event: SessionBusEvent): void {
    this.send(`${this.prefix}${sessionId}`, JSON.stringify(event), EPHEMERAL_EVENTS.has(event.type) ? null : Date.now());
  }

  /** `firstTriedAt`: when the event was first published, null for events not worth sending late. */
  private send(channel: string, payload: string, firstTriedAt: number | null): void {
    this.publisher.publish(channel, payload).catch((error: unknown) => {
      this.onError(error);
      if (firstTriedAt === null) return;
      this.unsent.push({ channel, payload, at: firstTriedAt });
      if (this.unsent.length > MAX_UNSENT) this.unsent.splice(0, this.unsent.length - MAX_UNSENT);
    });
  }

  /** Redis is back for this node's publisher: what failed meanwhile goes out now, in order. */
  private publishUnsent(): void {
    const cutoff = Date.now() - MAX_UNSENT_AGE_MS;
    const due = this.unsent.filter((entry) => entry.at >= cutoff);
    this.unsent = [];
    for (const entry of due) this.send(entry.channel, entry.payload, entry.at);
  }

  /** Publishes waiting for Redis to come back (tests read it). */
  get unsentCount(): number {
    return this.unsent.length;
  }

  subscribe(sessionId: string, listener: (event: SessionBusEvent) => void): () => void {
    if (this.local.listenerCount(sessionId) === 0) this.subscriber.subscribe(`${this.prefix}${sessionId}`).catch(this.onError);
    this.local.on(sessionId, listener);
    return () => {
      this.local.off(sessionId, listener);
      if (this.local.listenerCount(sessionId) === 0) this.subscriber.unsubscribe(`${this.prefix}${sessionId}`).catch(this.onError);
    };
  }

  /**
   * Resolves once Redis has confirmed the session's subscription; rejects
   * after `readyTimeoutMs` while Redis is away, so a connecting socket is told
   * to retry (1013) instead of waiting for Redis to come back.
   */
  async ready(sessionId: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.subscriber.subscribe(`${this.prefix}${sessionId}`),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('redis subscription not confirmed in time')), this.readyTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The subscriber connection is this bus's own; the publisher belongs to the caller. */
  close(): void {
    this.subscriber.disconnect();
  }
}
