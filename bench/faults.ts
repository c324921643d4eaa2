/**
 * Fault benchmark: clients that follow the contract (resend unacknowledged
 * messages with the same clientMessageId, `resume` after every reconnect,
 * reconnect to whichever node a load balancer would send them to) chat with
 * the service while something breaks under it:
 *
 *   embedded   SIGTERM + restart, SIGKILL + restart (the process on its data)
 *   server     two nodes on PostgreSQL and Redis: SIGKILL of one node,
 *              SIGTERM of one node, Redis killed and started again,
 *              PostgreSQL restarted (fast shutdown)
 *
 * The model is a fake OpenAI-compatible server that takes about a second per
 * reply, so each fault lands mid-reply. Server mode runs on a PostgreSQL
 * cluster and a redis-server of the bench's own (Debian's binaries), so the
 * machine's shared services are never stopped. For each fault it prints sent
 * / acknowledged / stored / answered / duplicated.
 *
 *   npm run bench:faults
 *   npm run bench:faults -- --messages 200 --clients 10 --only server
 *
 * A printout, not a test. Bounded: every client stops after its messages are
 * answered or after --seconds, whichever first.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import type { Database } from '../packages/server/src/storage/database.js';
import { openDatabase } from '../packages/server/src/storage/open-database.js';
import { openPostgresDatabase } from '../packages/server/src/storage/postgres-database.js';
import { startFakeOpenAIServer } from '../packages/server/test/fake-openai-server.js';
import { POSTGRES_BIN, startPrivatePostgres, type PrivatePostgres } from '../packages/server/test/support/private-postgres.js';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from '../packages/server/test/support/private-redis.js';
import { killService, serviceUrl, startService, stopService, type ServiceProcess } from '../packages/server/test/support/service-process.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '200' },
    clients: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '150' },
    only: { type: 'string' },
  },
});
const totalMessages = Number(values.messages);
const clientCount = Number(values.clients);
const limitMs = Number(values.seconds) * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// About a second per reply (an OpenAI-compatible HTTP server speaking SSE): a fault lands while replies are written.
const fakeModel = await startFakeOpenAIServer();
fakeModel.setDefault(() => ({ kind: 'text', chunks: ['Refunds ', 'reach ', 'your ', 'card ', 'in ', 'five ', 'to ', 'ten ', 'business ', 'days.'], chunkDelayMs: 100 }));

const workDir = await mkdtemp(join(tmpdir(), 'support-faults-'));
const baseEnv = {
  NODE_ENV: 'development',
  HOST: '127.0.0.1',
  PORT: '0',
  AI_PROVIDER: 'openai-compatible',
  OPENAI_BASE_URL: fakeModel.url,
  OPENAI_MODEL: 'fake',
  RATE_LIMIT_MESSAGES_PER_MINUTE: '1000',
  SHUTDOWN_GRACE_MS: '10000',
};

/** What the clients connect to: the live nodes' URLs, as a load balancer without stickiness would hand them out. */
interface Deployment {
  urls: string[];
  /** The fault, injected mid-run. */
  fault(): Promise<void>;
  /** Stops everything and answers a database handle to count from (closed by the caller). */
  finish(): Promise<{ db: Database; cleanup: () => Promise<void> }>;
}

interface ClientStats {
  sessionId: string;
  sent: Set<string>;
  acked: Map<string, string>;
  answeredMessageIds: Set<string>;
}

let roundRobin = 0;
const pickUrl = (deployment: Deployment) => deployment.urls[roundRobin++ % deployment.urls.length] ?? '';

