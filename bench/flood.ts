/**
 * Flood benchmark: one guest floods the service with `resume`, `feedback`,
 * `escalate`, invalid, NUL-carrying and oversized frames over every socket its
 * session may open (one of them never reads), while a second customer chats
 * and /healthz is probed. The service runs as its own process (the embedded
 * demo: PGlite, local provider), so its RSS is its own.
 *
 *   npm run bench:flood
 *   npm run bench:flood -- --seconds 20 --turns 20
 *   npm run bench:flood -- --cpu-prof /tmp/prof   # the service writes a .cpuprofile there
 *
 * Bounded: the flood stops after --seconds or --max-frames, whichever first.
 * A printout, not a test: compare the flood row with the quiet row above it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ChatTestClient } from '../packages/server/test/chat-client.js';
import { openSession } from '../packages/server/test/test-server.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    'max-frames': { type: 'string', default: '200000' },
    turns: { type: 'string', default: '15' },
    port: { type: 'string', default: '3917' },
    'cpu-prof': { type: 'string' },
  },
});
const floodSeconds = Number(values.seconds);
const maxFrames = Number(values['max-frames']);
const turns = Number(values.turns);
const port = Number(values.port);
const baseUrl = `http://127.0.0.1:${port}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function startService(dataDir: string) {
  const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'packages/server/src/main.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMIT_MESSAGES_PER_MINUTE: '1000', NODE_ENV: 'development' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    const ok = await fetch(`${baseUrl}/healthz`).then((response) => response.ok, () => false);
    if (ok) return child;
    await sleep(200);
  }
  throw new Error('the service did not start');
}

/** Probes /healthz back to back until stopped; returns the worst and p99 latency. */
function probeHealth() {
  const latencies: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t0 = performance.now();
      await fetch(`${baseUrl}/healthz`).then((response) => response.arrayBuffer(), () => undefined);
      latencies.push(performance.now() - t0);
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      latencies.sort((a, b) => a - b);
      return { worst: latencies.at(-1) ?? 0, p99: percentile(latencies, 99), probes: latencies.length };
    },
  };
}

async function victimTurns(client: ChatTestClient, count: number): Promise<number[]> {
  const questions = ['How much does it cost to cancel a flight?', 'How long does a refund take?', 'Can I bring my dog?'];
  const latencies: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const t0 = performance.now();
    await client.ask(questions[index % questions.length] ?? 'hello');
    latencies.push(performance.now() - t0);
  }
  return latencies.sort((a, b) => a - b);
}

const oversized = JSON.stringify({ type: 'send_message', clientMessageId: 'big', text: 'x'.repeat(900 * 1024) });
const floodFrames = [
  JSON.stringify({ type: 'resume' }),
  JSON.stringify({ type: 'feedback', messageId: 'msg_nope', rating: 'up' }),
  JSON.stringify({ type: 'escalate', reason: 'flood' }),
  'this is not json',
  JSON.stringify({ type: 'send_message', clientMessageId: 'nul', text: 'a\u0000b' }),
  oversized,
];

/** The attacker: as many sockets as the session may hold, each sending as fast as ws accepts; one never reads. */
async function flood(token: string, deadline: number) {
  let sent = 0;
  const closes = new Map<number, number>();
  const worker = async (slowReader: boolean) => {
    while (performance.now() < deadline && sent < maxFrames) {
      const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/support/chat/ws?token=${token}`);
      const opened = await new Promise<boolean>((resolve) => {
        socket.once('open', () => resolve(true));
        socket.once('error', () => resolve(false));
        socket.once('unexpected-response', () => resolve(false));
      });
      if (!opened) {
        await sleep(200);
        continue;
      }
      if (slowReader) socket.pause();
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      let open = true;
      void closed.then(() => (open = false));
      let index = 0;
      while (open && performance.now() < deadline && sent < maxFrames) {
        // Keep the client's own buffer short so that the load is frames, not client memory.
        if (socket.bufferedAmount > 2 * 1024 * 1024) {
          await sleep(5);
          continue;
        }
        socket.send(floodFrames[index % floodFrames.length] ?? '{}');
        index += 1;
        sent += 1;
        if (index % 50 === 0) await sleep(0);
      }
      socket.terminate();
      const code = await Promise.race([closed, sleep(1000).then(() => 0)]);
      closes.set(code, (closes.get(code) ?? 0) + 1);
    }
  };
  await Promise.all([worker(true), worker(false), worker(false), worker(false)]);
  return { sent, closes };
}

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'support-flood-'));
  const service = await startService(dataDir);
  const pid = service.pid ?? 0;
  try {
    const victimSession = await openSession(baseUrl);
    const victim = await ChatTestClient.connect(baseUrl, victimSession.token);
    await victim.waitFor('session_state');
    await victimTurns(victim, 3); // warm-up

    const attackerSession = await openSession(baseUrl);
    const attacker = await ChatTestClient.connect(baseUrl, attackerSession.token);
    // A transcript worth replaying: every resume costs the whole history.
    for (let index = 0; index < 30; index += 1) await attacker.ask(`Question number ${index}: how long does a refund take?`);
    attacker.close();

    const quietHealth = probeHealth();
    const quiet = await victimTurns(victim, turns);
    const quietProbe = await quietHealth.stop();
    const rssBefore = await rssMb(pid);

    const deadline = performance.now() + floodSeconds * 1000;
    const floodHealth = probeHealth();
    const attack = flood(attackerSession.token, deadline);
    await sleep(500);
    const during = await victimTurns(victim, turns);
    const result = await attack;
    const floodProbe = await floodHealth.stop();
    const rssAfter = await rssMb(pid);
    victim.close();

    const rows = [
      { scenario: 'quiet', frames: 0, 'turn p50 ms': percentile(quiet, 50), 'turn p95 ms': percentile(quiet, 95), 'healthz worst ms': quietProbe.worst, 'healthz p99 ms': quietProbe.p99, 'RSS MB': rssBefore },
      { scenario: 'during flood', frames: result.sent, 'turn p50 ms': percentile(during, 50), 'turn p95 ms': percentile(during, 95), 'healthz worst ms': floodProbe.worst, 'healthz p99 ms': floodProbe.p99, 'RSS MB': rssAfter },
    ];
    console.log(`\nFlood benchmark on ${(await import('node:os')).cpus().length} cores: one guest, ${floodSeconds} s, ${result.sent} frames (resume, feedback, escalate, invalid, NUL, 900 KiB), one socket never reads`);
    console.table(rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'number' ? Math.round(value * 10) / 10 : value]))));
    console.log(`RSS growth during the flood: ${(rssAfter - rssBefore).toFixed(1)} MB; victim turn p50 ratio flood/quiet: ${(percentile(during, 50) / Math.max(0.001, percentile(quiet, 50))).toFixed(2)}`);
    console.log(`attacker socket closes by code: ${JSON.stringify(Object.fromEntries(result.closes))} (4429 over budget, 4503 slow reader, 1006 client gave up)`);
  } finally {
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
