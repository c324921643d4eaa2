import WebSocket from 'ws';
import { serverEventSchema, type Message, type ServerEvent } from '@support/protocol';

/**
 * A protocol client for tests: a real websocket that records every server
 * event (validated against the contract's schema) and waits for the ones a
 * test expects.
 */
export class ChatTestClient {
  readonly events: ServerEvent[] = [];
  readonly invalidFrames: string[] = [];
  /**
   * Every frame received, as text and in arrival order, before any parsing:
   * `events` drops fields the contract does not know and `invalidFrames`
   * holds only what failed it, so whoever checks what reached the client
   * (the leak detectors) reads these.
   */
  readonly rawFrames: string[] = [];
  closeCode: number | null = null;
  private waiters: Array<{ predicate: (event: ServerEvent) => boolean; resolve: (event: ServerEvent) => void }> = [];
  private closeWaiters: Array<(code: number) => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const text = data.toString();
      this.rawFrames.push(text);
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        this.invalidFrames.push(text);
        return;
      }
      const parsed = serverEventSchema.safeParse(raw);
      if (!parsed.success) {
        this.invalidFrames.push(text);
        return;
      }
      this.events.push(parsed.data);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(parsed.data)) return true;
        waiter.resolve(parsed.data);
        return false;
      });
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      for (const waiter of this.closeWaiters) waiter(code);
    });
  }

  static async connect(baseUrl: string, token: string): Promise<ChatTestClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/support/chat/ws?token=${encodeURIComponent(token)}`;
    const socket = new WebSocket(url);
    const client = new ChatTestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(event: unknown): void {
    this.socket.send(typeof event === 'string' ? event : JSON.stringify(event));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.socket.send(data, { binary: options.binary ?? false });
  }

  /** The first event matching `predicate` recorded at index `from` or later, or arriving in the future. */
  waitFor<T extends ServerEvent['type']>(
    type: T,
    predicate: (event: Extract<ServerEvent, { type: T }>) => boolean = () => true,
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<Extract<ServerEvent, { type: T }>> {
    const matches = (event: ServerEvent): event is Extract<ServerEvent, { type: T }> =>
      event.type === type && predicate(event as Extract<ServerEvent, { type: T }>);
    const seen = this.events.slice(options.from ?? 0).find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${type}; got ${JSON.stringify(this.events.map((e) => e.type))}`)),
        options.timeoutMs ?? 10_000,
      );
      this.waiters.push({
        predicate: matches,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event as Extract<ServerEvent, { type: T }>);
        },
      });
    });
  }

  /** Sends a message and resolves with its ack and the reply that follows (assistant or system). */
  async ask(text: string, clientMessageId = `c-${Math.random().toString(36).slice(2)}`) {
    const from = this.events.length;
    this.send({ type: 'send_message', clientMessageId, text });
    const ack = await this.waitFor('ack', (event) => event.clientMessageId === clientMessageId, { from });
    const reply = await this.waitFor('message', (event) => event.message.role !== 'user', { from });
    return { ack, reply: reply.message, clientMessageId, from };
  }

  waitForClose(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for close')), timeoutMs);
      this.closeWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  /** Resolves once `predicate` holds over the events received so far (checked as each event arrives). */
  waitUntil(predicate: (events: ServerEvent[]) => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate(this.events)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off('message', check);
        reject(new Error(`timed out waiting for a condition; got ${JSON.stringify(this.events.map((e) => e.type))}`));
      }, timeoutMs);
      // Listens after the recording listener, so the event is already in `events`.
      const check = () => {
        if (!predicate(this.events)) return;
        clearTimeout(timer);
        this.socket.off('message', check);
        resolve();
      };
      this.socket.on('message', check);
    });
  }

  /** Waits until no new event arrived for `quietMs`: for asserting that something did NOT happen. */
  async settle(quietMs = 300): Promise<void> {
    let count = -1;
    while (count !== this.events.length) {
      count = this.events.length;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** One question from a new guest session on a fresh socket; resolves with the reply. */
export async function askAsNewGuest(baseUrl: string, text: string) {
  const { openSession } = await import('./test-server.js');
  const session = await openSession(baseUrl);
  const client = await ChatTestClient.connect(baseUrl, session.token);
  try {
    return (await client.ask(text)).reply;
  } finally {
    client.close();
  }
}

/**
 * What a client does after its socket closed (a crash, a restart): reconnect
 * to `baseUrl` and `resume`. Resolves with the reply to `messageId` once it
 * came, after checking that it is the only reply to that message the client
 * got (a reply may arrive live and again in the replay: one id, one reply).
 */
export async function resumeForReply(baseUrl: string, token: string, messageId: string, timeoutMs = 60_000): Promise<Message> {
  const client = await ChatTestClient.connect(baseUrl, token);
  try {
    await client.waitFor('session_state');
    client.send({ type: 'resume' });
    const reply = await client.waitFor('message', (event) => event.message.replyToMessageId === messageId, { timeoutMs });
    await client.settle(300);
    const replyIds = new Set(client.events.flatMap((event) => (event.type === 'message' && event.message.replyToMessageId === messageId ? [event.message.id] : [])));
    if (replyIds.size !== 1) throw new Error(`message ${messageId} got ${replyIds.size} different replies: ${[...replyIds].join(', ')}`);
    return reply.message;
  } finally {
    client.close();
  }
}
