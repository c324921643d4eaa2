/**
 * The benchmark's processes: service nodes (the real `main.ts`, each its own
 * process, as deployed), the fake provider and the echo server; their
 * addresses and resident memory. Server-mode nodes share a PostgreSQL
 * database made for the run (and dropped after it) and one Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Started {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
}

/** A script that prints its URL as its first line of output. */
export async function startScript(script: string, args: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, url, stop: stopper(child) };
}

/** A full garbage collection in a node started with `gcOnSignal`, and a moment for it to finish. */
export async function collectGarbage(node: Started): Promise<void> {
  node.child.kill('SIGUSR2');
  await sleep(500);
}

/** Resident set size of a process, in MB (from /proc). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Settings no benchmark client may trip over: limits meant for the open internet, not for one machine's load. */
export const UNTHROTTLED_ENV = {
  RATE_LIMIT_MESSAGES_PER_MINUTE: '10000',
  RATE_LIMIT_SESSIONS_PER_IP_PER_MINUTE: '10000',
  WS_MAX_CONNECTIONS_PER_IP: '100000',
  GUARDRAIL_POLICY: JSON.stringify({ limits: { maxTurnsPerConversation: 0, dailyTokensPerCustomer: 0, dailyTokensPerGuestIp: 0 } }),
};

let nextPort = 3940 + Math.floor(Math.random() * 400);

/**
 * One service node: `main.ts` with `env`, ready once /readyz says so. `gcOnSignal`: SIGUSR2 makes it
 * collect its garbage (collectGarbage), for memory readings that count what it keeps.
 */
export async function startNode(env: Record<string, string>, options: { cpuProfDir?: string; gcOnSignal?: boolean } = {}): Promise<Started> {
  const port = nextPort;
  nextPort += 1;
  const profile = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const gc = options.gcOnSignal ? ['--expose-gc', '--import', './bench/support/gc-on-signal.mjs'] : [];
  const child = spawn(process.execPath, [...profile, ...gc, '--import', 'tsx', 'packages/server/src/main.ts'], {
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 900; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the service node exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
    if (ready) return { child, url, stop: stopper(child) };
    await sleep(200);
  }
  throw new Error('the service node did not become ready');
}

/** A PostgreSQL database of the run's own on the server at `adminUrl`; dropped by `drop`. */
export async function createBenchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `support_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** An embedded-mode data directory (PGlite) of the run's own. */
export async function createDataDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'support-bench-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, from /proc; 0 once it is gone. */
async function cpuSecondsOf(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Every process whose command name is `comm` (postgres backends, redis-server). */
async function pidsNamed(comm: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const name = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (name.trim() === comm) pids.push(Number(entry));
  }
  return pids;
}

/**
 * Where the CPU went between `start()` and `stop()`, by party: the service
 * nodes, PostgreSQL (all its processes), Redis, the fake provider and this
 * process (the load generator). On loopback every one of them shares the
 * machine's cores, so this says what a turn costs in all.
 */
export async function cpuAccount(parties: Record<string, number[]>): Promise<{ stop(): Promise<Record<string, number>> }> {
  const sample = async () => {
    const totals: Record<string, number> = {};
    for (const [name, pids] of Object.entries({ ...parties, postgres: await pidsNamed('postgres'), redis: await pidsNamed('redis-server') })) {
      let sum = 0;
      for (const pid of pids) sum += await cpuSecondsOf(pid);
      totals[name] = sum;
    }
    const own = process.cpuUsage();
    totals['load generator'] = (own.user + own.system) / 1e6;
    return totals;
  };
  const before = await sample();
  return {
    async stop() {
      const after = await sample();
      return Object.fromEntries(Object.entries(after).map(([name, seconds]) => [name, seconds - (before[name] ?? 0)]));
    },
  };
}
