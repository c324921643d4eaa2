import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { sessionBusEventSchema, type SessionBusEvent, type SessionEventBus } from './session-event-bus.js';

/**
 * Server mode: session events travel through Redis pub/sub, so a reply made
 * on one node reaches the customer's websocket on another. Each node keeps
 * one subscriber connection and subscribes to a session's channel while it
 * holds at least one socket of that session.
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

  publish(sessionId: string, event: SessionBusEvent): void {
    this.publisher.publish(`${this.prefix}${sessionId}`, JSON.stringify(event)).catch(this.onError);
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
