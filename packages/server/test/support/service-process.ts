import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The service as `npm start` runs it (node --import tsx .../main.ts), as a
 * child process: for tests and benchmarks that stop it with real signals.
 */
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A start opens the database, migrates, embeds the knowledge base and trains the local model: seconds, more on a busy machine. */
export const START_TIMEOUT_MS = 120_000;

export interface ServiceProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * main.ts with exactly these variables (no inherited DATABASE_URL, REDIS_URL,
 * …) in `cwd`: main.ts reads a .env from its working directory, and a
 * developer's must not leak in.
 */
export function startService(env: Record<string, string>, cwd: string): ServiceProcess {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** The first JSON log line whose msg matches, once the process has written it. */
export async function logLine(started: ServiceProcess, msg: RegExp, timeoutMs = 90_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of started.stdout().split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (typeof entry.msg === 'string' && msg.test(entry.msg)) return entry;
    }
    if (started.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no log line ${msg} (exit ${started.child.exitCode}):\n${started.stdout()}\n${started.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits for the "listening" line and answers the service's base URL. */
export async function serviceUrl(started: ServiceProcess): Promise<string> {
  const ready = await logLine(started, /^support chat listening on /);
  return `http://127.0.0.1:${String(ready.port)}`;
}

/** SIGTERM (a graceful stop) unless it exited already; answers the exit code. */
export async function stopService(started: ServiceProcess): Promise<number | null> {
  if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGTERM');
  return started.exited;
}

/** kill -9: the process gets no chance to finish anything. */
export async function killService(started: ServiceProcess): Promise<void> {
  if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGKILL');
  await started.exited;
}
