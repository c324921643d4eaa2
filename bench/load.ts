/**
 * Load benchmark: N websocket customers on loopback against one and two
 * service nodes in server mode (PostgreSQL + Redis, each node its own
 * process), with a fake streaming provider (a real OpenAI-protocol HTTP
 * server) whose time to first token and token rate are set per run; and, in
 * the same run, the same load against a raw `ws` echo server. Every message
 * is persisted as in production (a message is acknowledged only once stored).
 *
 *   npm run bench:load                         # every scenario (a few minutes)
 *   npm run bench:load -- --seconds 5          # shorter measurement windows
 *   npm run bench:load -- --only "1 node closed,echo closed"  # some scenarios (names: see `wanted`)
 *   npm run bench:load -- --cpu-prof /tmp/prof # each node writes a .cpuprofile there
 *
 * A printout, not a test: it reports what it measured against the goals of
 * issue 13 and never fails on a number.
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { closedLoop, openCustomers, openLoop, percentile, type Customer, type Target, type TurnStats } from './support/load-generator.js';
import { collectGarbage, cpuAccount, createBenchDatabase, createDataDir, rssMb, startNode, startScript, UNTHROTTLED_ENV, type Started } from './support/processes.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    sockets: { type: 'string', default: '100' },
    'open-sockets': { type: 'string', default: '1000' },
    'open-rate': { type: 'string', default: '500' },
    'idle-sessions': { type: 'string', default: '1000' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    'redis-url': { type: 'string', default: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
    /** The nodes reach PostgreSQL over its Unix socket in this directory instead of TCP (e.g. /var/run/postgresql). */
    'pg-socket': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const warmupSeconds = Number(values.warmup);
const sockets = Number(values.sockets);
const openSockets = Number(values['open-sockets']);
const openRate = Number(values['open-rate']);
const idleSessions = Number(values['idle-sessions']);
/** Scenario names: "echo closed", "echo open", "1 node single", "1 node closed", "1 node open", "1 node idle", "2 nodes closed", "2 nodes open", "ttft", "embedded". */
const wanted = (name: string) => !values.only || values.only.split(',').some((part) => name.includes(part.trim()));
const cpuProfDir = values['cpu-prof'];

interface Row {
  scenario: string;
  sockets: number;
  stats: TurnStats;
  /** The provider's own time to first token, subtracted for the overhead column. */
  providerTtftMs: number;
  /** CPU ms per turn by party (service nodes, postgres, redis, provider, load generator). */
  cpuPerTurn?: Record<string, number>;
}

const rows: Row[] = [];
const notes: string[] = [];
const processes: Started[] = [];
const cleanups: Array<() => Promise<void>> = [];

async function withCustomers<T>(target: Target, count: number, run: (customers: Customer[]) => Promise<T>): Promise<T> {
  const customers = await openCustomers(target, count);
  try {
    return await run(customers);
  } finally {
    for (const customer of customers) customer.close();
  }
}

/** Runs a scenario with the CPU of every party accounted: `parties` are the processes started for it. */
async function measured(scenario: string, count: number, target: Target, parties: Record<string, Started[]>, run: (customers: Customer[]) => Promise<TurnStats>, providerTtftMs = 0): Promise<void> {
  await withCustomers(target, count, async (customers) => {
    const account = await cpuAccount(Object.fromEntries(Object.entries(parties).map(([name, started]) => [name, started.map((process) => process.child.pid ?? 0)])));
    const stats = await run(customers);
    const cpu = await account.stop();
    const cpuPerTurn = Object.fromEntries(Object.entries(cpu).map(([name, cpuSeconds]) => [name, (cpuSeconds * 1000) / Math.max(1, stats.allTurns)]));
    rows.push({ scenario, sockets: count, stats, providerTtftMs, cpuPerTurn });
  });
}

async function provider(ttftMs: number, tokensPerSecond: number): Promise<Started> {
  const started = await startScript('bench/support/stream-provider.ts', ['--ttft-ms', String(ttftMs), '--tokens-per-second', String(tokensPerSecond), '--tokens', '12']);
  processes.push(started);
  return started;
}

