/**
 * The load benchmark's customers: N websockets on loopback, each one
 * conversation, speaking the chat protocol (docs/protocol.md). A turn is one
 * `send_message` and ends with the assistant's final `message`; its latency
 * runs from when the turn was due (closed loop: when the previous one ended;
 * open loop: its slot in the arrival schedule, so queueing counts) to then.
 * Time to first token is the first `message_delta` of the turn.
 *
 * The same customers run against the raw echo server, so the generator's own
 * cost is in the baseline row too.
 */
import WebSocket from 'ws';

export interface Target {
  /** Each customer's node: customers are spread over them in turn, as a load balancer without stickiness would. */
  baseUrls: string[];
  /** Whether sessions are created over HTTP first (false for the echo server, which has none). */
  sessions: boolean;
}

// Varied as customers are: a question from a template, a place and a party size, so that retrieval and its
// cache meet new text (a fixed handful of questions would be answered from the cache after the first few turns).
const TEMPLATES = [
  'How much does it cost to cancel a flight to {place}?',
  'How long does a refund take for my trip to {place}?',
  'What is the cabin baggage allowance on flights to {place}?',
  'Can I bring my dog on the plane to {place}?',
  'When does online check-in open for my flight to {place}?',
  'Can I change the date of my hotel booking in {place}?',
  'Is breakfast included at the hotel in {place}?',
  'How do I add a checked bag to my booking to {place}?',
];
const PLACES = ['Lisbon', 'Madrid', 'Paris', 'Berlin', 'Rome', 'Athens', 'Dublin', 'Vienna', 'Prague', 'Oslo', 'Zurich', 'Porto', 'Seville', 'Nice', 'Milan', 'Munich'];

function question(sequence: number): string {
  const template = TEMPLATES[sequence % TEMPLATES.length] as string;
  const place = PLACES[Math.floor(sequence / TEMPLATES.length) % PLACES.length] as string;
  return `${template.replace('{place}', place)} We are ${(sequence % 5) + 1} travelling.`;
}

interface Turn {
  dueAt: number;
  sentAt: number;
  firstDeltaAt: number | null;
}

export interface TurnStats {
  /** Turns measured (due after the warm-up). */
  turns: number;
  /** Every turn completed, the warm-up's too: what the CPU accounts are divided by. */
  allTurns: number;
  errors: number;
  seconds: number;
  latencies: number[];
  firstTokens: number[];
}

export class Customer {
  private current: Turn | null = null;
  private readonly backlog: number[] = [];
  private sequence = 0;
  /** Where this customer starts in the list of questions: customers do not ask in step. */
  private readonly offset = Math.floor(Math.random() * 1000);
  onTurn: ((turn: Turn, endedAt: number) => void) | null = null;
  onError: (() => void) | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(data.toString()));
  }

  static async open(baseUrl: string, withSession: boolean): Promise<Customer> {
    let token = 'echo';
    if (withSession) {
      const response = await fetch(`${baseUrl}/support/chat/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (response.status !== 201) throw new Error(`session creation failed: ${response.status} ${await response.text()}`);
      token = ((await response.json()) as { token: string }).token;
    }
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/support/chat/ws?token=${encodeURIComponent(token)}`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new Customer(socket);
  }

  get busy(): boolean {
    return this.current !== null;
  }

  /** A turn due at `dueAt`: sent now, or after the turns already waiting on this socket. */
  ask(dueAt: number): void {
    if (this.current) {
      this.backlog.push(dueAt);
      return;
    }
    this.send(dueAt);
  }

  private send(dueAt: number): void {
    this.sequence += 1;
    this.current = { dueAt, sentAt: performance.now(), firstDeltaAt: null };
    this.socket.send(JSON.stringify({ type: 'send_message', clientMessageId: `t${this.sequence}`, text: question(this.sequence + this.offset) }));
  }

  private receive(text: string): void {
    const turn = this.current;
    if (!turn) return;
    // Cheap checks first: most frames are deltas.
    if (text.startsWith('{"type":"message_delta"')) {
      turn.firstDeltaAt ??= performance.now();
      return;
    }
    if (text.startsWith('{"type":"error"')) {
      this.onError?.();
      this.finish(turn);
      return;
    }
    if (!text.startsWith('{"type":"message"')) return;
    const event = JSON.parse(text) as { message?: { role?: string } };
    if (event.message?.role !== 'assistant' && event.message?.role !== 'system') return;
    this.finish(turn);
  }

  private finish(turn: Turn): void {
    this.current = null;
    this.onTurn?.(turn, performance.now());
    const next = this.backlog.shift();
    if (next !== undefined) this.send(next);
  }

  close(): void {
    this.socket.terminate();
  }
}

/** `count` customers spread over the target's nodes, opened a few at a time. */
export async function openCustomers(target: Target, count: number): Promise<Customer[]> {
  const customers: Customer[] = [];
  const batch = 50;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    customers.push(...(await Promise.all(Array.from({ length: size }, (_, index) => Customer.open(target.baseUrls[(start + index) % target.baseUrls.length] as string, target.sessions)))));
  }
  return customers;
}

