import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createSessionResponseSchema, type CreateSessionResponse } from '@support/protocol';
import type { ChatModel } from '../src/ai/model-port.js';
import type { JobQueue } from '../src/bus/job-queue.js';
import type { SessionEventBus } from '../src/bus/session-event-bus.js';
import type { RateLimits } from '../src/guardrails/rate-limits.js';
import type { TokenUsageStore } from '../src/guardrails/token-usage.js';
import { createLocalChatModel } from '../src/ai/providers/local-chat-model.js';
import { buildServer, type BuiltServer } from '../src/build-server.js';
import { loadConfig, type AppConfig } from '../src/config.js';
import { loadDemoData } from '../src/demo/demo-data.js';
import { seedDemoData } from '../src/demo/seed-demo-data.js';
import type { KbChunkIndexer } from '../src/kb/kb-chunk-indexer.js';
import { secretsFromConfig } from '../src/guardrails/secret-scrubber.js';
import { createLogger } from '../src/logger.js';
import type { Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import { openPgliteDatabase } from '../src/storage/pglite-database.js';
import { openPostgresDatabase } from '../src/storage/postgres-database.js';

/** The drivers the protocol tests run against: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const testDrivers: Array<'pglite' | 'postgres'> = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase {
  db: Database;
  /** PostgreSQL: a DATABASE_URL that reaches this database's schema (for services started as processes). */
  url?: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database. For PostgreSQL each call gets its own schema,
 * so test files can run in parallel against one server without seeing each
 * other's rows.
 */
export async function createTestDatabase(driver: 'pglite' | 'postgres'): Promise<TestDatabase> {
  if (driver === 'pglite') {
    const db = await openPgliteDatabase('memory://');
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const db = await openPostgresDatabase(scoped.toString(), { maxConnections: 5 });
  await migrate(db);
  return {
    db,
    url: scoped.toString(),
    async drop() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}

/** Test servers' limits: none (long scripted conversations from one address); the limits get tests of their own. */
const UNLIMITED = { maxTurnsPerConversation: 0, dailyTokensPerCustomer: 0, dailyTokensPerGuestIp: 0 };

/** GUARDRAIL_POLICY for a test server: this policy over the test defaults (no limits unless it sets some). */
export function guardrailPolicyEnv(policy: { input?: Record<string, unknown>; limits?: Record<string, number>; output?: Record<string, unknown> }): string {
  return JSON.stringify({ ...policy, limits: { ...UNLIMITED, ...policy.limits } });
}

/**
 * The input pre-filter records but does not act: for the suites that test the layers behind it (the tool
 * runtime's own ownership check), every attack must reach the model and its tools.
 */
export const INPUT_FILTER_LOG_ONLY = guardrailPolicyEnv({
  input: { self_harm: { action: 'log' }, abuse: { action: 'log' }, pii_exposure: { action: 'log' }, injection: { action: 'log' } },
});

export const TEST_HOST_SECRET = 'test-host-secret-that-is-at-least-32-chars';

export interface RunningTestServer extends BuiltServer {
  url: string;
  db: Database;
  config: AppConfig;
  close(): Promise<void>;
}

/** A real server on a loopback port with seeded demo data. */
export async function startTestServer(options: {
  driver?: 'pglite' | 'postgres';
  database?: TestDatabase;
  model?: ChatModel;
  /** Build the model from the configuration (env), as main.ts does (AI_PROVIDER_CHAIN and its breakers), instead of the local one. */
  modelFromConfig?: boolean;
  /** What indexes chunks written through the admin API (default: built from the config). */
  kbIndexer?: KbChunkIndexer;
  env?: Record<string, string>;
  jobs?: JobQueue;
  bus?: SessionEventBus;
  rateLimits?: RateLimits;
  /** The daily token counts (server mode: RedisTokenUsage); the database's by default. */
  tokenUsage?: TokenUsageStore;
  /** Collects every log line (at debug level) for tests that check what is logged. */
  logLines?: string[];
  /** The server's clock (default: the process clock). */
  now?: () => Date;
  /**
   * The day the demo bookings are seeded around (default: today by `now`).
   * A test that reads the seeded dates with loadDemoData passes the same day
   * to both, so that a run across midnight sees what was seeded.
   */
  today?: Date | string;
  /** Listen on this port (default: any free one); a restart on the same port looks to clients like the same server. */
  port?: number;
} = {}): Promise<RunningTestServer> {
  const database = options.database ?? (await createTestDatabase(options.driver ?? 'pglite'));
  await seedDemoData(database.db, await loadDemoData({ today: options.today ?? options.now?.() ?? new Date() }));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST_JWT_SECRET: TEST_HOST_SECRET,
    PORT: '0',
    HOST: '127.0.0.1',
    // Every test client comes from 127.0.0.1; the limits get tests of their own.
    RATE_LIMIT_SESSIONS_PER_IP_PER_MINUTE: '10000',
    RATE_LIMIT_MESSAGES_PER_MINUTE: '1000',
    // Many tests ask several unanswerable questions in a row; the handoff after repeated failures has its own test.
    ESCALATE_AFTER_FAILED_REPLIES: '0',
    // Long scripted conversations from one address; the limits and caps get tests of their own.
    GUARDRAIL_POLICY: guardrailPolicyEnv({}),
    ...options.env,
  });
  // Given none, buildServer builds the model main.ts would (from the configuration); the offline local one unless asked.
  const model = options.model ?? (options.modelFromConfig ? undefined : createLocalChatModel());
  const built = await buildServer({
    config,
    db: database.db,
    ...(model ? { model } : {}),
    logger: options.logLines
      ? createLogger('debug', { write: (line: string) => void options.logLines?.push(line) }, { secrets: secretsFromConfig(config) })
      : createLogger(config.logLevel, undefined, { secrets: secretsFromConfig(config) }),
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    ...(options.tokenUsage ? { tokenUsage: options.tokenUsage } : {}),
    ...(options.kbIndexer ? { kbIndexer: options.kbIndexer } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const address = await built.app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  return {
    ...built,
    url: address,
    db: database.db,
    config,
    async close() {
      await built.app.close();
      if (!options.database) await database.drop();
    },
  };
}

/** POST /support/chat/session as a client would; `body` stays unknown until a test parses it. */
export async function postSession(baseUrl: string, body: unknown = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}/support/chat/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** A session that must be created (201), parsed against the contract. */
export async function openSession(baseUrl: string, body: Record<string, unknown> = {}): Promise<CreateSessionResponse> {
  const { status, body: raw } = await postSession(baseUrl, body);
  if (status !== 201) throw new Error(`session creation failed with ${status}: ${JSON.stringify(raw)}`);
  return createSessionResponseSchema.parse(raw);
}

/** A customer token signed the way a host application signs it. */
export function signCustomerToken(server: BuiltServer, customerId: string, expiresInSeconds = 600): Promise<string> {
  return server.customerTokens.sign({ sub: customerId }, expiresInSeconds);
}