/** `count` server-mode nodes on one fresh database and one Redis prefix, answering from `providerUrl`. */
async function serverNodes(count: number, providerUrl: string, options: { gcOnSignal?: boolean } = {}): Promise<Started[]> {
  const database = await createBenchDatabase(values['database-url']);
  cleanups.push(() => database.drop());
  const env = {
    ...UNTHROTTLED_ENV,
    DATABASE_URL: values['pg-socket'] ? withSocket(database.url, values['pg-socket']) : database.url,
    REDIS_URL: values['redis-url'],
    REDIS_KEY_PREFIX: `bench-${process.pid}-${Date.now() % 100_000}`,
    AI_PROVIDER: 'openai-compatible',
    OPENAI_BASE_URL: `${providerUrl}/v1`,
    OPENAI_MODEL: 'bench-model',
    AI_MAX_RETRIES: '0',
  };
  // The first node migrates and seeds; the others start on the ready schema.
  const nodeOptions = { ...(cpuProfDir ? { cpuProfDir } : {}), ...options };
  const first = await startNode(env, nodeOptions);
  const rest = await Promise.all(Array.from({ length: count - 1 }, () => startNode(env, nodeOptions)));
  const nodes = [first, ...rest];
  processes.push(...nodes);
  return nodes;
}

/** The same database over a Unix socket (libpq's `host` parameter naming a directory). */
function withSocket(url: string, directory: string): string {
  const parsed = new URL(url);
  return `postgres://${parsed.username}@/${parsed.pathname.slice(1)}?host=${encodeURIComponent(directory)}`;
}

async function stopAll(started: Started[]): Promise<void> {
  await Promise.all(started.map((process) => process.stop()));
}

async function main(): Promise<void> {
  const echo = await startScript('bench/support/echo-server.ts');
  processes.push(echo);
  const echoTarget: Target = { baseUrls: [echo.url], sessions: false };

  const closed = (customers: Customer[]) => closedLoop(customers, { seconds, warmupSeconds });
  const open = (customers: Customer[]) => openLoop(customers, { rate: openRate, seconds, warmupSeconds });
  if (wanted('echo closed')) await measured('raw ws echo, closed loop', sockets, echoTarget, { 'echo server': [echo] }, closed);
  if (wanted('echo open')) await measured(`raw ws echo, open ${openRate}/s`, openSockets, echoTarget, { 'echo server': [echo] }, open);

  const instant = await provider(0, 0);
  for (const count of [1, 2]) {
    const label = `${count} node${count > 1 ? 's' : ''}`;
    const scenarios = (count === 1 ? ['single', 'closed', 'open', 'idle'] : ['closed', 'open']).filter((scenario) => wanted(`${label} ${scenario}`));
    if (scenarios.length === 0) continue;
    const nodes = await serverNodes(count, instant.url);
    const target: Target = { baseUrls: nodes.map((node) => node.url), sessions: true };
    const parties = { service: nodes, provider: [instant] };
    if (scenarios.includes('single')) await measured(`server, ${label}, one customer`, 1, target, parties, closed);
    if (scenarios.includes('closed')) await measured(`server, ${label}, closed loop`, sockets, target, parties, closed);
    if (scenarios.includes('open')) await measured(`server, ${label}, open ${openRate}/s`, openSockets, target, parties, open);
    if (scenarios.includes('idle')) {
      // A node of its own, its garbage collected before each reading: what an idle session keeps, not the churn of the runs above.
      const [idle] = await serverNodes(1, instant.url, { gcOnSignal: true });
      const pid = idle?.child.pid ?? 0;
      if (idle) {
        await collectGarbage(idle);
        const before = await rssMb(pid);
        await withCustomers({ baseUrls: [idle.url], sessions: true }, idleSessions, async () => {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          await collectGarbage(idle);
          const after = await rssMb(pid);
          notes.push(`RSS per idle session (1 node, ${idleSessions} sessions with an open socket, after a full GC): ${(((after - before) * 1024) / idleSessions).toFixed(1)} KB (${before.toFixed(0)} → ${after.toFixed(0)} MB); goal < 25 KB`);
        });
        await idle.stop();
      }
    }
    await stopAll(nodes);
  }

  if (wanted('ttft')) {
    // A provider that takes 200 ms to its first token and streams 50 tokens/s: what the service adds before the first delta.
    const slow = await provider(200, 50);
    const nodes = await serverNodes(1, slow.url);
    const target: Target = { baseUrls: nodes.map((node) => node.url), sessions: true };
    await measured('server, 1 node, TTFT 200 ms, 50 tok/s', 20, target, { service: nodes, provider: [slow] }, closed, 200);
    await stopAll([...nodes, slow]);
  }

  if (wanted('embedded')) {
    // The default demo: PGlite, in-process pub/sub and jobs, the local provider.
    const data = await createDataDir();
    cleanups.push(() => data.remove());
    // The first start creates, migrates and seeds the database (embedded PostgreSQL's memory keeps what that took);
    // a start on the data it left is every start after that.
    const first = await startNode({ ...UNTHROTTLED_ENV, DATA_DIR: data.dir });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const firstRss = await rssMb(first.child.pid ?? 0);
    await first.stop();
    const node = await startNode({ ...UNTHROTTLED_ENV, DATA_DIR: data.dir });
    processes.push(node);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    notes.push(`Embedded demo RSS after start: ${firstRss.toFixed(0)} MB the first time (new data), ${(await rssMb(node.child.pid ?? 0)).toFixed(0)} MB on its data after that; goal < 300 MB`);
    const target: Target = { baseUrls: [node.url], sessions: true };
    await measured('embedded demo (PGlite, local AI)', 20, target, { service: [node] }, closed);
    await node.stop();
  }
}