async function createSession(deployment: Deployment): Promise<{ sessionId: string; token: string }> {
  const response = await fetch(`${pickUrl(deployment)}/support/chat/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (response.status !== 201) throw new Error(`session creation failed: ${response.status}`);
  return (await response.json()) as { sessionId: string; token: string };
}

/** One customer: sends its messages one after another, reconnecting and resending as the contract says. */
async function runClient(deployment: Deployment, session: { sessionId: string; token: string }, messages: number, deadline: number): Promise<ClientStats> {
  const stats: ClientStats = { sessionId: session.sessionId, sent: new Set(), acked: new Map(), answeredMessageIds: new Set() };
  const unanswered = () => [...stats.acked.values()].some((id) => !stats.answeredMessageIds.has(id));
  let next = 0;
  while (performance.now() < deadline && (next < messages || stats.sent.size > stats.acked.size || unanswered())) {
    const socket = new WebSocket(`${pickUrl(deployment).replace('http', 'ws')}/support/chat/ws?token=${session.token}`);
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
    let onEvent: (() => void) | undefined;
    socket.on('message', (data) => {
      const event = JSON.parse(data.toString()) as { type: string; clientMessageId?: string; messageId?: string; message?: { role: string; replyToMessageId?: string } };
      if (event.type === 'ack' && event.clientMessageId && event.messageId) stats.acked.set(event.clientMessageId, event.messageId);
      if (event.type === 'message' && event.message?.role !== 'user' && event.message?.replyToMessageId) stats.answeredMessageIds.add(event.message.replyToMessageId);
      onEvent?.();
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
        onEvent = () => {
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
      // Everything sent: wait a little for outstanding replies, then reconnect and resume (or leave).
      await Promise.race([closed, sleep(2000)]);
      socket.close();
      if (stats.sent.size === stats.acked.size && !unanswered()) break;
    }
    await closed;
  }
  return stats;
}

async function count(db: Database, sessionIds: string[]) {
  const { rows } = await db.query<{ user_messages: number; replied: number; duplicated: number }>(
    `SELECT
       (SELECT count(*)::int FROM support_chat_messages WHERE role = 'user' AND session_id = ANY($1)) AS user_messages,
       (SELECT count(DISTINCT reply_to_id)::int FROM support_chat_messages WHERE role <> 'user' AND reply_to_id IS NOT NULL AND session_id = ANY($1)) AS replied,
       (SELECT count(*)::int FROM (SELECT client_message_id FROM support_chat_messages WHERE role = 'user' AND session_id = ANY($1) GROUP BY session_id, client_message_id HAVING count(*) > 1) d)
       + (SELECT count(*)::int FROM (SELECT reply_to_id FROM support_chat_messages WHERE reply_to_id IS NOT NULL AND session_id = ANY($1) GROUP BY reply_to_id HAVING count(*) > 1) r) AS duplicated`,
    [sessionIds],
  );
  return rows[0];
}

async function scenario(name: string, deploy: () => Promise<Deployment>) {
  const deployment = await deploy();
  const perClient = Math.ceil(totalMessages / clientCount);
  const sessions = await Promise.all(Array.from({ length: clientCount }, () => createSession(deployment)));
  const deadline = performance.now() + limitMs;
  const clients = sessions.map((session) => runClient(deployment, session, perClient, deadline));
  // The fault, mid-conversation.
  await sleep(3000);
  const started = performance.now();
  await deployment.fault();
  const faultSeconds = (performance.now() - started) / 1000;
  const stats = await Promise.all(clients);
  const runSeconds = (performance.now() - deadline + limitMs) / 1000;
  const { db, cleanup } = await deployment.finish();
  const row = await count(db, stats.map((client) => client.sessionId));
  await cleanup();
  const sum = (pick: (client: ClientStats) => number) => stats.reduce((total, client) => total + pick(client), 0);
  return {
    fault: name,
    'fault s': Number(faultSeconds.toFixed(1)),
    'run s': Number(runSeconds.toFixed(1)),
    sent: sum((client) => client.sent.size),
    acknowledged: sum((client) => client.acked.size),
    stored: row?.user_messages ?? 0,
    'answered (stored)': row?.replied ?? 0,
    'answered (seen by client)': sum((client) => [...client.acked.values()].filter((id) => client.answeredMessageIds.has(id)).length),
    duplicated: row?.duplicated ?? 0,
  };
}

/** The embedded service on a data directory of its own; the fault stops it with `signal` and starts it again on the same data. */
function embedded(signal: 'SIGTERM' | 'SIGKILL'): () => Promise<Deployment> {
  return async () => {
    const dataDir = join(workDir, `embedded-${randomBytes(4).toString('hex')}`);
    const env = { ...baseEnv, DATA_DIR: dataDir };
    let service = startService(env, workDir);
    const deployment: Deployment = {
      urls: [await serviceUrl(service)],
      async fault() {
        if (signal === 'SIGKILL') await killService(service);
        else await stopService(service);
        service = startService(env, workDir);
        deployment.urls = [await serviceUrl(service)];
      },
      async finish() {
        await stopService(service);
        // PGlite's data directory belongs to one process at a time: read it once the service has stopped.
        const db = await openDatabase({ databaseUrl: undefined, dataDir });
        return { db, cleanup: () => db.close() };
      },
    };
    return deployment;
  };
}

type ServerFault = (context: { nodes: ServiceProcess[]; deployment: Deployment; postgres: PrivatePostgres; redis: PrivateRedis }) => Promise<void>;

/** Two service nodes on a private PostgreSQL cluster and a private Redis; the fault breaks one part of it. */
function server(fault: ServerFault): () => Promise<Deployment> {
  return async () => {
    const [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    const env = { ...baseEnv, DATABASE_URL: postgres.url, REDIS_URL: redis.url, REDIS_KEY_PREFIX: `faults-${randomBytes(4).toString('hex')}` };
    // One node first: it migrates and seeds; the second then starts on a ready schema.
    const nodes = [startService(env, workDir)];
    const urls = [await serviceUrl(nodes[0] as ServiceProcess)];
    nodes.push(startService(env, workDir));
    urls.push(await serviceUrl(nodes[1] as ServiceProcess));
    const deployment: Deployment = {
      urls,
      fault: () => fault({ nodes, deployment, postgres, redis }),
      async finish() {
        await Promise.all(nodes.map((node) => stopService(node)));
        const db = await openPostgresDatabase(postgres.url, { maxConnections: 2 });
        return {
          db,
          async cleanup() {
            await db.close();
            await Promise.all([postgres.destroy(), redis.stop()]);
          },
        };
      },
    };
    return deployment;
  };
}

/** One node goes (kill -9 or SIGTERM); the load balancer sends its clients to the other. */
const oneNodeStops =
  (signal: 'SIGTERM' | 'SIGKILL'): ServerFault =>
  async ({ nodes, deployment }) => {
    const [victim] = nodes;
    if (!victim) return;
    deployment.urls = deployment.urls.slice(1);
    if (signal === 'SIGKILL') await killService(victim);
    else await stopService(victim);
  };

/** A shared service goes away for `ms` and comes back. */
async function awayFor(part: { stop(): Promise<void>; start(): Promise<void> }, ms: number): Promise<void> {
  await part.stop();
  await sleep(ms);
  await part.start();
}

const scenarios: Array<{ mode: 'embedded' | 'server'; name: string; deploy: () => Promise<Deployment> }> = [
  { mode: 'embedded', name: 'embedded: SIGTERM + restart', deploy: embedded('SIGTERM') },
  { mode: 'embedded', name: 'embedded: SIGKILL + restart', deploy: embedded('SIGKILL') },
  { mode: 'server', name: 'server: SIGKILL of 1 of 2 nodes', deploy: server(oneNodeStops('SIGKILL')) },
  { mode: 'server', name: 'server: SIGTERM of 1 of 2 nodes', deploy: server(oneNodeStops('SIGTERM')) },
  { mode: 'server', name: 'server: Redis kill -9, 2 s away', deploy: server(({ redis }) => awayFor(redis, 2000)) },
  { mode: 'server', name: 'server: PostgreSQL restart, 2 s away', deploy: server(({ postgres }) => awayFor(postgres, 2000)) },
];

const serverModeAvailable = POSTGRES_BIN !== undefined && hasRedisServer;
const rows = [];
for (const { mode, name, deploy } of scenarios) {
  if (values.only && values.only !== mode) continue;
  if (mode === 'server' && !serverModeAvailable) {
    console.log(`skipped ${name}: needs Debian's postgresql and redis-server binaries`);
    continue;
  }
  rows.push(await scenario(name, deploy));
}
console.log(`\nFault benchmark: ${clientCount} clients, ${totalMessages} messages per fault, replies of about 1 s, default reply lease`);
console.table(rows);
console.log('fault s: how long the fault took to inject (a restart included); run s: from the first message until every client was done.');
console.log('answered (stored): messages with a stored reply; duplicated: a message stored twice or answered twice (should be 0).');
await fakeModel.close();
await rm(workDir, { recursive: true, force: true });
