import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { DISCONNECT_ABOVE_BYTES, OutboundFlow, PAUSE_READING_ABOVE_BYTES, ReadGate, RESUME_READING_BELOW_BYTES } from './outbound-flow.js';

/** A socket whose outbound buffer the test fills and drains by hand. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  paused = false;
  sent: string[] = [];
  private callbacks: Array<() => void> = [];

  send(payload: string, callback: () => void): void {
    this.sent.push(payload);
    this.bufferedAmount += payload.length;
    this.callbacks.push(callback);
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  /** The client read everything: the buffer empties and write callbacks fire. */
  drainAll(): void {
    this.bufferedAmount = 0;
    for (const callback of this.callbacks.splice(0)) callback();
  }
}

function setup() {
  const socket = new FakeSocket();
  const ws = socket as unknown as WebSocket;
  let slow = 0;
  const flow = new OutboundFlow(ws, new ReadGate(ws), () => (slow += 1));
  return { socket, flow, slowCount: () => slow };
}

describe('OutboundFlow', () => {
  it('stops reading a client whose outbound buffer passes the pause mark, and reads again once drained', () => {
    const { socket, flow } = setup();
    flow.send('x'.repeat(PAUSE_READING_ABOVE_BYTES - 10));
    expect(socket.paused).toBe(false);
    flow.send('x'.repeat(100));
    expect(socket.paused).toBe(true);
    socket.drainAll();
    expect(socket.bufferedAmount).toBeLessThan(RESUME_READING_BELOW_BYTES);
    expect(socket.paused).toBe(false);
  });

  it('disconnects a client that is far behind instead of buffering more', () => {
    const { socket, flow, slowCount } = setup();
    flow.send('x'.repeat(DISCONNECT_ABOVE_BYTES + 1));
    flow.send('one more');
    expect(slowCount()).toBe(1);
    expect(socket.sent.length).toBe(1);
  });

  it('lets a replay wait for the drain', async () => {
    const { socket, flow } = setup();
    flow.send('x'.repeat(PAUSE_READING_ABOVE_BYTES + 1));
    let drained = false;
    const waiting = flow.drained().then((open) => (drained = open));
    await Promise.resolve();
    expect(drained).toBe(false);
    socket.drainAll();
    await waiting;
    expect(drained).toBe(true);
    await expect(flow.drained()).resolves.toBe(true);
    // Once the socket is gone, a replay learns it and stops.
    socket.readyState = 3;
    await expect(flow.drained()).resolves.toBe(false);
  });

  it('keeps reading paused while another reason (a full intake queue) still holds it', () => {
    const socket = new FakeSocket();
    const ws = socket as unknown as WebSocket;
    const gate = new ReadGate(ws);
    const flow = new OutboundFlow(ws, gate, () => {});
    gate.hold('intake');
    flow.send('x'.repeat(PAUSE_READING_ABOVE_BYTES + 1));
    socket.drainAll();
    expect(socket.paused).toBe(true);
    gate.release('intake');
    expect(socket.paused).toBe(false);
  });
});