function printTable(): void {
  const cores = availableParallelism();
  console.log(`\nNode ${process.version}, ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}); ${seconds} s measured after ${warmupSeconds} s warm-up; latency in ms from when a turn was due to its final reply.\n`);
  const header = ['scenario'.padEnd(40), 'sockets', 'turns', 'errors', 'turns/s', 'p50', 'p95', 'p99', 'TTFT p50', 'TTFT p99', 'overhead p99'];
  console.log(header.map((cell, index) => (index === 0 ? cell : cell.padStart(9))).join(' '));
  const ms = (value: number) => (Number.isNaN(value) ? '—' : value.toFixed(1)).padStart(9);
  for (const row of rows) {
    const { stats } = row;
    const ttft99 = percentile(stats.firstTokens, 99);
    console.log(
      [
        row.scenario.padEnd(40),
        String(row.sockets).padStart(9),
        String(stats.turns).padStart(9),
        String(stats.errors).padStart(9),
        (stats.turns / stats.seconds).toFixed(0).padStart(9),
        ms(percentile(stats.latencies, 50)),
        ms(percentile(stats.latencies, 95)),
        ms(percentile(stats.latencies, 99)),
        ms(percentile(stats.firstTokens, 50)),
        ms(ttft99),
        ms(ttft99 - row.providerTtftMs),
      ].join(' '),
    );
  }
  console.log('\nCPU per turn (ms, warm-up included), by party: on loopback they all share the cores.');
  const parties = ['service', 'postgres', 'redis', 'provider', 'echo server', 'load generator'];
  console.log(['scenario'.padEnd(40), ...parties.map((party) => party.padStart(14)), 'total'.padStart(9)].join(' '));
  for (const row of rows) {
    const cpu = row.cpuPerTurn ?? {};
    const total = Object.values(cpu).reduce((sum, value) => sum + value, 0);
    console.log([row.scenario.padEnd(40), ...parties.map((party) => (cpu[party] === undefined ? '—' : (cpu[party] as number).toFixed(3)).padStart(14)), total.toFixed(3).padStart(9)].join(' '));
  }
  console.log('');
  for (const note of notes) console.log(note);
  console.log('Goals (issue 13, server mode, zero-latency provider): ≥ 2,000 turns/s at 100 sockets (closed loop); p99 < 50 ms at 1,000 sockets offering 500 turns/s; TTFT overhead p99 < 10 ms.');
}

try {
  await main();
  printTable();
} finally {
  await stopAll(processes);
  for (const cleanup of cleanups) await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
}
