/**
 * Fault benchmark: clients that follow the contract (resend unacknowledged
 * messages with the same clientMessageId, `resume` after every reconnect)
 * chat with the embedded service while it is stopped and started again on the
 * same data: once with SIGTERM (graceful), once with SIGKILL (a crash). The
 * model is a fake OpenAI-compatible server that takes about a second per
 * reply, so the fault lands mid-reply. For each fault it prints sent /
 * acknowledged / stored / answered / duplicated.
 *
 *   npm run bench:faults
 *   npm run bench:faults -- --messages 200 --clients 10
 *
 * A printout, not a test. Bounded: every client stops after its messages or
 * after --seconds, whichever first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { openDatabase } from '../packages/server/src/storage/open-database.js';
import { startFakeOpenAIServer } from '../packages/server/test/fake-openai-server.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '200' },
    clients: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '120' },
    port: { type: 'string', default: '3918' },
  },
});
const totalMessages = Number(values.messages);
const clientCount = Number(values.clients);
const limitMs = Number(values.seconds) * 1000;
const port = Number(values.port);
const baseUrl = `http://127.0.0.1:${port}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A model that takes about a second per reply (an OpenAI-compatible HTTP server speaking SSE), so that a
// fault lands while replies are being written, as with a hosted model.
const fakeModel = await startFakeOpenAIServer();
fakeModel.setDefault(() => ({ kind: 'text', chunks: ['Refunds ', 'reach ', 'your ', 'card ', 'in ', 'five ', 'to ', 'ten ', 'business ', 'days.'], chunkDelayMs: 100 }));

function startService(dataDir: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
    // The embedded mode whatever this shell has set: no DATABASE_URL or REDIS_URL.
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', AI_PROVIDER: 'openai-compatible', OPENAI_BASE_URL: fakeModel.url, OPENAI_MODEL: 'fake', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMIT_MESSAGES_PER_MINUTE: '1000', NODE_ENV: 'development', SHUTDOWN_GRACE_MS: '10000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitUntilServing(): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (await fetch(`${baseUrl}/readyz`).then((response) => response.ok, () => false)) return;
    await sleep(200);
  }
  throw new Error('the service did not start');
}

interface ClientStats {
  sessionId: string;
  sent: Set<string>;
  acked: Map<string, string>;
  answeredMessageIds: Set<string>;
}

/** One customer: sends its messages one after another, reconnecting and resending as the contract says. */
async function runClient(messages: number, deadline: number): Promise<ClientStats> {
  const session = (await (await fetch(`${baseUrl}/support/chat/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { sessionId: string; token: string };
  const stats: ClientStats = { sessionId: session.sessionId, sent: new Set(), acked: new Map(), answeredMessageIds: new Set() };
  let next = 0;
  while (performance.now() < deadline && (next < messages || [...stats.acked.values()].some((id) => !stats.answeredMessageIds.has(id)))) {
    const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/support/chat/ws?token=${session.token}`);
    const opened = await new Promise<boolean>((resolve) => {
      socket.once('open', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    if (!opened) {
      await sleep(250);
      continue;
    }
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let open = true;
    void closed.then(() => (open = false));
    let waitingFor: ((event: { type: string; clientMessageId?: string }) => void) | undefined;
    socket.on('message', (data) => {
      const event = JSON.parse(data.toString()) as { type: string; clientMessageId?: string; messageId?: string; message?: { role: string; replyToMessageId?: string } };
      if (event.type === 'ack' && event.clientMessageId && event.messageId) stats.acked.set(event.clientMessageId, event.messageId);
      if (event.type === 'message' && event.message?.role !== 'user' && event.message?.replyToMessageId) stats.answeredMessageIds.add(event.message.replyToMessageId);
      waitingFor?.(event);
    });
    socket.send(JSON.stringify({ type: 'resume' }));
    // Resend what was never acknowledged, then go on with new messages, one reply at a time.
    const unacked = [...stats.sent].filter((id) => !stats.acked.has(id));
    for (const id of [...unacked, ...Array.from({ length: messages - next }, (_, index) => `m-${next + index}`)]) {
      if (!open || performance.now() > deadline) break;
      if (!stats.sent.has(id)) {
        stats.sent.add(id);
        next += 1;
      }
      const answered = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        waitingFor = () => {
          const messageId = stats.acked.get(id);
          if (messageId && stats.answeredMessageIds.has(messageId)) {
            clearTimeout(timer);
            resolve();
          }
        };
      });
      socket.send(JSON.stringify({ type: 'send_message', clientMessageId: id, text: `How long does a refund take? (${id})` }));
      await Promise.race([answered, closed]);
    }
    if (open && next >= messages) {
      // Everything sent: wait a little for outstanding replies, then leave.
      await Promise.race([closed, sleep(2000)]);
      socket.close();
      if ([...stats.acked.values()].every((id) => stats.answeredMessageIds.has(id))) break;
    }
    await closed;
  }
  return stats;
}

async function scenario(name: string, signal: NodeJS.Signals) {
  const dataDir = await mkdtemp(join(tmpdir(), 'support-faults-'));
  let service = startService(dataDir);
  await waitUntilServing();
  const deadline = performance.now() + limitMs;
  const perClient = Math.ceil(totalMessages / clientCount);
  const clients = Array.from({ length: clientCount }, () => runClient(perClient, deadline));
  // The fault: mid-conversation, the process is stopped and started again on the same data.
  await sleep(3000);
  const exited = new Promise((resolve) => service.once('exit', resolve));
  service.kill(signal);
  await exited;
  service = startService(dataDir);
  await waitUntilServing();
  const stats = await Promise.all(clients);
  service.kill('SIGTERM');
  await new Promise((resolve) => service.once('exit', resolve));

  // What the database holds, read after the service has stopped.
  const db = await openDatabase({ databaseUrl: undefined, dataDir });
  const sessionIds = stats.map((client) => client.sessionId);
  const stored = await db.query<{ user_messages: number; replied: number; duplicated: number }>(
    `SELECT
       (SELECT count(*)::int FROM support_chat_messages WHERE role = 'user' AND session_id = ANY($1)) AS user_messages,
       (SELECT count(DISTINCT reply_to_id)::int FROM support_chat_messages WHERE role <> 'user' AND reply_to_id IS NOT NULL AND session_id = ANY($1)) AS replied,
       (SELECT count(*)::int FROM (SELECT client_message_id FROM support_chat_messages WHERE role = 'user' AND session_id = ANY($1) GROUP BY session_id, client_message_id HAVING count(*) > 1) d) AS duplicated`,
    [sessionIds],
  );
  await db.close();
  await rm(dataDir, { recursive: true, force: true });
  const sum = (pick: (client: ClientStats) => number) => stats.reduce((total, client) => total + pick(client), 0);
  const row = stored.rows[0];
  return {
    fault: name,
    sent: sum((client) => client.sent.size),
    acknowledged: sum((client) => client.acked.size),
    stored: row?.user_messages ?? 0,
    'answered (stored)': row?.replied ?? 0,
    'answered (seen by client)': sum((client) => [...client.acked.values()].filter((id) => client.answeredMessageIds.has(id)).length),
    duplicated: row?.duplicated ?? 0,
  };
}

const rows = [await scenario('SIGTERM + restart', 'SIGTERM'), await scenario('SIGKILL + restart', 'SIGKILL')];
console.log(`\nFault benchmark: ${clientCount} clients, ${totalMessages} messages per fault, embedded service restarted on its data mid-run`);
console.table(rows);
console.log('A message acknowledged but never answered is what durable turns (issue 8) must remove.');
await fakeModel.close();
