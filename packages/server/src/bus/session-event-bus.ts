import { EventEmitter } from 'node:events';
import { messageSchema, queueEntrySchema, serverEventSchema, type ServerEvent } from '@support/protocol';
import { z } from 'zod';

/**
 * Service-internal news about a session that its sockets act on and never
 * forward: the session's token was replaced (refresh or resume), so sockets
 * opened with any other token are closed, on every node. It carries the
 * SHA-256 of the current token, never a token.
 */
export const sessionControlEventSchema = z.union([
  z.object({ type: z.literal('session_token_replaced'), currentTokenHash: z.string() }),
  // Emitted on this node only: its subscription was interrupted, so events may have been missed
  // (the sockets replay what was stored since the last message they delivered).
  z.object({ type: z.literal('session_events_gap') }),
  // On AGENT_DESK_CHANNEL only, for agent sockets: the queue changed, or a customer wrote in a handed-over conversation.
  z.object({ type: z.literal('desk_queue_updated'), entry: queueEntrySchema.optional(), removedSessionId: z.string().optional() }),
  z.object({ type: z.literal('desk_customer_message'), sessionId: z.string(), assignedTo: z.string().nullable(), message: messageSchema }),
]);

/** The channel agent sockets listen on (session ids start with ses_, so it is nobody's session). */
export const AGENT_DESK_CHANNEL = 'agent-desk';
export type SessionControlEvent = z.infer<typeof sessionControlEventSchema>;

/** What travels on a session's channel: contract events for its clients, and control events. */
export type SessionBusEvent = ServerEvent | SessionControlEvent;
export const sessionBusEventSchema = z.union([serverEventSchema, sessionControlEventSchema]);

const CONTROL_EVENT_TYPES: ReadonlySet<string> = new Set(sessionControlEventSchema.options.map((option) => option.shape.type.value));

export function isControlEvent(event: SessionBusEvent): event is SessionControlEvent {
  return CONTROL_EVENT_TYPES.has(event.type);
}

/**
 * Delivers server events to every connection of a session. In-process here;
 * server mode swaps in a Redis pub/sub implementation so that a reply made on
 * one node reaches a websocket held by another.
 */
export interface SessionEventBus {
  publish(sessionId: string, event: SessionBusEvent): void;
  subscribe(sessionId: string, listener: (event: SessionBusEvent) => void): () => void;
  /** Resolves when events published from now on reach this node's subscribers of the session. */
  ready(sessionId: string): Promise<void>;
}

export class InProcessSessionEventBus implements SessionEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open websocket; thousands of sessions are normal.
    this.emitter.setMaxListeners(0);
  }

  publish(sessionId: string, event: SessionBusEvent): void {
    this.emitter.emit(sessionId, event);
  }

  subscribe(sessionId: string, listener: (event: SessionBusEvent) => void): () => void {
    this.emitter.on(sessionId, listener);
    return () => this.emitter.off(sessionId, listener);
  }

  async ready(): Promise<void> {}
}
