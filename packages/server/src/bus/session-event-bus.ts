import { EventEmitter } from 'node:events';
import type { ServerEvent } from '@support/protocol';

/**
 * Delivers server events to every connection of a session. In-process here;
 * server mode swaps in a Redis pub/sub implementation so that a reply made on
 * one node reaches a websocket held by another.
 */
export interface SessionEventBus {
  publish(sessionId: string, event: ServerEvent): void;
  subscribe(sessionId: string, listener: (event: ServerEvent) => void): () => void;
  /** Resolves when events published from now on reach this node's subscribers of the session. */
  ready(sessionId: string): Promise<void>;
}

export class InProcessSessionEventBus implements SessionEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open websocket; thousands of sessions are normal.
    this.emitter.setMaxListeners(0);
  }

  publish(sessionId: string, event: ServerEvent): void {
    this.emitter.emit(sessionId, event);
  }

  subscribe(sessionId: string, listener: (event: ServerEvent) => void): () => void {
    this.emitter.on(sessionId, listener);
    return () => this.emitter.off(sessionId, listener);
  }

  async ready(): Promise<void> {}
}
