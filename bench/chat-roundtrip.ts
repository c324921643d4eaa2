/**
 * Chat round-trip benchmark: the full service (websocket → store → AI proxy
 * with the local provider and KB retrieval → stored reply) against a raw
 * websocket echo server on the same machine, in the same run.
 *
 *   npm run bench                       # defaults
 *   npm run bench -- --messages 300 --concurrency 8
 */
import { parseArgs } from 'node:util';
import { WebSocketServer, WebSocket } from 'ws';
import { ChatTestClient } from '../packages/server/test/chat-client.js';
import { openSession, startTestServer } from '../packages/server/test/test-server.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
  },
});
const totalMessages = Number(values.messages);
const concurrency = Number(values.concurrency);

const questions = [
  'How much does it cost to cancel a flight?',
  'How long does a refund take?',
  'What is the cabin baggage allowance?',
  'I forgot my password',
  'Can I bring my dog?',
];

interface Row {
  scenario: string;
  messages: number;
  concurrency: number;
  p50: number;
  p95: number;
  p99: number;
  throughput: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function measure(scenario: string, workers: number, perWorker: number, roundTrip: (worker: number, index: number) => Promise<void>): Promise<Row> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let index = 0; index < perWorker; index += 1) {
        const t0 = performance.now();
        await roundTrip(worker, index);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    scenario,
    messages: latencies.length,
    concurrency: workers,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    throughput: latencies.length / seconds,
  };
}

async function echoBaseline(workers: number, perWorker: number): Promise<Row> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => socket.on('message', (data) => socket.send(data.toString())));
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const sockets = await Promise.all(
    Array.from({ length: workers }, () => new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`);
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    })),
  );
  const row = await measure('raw ws echo (baseline)', workers, perWorker, (worker, index) => {
    const socket = sockets[worker]!;
    return new Promise<void>((resolve) => {
      socket.once('message', () => resolve());
      socket.send(JSON.stringify({ type: 'send_message', clientMessageId: `${worker}-${index}`, text: questions[index % questions.length] }));
    });
  });
  for (const socket of sockets) socket.close();
  server.close();
  return row;
}

async function chatService(workers: number, perWorker: number): Promise<Row> {
  const server = await startTestServer();
  try {
    const clients = await Promise.all(
      Array.from({ length: workers }, async () => ChatTestClient.connect(server.url, (await openSession(server.url)).token)),
    );
    // Warm-up: first queries compile plans and load the WASM paths.
    await clients[0]!.ask('warm up: how long does a refund take?');
    return await measure('chat service (local AI + KB)', workers, perWorker, async (worker, index) => {
      await clients[worker]!.ask(questions[index % questions.length]!, `b-${worker}-${index}`);
    });
  } finally {
    await server.close();
  }
}

const perWorker = Math.max(1, Math.floor(totalMessages / concurrency));
const rows = [await echoBaseline(1, perWorker * concurrency), await echoBaseline(concurrency, perWorker), await chatService(1, perWorker), await chatService(concurrency, perWorker)];

const format = (value: number) => value.toFixed(2).padStart(9);
console.log(`\nNode ${process.version}, ${rows[0]?.messages} messages per scenario unless noted; latency in ms (send → final reply)\n`);
console.log(`${'scenario'.padEnd(32)} ${'msgs'.padStart(5)} ${'conc'.padStart(5)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)} ${'msg/s'.padStart(9)}`);
for (const row of rows) {
  console.log(`${row.scenario.padEnd(32)} ${String(row.messages).padStart(5)} ${String(row.concurrency).padStart(5)} ${format(row.p50)} ${format(row.p95)} ${format(row.p99)} ${format(row.throughput)}`);
}
const baseline = rows[1]!;
const chat = rows[3]!;
console.log(`\nAt concurrency ${concurrency} the chat service answers at ${(chat.throughput / baseline.throughput * 100).toFixed(2)}% of the raw echo rate; its p50 is ${(chat.p50 / Math.max(baseline.p50, 0.001)).toFixed(0)}× the echo's.`);
