import type { WebSocket } from 'ws';

/** Bytes waiting to go out to one client before it stops being read from. */
export const PAUSE_READING_ABOVE_BYTES = 512 * 1024;
/** …and where reading starts again. */
export const RESUME_READING_BELOW_BYTES = 64 * 1024;
/** A client this far behind is not reading: it is disconnected instead of costing more memory. */
export const DISCONNECT_ABOVE_BYTES = 4 * 1024 * 1024;

/**
 * Back-pressure for one socket. Everything the service sends to a client goes
 * through `send`; when the client reads slower than it asks, its outbound
 * buffer grows, and then:
 * - above PAUSE_READING_ABOVE_BYTES the socket is no longer read, so the
 *   client cannot ask for more work until it has taken what it was sent;
 * - above DISCONNECT_ABOVE_BYTES it is closed with `slowReaderCloseCode`.
 * `drained()` lets long replays (resume) wait between pages.
 */
export class OutboundFlow {
  private pausedForOutput = false;
  private waiters: Array<() => void> = [];
  /** Writes that reached the client's TCP connection: progress that proves a slow client alive. */
  writesCompleted = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly gate: ReadGate,
    private readonly onSlowReader: () => void,
  ) {}

  send(payload: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > DISCONNECT_ABOVE_BYTES) {
      this.onSlowReader();
      return;
    }
    this.socket.send(payload, () => this.afterWrite());
    if (!this.pausedForOutput && this.socket.bufferedAmount > PAUSE_READING_ABOVE_BYTES) {
      this.pausedForOutput = true;
      this.gate.hold('output');
    }
  }

  /**
   * Resolves once the outbound buffer is below the resume mark (at once if it
   * is): true while the socket is open, false once it is not, so that a long
   * replay stops instead of reading the rest of a transcript for nobody.
   */
  async drained(): Promise<boolean> {
    if (this.socket.readyState === this.socket.OPEN && this.socket.bufferedAmount >= RESUME_READING_BELOW_BYTES) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.socket.readyState === this.socket.OPEN;
  }

  /** The socket closed: nobody waits for a drain that will not come. */
  release(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private afterWrite(): void {
    this.writesCompleted += 1;
    if (this.socket.bufferedAmount >= RESUME_READING_BELOW_BYTES && this.socket.readyState === this.socket.OPEN) return;
    if (this.pausedForOutput) {
      this.pausedForOutput = false;
      this.gate.release('output');
    }
    this.release();
  }
}

/**
 * Whether a socket is read from. Several reasons can stop reading at once (a
 * full outbound buffer, a full intake queue); reading resumes when none holds.
 */
export class ReadGate {
  private readonly holds = new Set<string>();

  constructor(private readonly socket: WebSocket) {}

  hold(reason: string): void {
    if (this.holds.size === 0 && this.socket.readyState === this.socket.OPEN) this.socket.pause();
    this.holds.add(reason);
  }

  release(reason: string): void {
    if (!this.holds.delete(reason) || this.holds.size > 0) return;
    if (this.socket.readyState === this.socket.OPEN) this.socket.resume();
  }
}
