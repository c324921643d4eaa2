import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** Debian's PostgreSQL binaries (the newest installed major), or undefined where there are none. */
export const POSTGRES_BIN: string | undefined = (() => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
})();

/** PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` user Debian's package made. */
const runAsPostgres = typeof process.getuid === 'function' && process.getuid() === 0;

export interface PrivatePostgres {
  url: string;
  /** Fast shutdown: open connections are cut, as when the server is restarted under traffic. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function pgCommand(binary: string, args: string[]): Promise<void> {
  if (!POSTGRES_BIN) throw new Error('no PostgreSQL binaries');
  const path = join(POSTGRES_BIN, binary);
  if (runAsPostgres) await run('runuser', ['-u', 'postgres', '--', path, ...args]);
  else await run(path, args);
}

/**
 * A PostgreSQL cluster of one test's own, on a port of its own, so that the
 * test may stop and start it (the shared server must stay up for the rest of
 * the suite). Trust auth on loopback only; the data lives in a temp directory.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'support-pg-'));
  if (runAsPostgres) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
  const dataDir = join(dir, 'data');
  await pgCommand('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-locale']);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c max_connections=50`;
  const ctl = (args: string[]) => pgCommand('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(dir, 'server.log'), ...args]);
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => ctl(['-w', '-t', '60', 'start']),
    stop: () => ctl(['-w', '-t', '60', '-m', 'fast', 'stop']),
    async destroy() {
      await cluster.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  // Ready means it takes a query, not only that pg_ctl saw it start.
  const probe = new pg.Client({ connectionString: cluster.url });
  await probe.connect();
  await probe.end();
  return cluster;
}
