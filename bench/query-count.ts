/**
 * What one turn costs the database: PostgreSQL logs every statement of a
 * database made for the run with its duration (log_min_duration_statement
 * = 0), one customer asks
 * `--turns` questions of a server-mode node, and the statements of those
 * turns are counted and timed, per turn and by kind. Needs read access to the server's
 * log (--log, Debian's default path).
 *
 *   npm run bench:queries
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { closedLoop, openCustomers } from './support/load-generator.js';
import { createBenchDatabase, startNode, startScript, UNTHROTTLED_ENV } from './support/processes.js';

const { values } = parseArgs({
  options: {
    turns: { type: 'string', default: '20' },
    log: { type: 'string', default: '/var/log/postgresql/postgresql-15-main.log' },
    'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    'redis-url': { type: 'string', default: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const turns = Number(values.turns);

const provider = await startScript('bench/support/stream-provider.ts');
const database = await createBenchDatabase(values['database-url']);
const dbName = new URL(database.url).pathname.slice(1);
const admin = new pg.Client({ connectionString: values['database-url'] });
await admin.connect();
// Every statement with its duration: what it costs PostgreSQL, one client at a time (so wall time is its work).
await admin.query(`ALTER DATABASE ${dbName} SET log_min_duration_statement = 0`);
await admin.end();
const node = await startNode({
  ...UNTHROTTLED_ENV,
  DATABASE_URL: database.url,
  REDIS_URL: values['redis-url'],
  REDIS_KEY_PREFIX: `queries-${process.pid}`,
  AI_PROVIDER: 'openai-compatible',
  OPENAI_BASE_URL: `${provider.url}/v1`,
  OPENAI_MODEL: 'bench-model',
});
try {
  const customers = await openCustomers({ baseUrls: [node.url], sessions: true }, 1);
  const customer = customers[0]!;
  // Warm-up turns (plans, caches), then the counted ones, asked one after another.
  await closedLoop(customers, { seconds: 1, warmupSeconds: 0 });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const from = (await stat(values.log)).size;
  let done = 0;
  await new Promise<void>((resolve) => {
    customer.onTurn = () => {
      done += 1;
      if (done === turns) resolve();
      else customer.ask(performance.now());
    };
    customer.ask(performance.now());
  });
  // Statements after the last reply (lease release, the re-check) belong to the turns too.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  customer.close();
  const log = (await readFile(values.log)).subarray(from).toString('utf8');
  // A statement over several lines continues on lines that do not start with a timestamp.
  const entries: string[] = [];
  for (const line of log.split('\n')) {
    if (/^\d{4}-\d{2}-\d{2} /.test(line) || entries.length === 0) entries.push(line);
    else entries[entries.length - 1] += ` ${line}`;
  }
  const statements = entries
    .filter((line) => line.includes(`@${dbName} `) && /LOG:\s+duration: [\d.]+ ms\s+(statement|execute [^:]*):/.test(line))
    .map((line) => ({
      ms: Number(/duration: ([\d.]+) ms/.exec(line)?.[1] ?? 0),
      text: line.replace(/^.*LOG:\s+duration: [\d.]+ ms\s+(?:statement|execute [^:]*):\s*/, '').replace(/\s+/g, ' ').trim(),
    }));
  const kinds = new Map<string, { count: number; ms: number }>();
  for (const { text, ms } of statements) {
    const kind = text.replace(/'[^']*'/g, "'…'").replace(/\$\d+/g, '$n').slice(0, 100);
    const entry = kinds.get(kind) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += ms;
    kinds.set(kind, entry);
  }
  const totalMs = statements.reduce((sum, statement) => sum + statement.ms, 0);
  console.log(`\n${statements.length} statements for ${turns} turns: ${(statements.length / turns).toFixed(1)} per turn, ${(totalMs / turns).toFixed(2)} ms of PostgreSQL time per turn (the sweeps of the period included)\n`);
  console.log(`${'per turn'.padStart(8)} ${'ms/turn'.padStart(8)}  statement`);
  for (const [kind, { count, ms }] of [...kinds].sort((a, b) => b[1].ms - a[1].ms)) console.log(`${(count / turns).toFixed(2).padStart(8)} ${(ms / turns).toFixed(3).padStart(8)}  ${kind}`);
} finally {
  await node.stop();
  await provider.stop();
  await database.drop();
}