function collector(customers: Customer[], measureFrom: number) {
  const stats: TurnStats = { turns: 0, allTurns: 0, errors: 0, seconds: 0, latencies: [], firstTokens: [] };
  for (const customer of customers) {
    customer.onError = () => {
      stats.errors += 1;
    };
  }
  const record = (turn: Turn, endedAt: number) => {
    stats.allTurns += 1;
    if (turn.dueAt < measureFrom) return;
    stats.turns += 1;
    stats.latencies.push(endedAt - turn.dueAt);
    if (turn.firstDeltaAt !== null) stats.firstTokens.push(turn.firstDeltaAt - turn.sentAt);
  };
  return { stats, record };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Until they are done: customers that still wait for a reply. */
async function drain(customers: Customer[], timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (customers.some((customer) => customer.busy) && performance.now() < until) await sleep(20);
}

/** Closed loop: every customer asks again as soon as its reply is complete, for `seconds` after a warm-up. */
export async function closedLoop(customers: Customer[], options: { seconds: number; warmupSeconds: number }): Promise<TurnStats> {
  const started = performance.now();
  const measureFrom = started + options.warmupSeconds * 1000;
  const stopAt = measureFrom + options.seconds * 1000;
  const { stats, record } = collector(customers, measureFrom);
  for (const customer of customers) {
    customer.onTurn = (turn, endedAt) => {
      record(turn, endedAt);
      if (endedAt < stopAt) customer.ask(endedAt);
    };
    customer.ask(performance.now());
  }
  await sleep(stopAt - performance.now());
  const measured = (performance.now() - measureFrom) / 1000;
  await drain(customers, 30_000);
  stats.seconds = measured;
  for (const customer of customers) customer.onTurn = null;
  return stats;
}

/**
 * Open loop: turns arrive at `rate` per second whatever the replies do,
 * spread over the customers in turn (a customer still waiting queues its
 * next turn, and the wait counts in its latency).
 */
export async function openLoop(customers: Customer[], options: { rate: number; seconds: number; warmupSeconds: number }): Promise<TurnStats> {
  const started = performance.now();
  const measureFrom = started + options.warmupSeconds * 1000;
  const stopAt = measureFrom + options.seconds * 1000;
  const { stats, record } = collector(customers, measureFrom);
  for (const customer of customers) customer.onTurn = record;
  const interval = 1000 / options.rate;
  let next = started;
  let index = 0;
  // A 1 ms tick sends every turn whose slot has come: a late tick catches up instead of dropping arrivals.
  while (next < stopAt) {
    const now = performance.now();
    while (next <= now && next < stopAt) {
      (customers[index % customers.length] as Customer).ask(next);
      index += 1;
      next += interval;
    }
    await sleep(1);
  }
  await drain(customers, 30_000);
  stats.seconds = options.seconds;
  for (const customer of customers) customer.onTurn = null;
  return stats;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
