import { existsSync } from 'node:fs';
import { BullMqJobQueue } from './bus/bullmq-job-queue.js';
import { RedisSessionEventBus } from './bus/redis-session-event-bus.js';
import { openRedisConnections, redisOptionsFromUrl } from './bus/redis-connection.js';
import { createRedisRateLimits } from './guardrails/redis-rate-limits.js';
import { RedisTokenUsage } from './guardrails/token-usage.js';
import { buildServer } from './build-server.js';
import { startMetricsListener } from './http/metrics-routes.js';
import { ConfigError, loadConfig } from './config.js';
import { loadDemoData } from './demo/demo-data.js';
import { seedDemoData } from './demo/seed-demo-data.js';
import { secretsFromConfig } from './guardrails/secret-scrubber.js';
import { createLogger } from './logger.js';
import { migrate } from './storage/migrate.js';
import { openDatabase } from './storage/open-database.js';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Composition root: read config, open adapters, migrate, seed the demo, serve. */
async function main(): Promise<void> {
  // A local .env (see .env.example) is read into the environment; real deployments set variables directly.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, undefined, { secrets: secretsFromConfig(config) });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const applied = await migrate(db);
  logger.info({ driver: db.driver, applied }, 'database ready');
  if (config.demoEnabled) {
    // Seeded chunks are embedded by the knowledge base's start-up (embedStaleChunks), like any chunk without a vector.
    const { articlesWritten } = await seedDemoData(db, await loadDemoData());
    logger.info({ articlesWritten }, 'demo data seeded');
  }
  // Server mode: rate limits and background jobs shared by every node through Redis.
  const connections = config.redisUrl ? openRedisConnections(config.redisUrl, logger) : undefined;
  await connections?.ready();
  const redis = connections?.commands;
  const prefix = config.redisKeyPrefix;
  const rateLimits = redis ? createRedisRateLimits(redis, (error) => logger.error({ err: error }, 'rate limiter store failed; allowing'), `${prefix}:rl`) : undefined;
  // Publishing fails fast while Redis is away; the connection's own warning says so once, so failures log at debug.
  const bus = connections ? new RedisSessionEventBus(connections.commands, connections.subscriber, { prefix: `${prefix}:session:`, onError: (error) => logger.debug({ err: error }, 'session event not published') }) : undefined;
  const jobs = config.redisUrl
    ? new BullMqJobQueue({ connection: redisOptionsFromUrl(config.redisUrl), prefix, onFailure: (job, error) => logger.error({ err: error, job }, 'background job failed for good') })
    : undefined;

  // The model is the provider chain buildServer makes from config.ai, its breakers counted in its metrics.
  const server = await buildServer({
    config,
    db,
    logger,
    ...(rateLimits ? { rateLimits } : {}),
    ...(jobs ? { jobs } : {}),
    ...(bus ? { bus } : {}),
    // The daily token caps count on every node at once.
    ...(redis ? { tokenUsage: new RedisTokenUsage(redis, `${prefix}:tokens`) } : {}),
    ...(redis ? { readinessChecks: [{ name: 'redis', ping: async () => void (await redis.ping()) }] } : {}),
  });
  if (config.trustProxy !== false && 'hops' in config.trustProxy) {
    // Hop counts trust whoever is nearest: safe only when no client can reach this port directly.
    logger.warn({ trustProxy: config.trustProxy }, 'TRUST_PROXY is a hop count: a client that reaches this port directly picks its own IP; prefer the proxies\' addresses (TRUST_PROXY=10.0.0.0/8,…)');
  }
  logger.info({ jobs: jobs ? 'bullmq' : 'in-process', rateLimits: redis ? 'redis' : 'memory', pubsub: bus ? 'redis' : 'in-process', tokenCaps: redis ? 'redis' : 'database' }, 'background jobs, rate limits, token caps and pub/sub ready');
  const { app } = server;
  await app.listen({ port: config.port, host: config.host });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : config.port;
  const listening = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // Where it listens, said plainly: a demo on loopback is reachable from this machine only.
  const reach = isLoopback(config.host)
    ? `loopback only (set HOST=0.0.0.0 to accept other machines); open http://localhost:${port}`
    : config.host === '0.0.0.0' || config.host === '::'
      ? 'all interfaces, reachable from other machines'
      : 'this address only';
  logger.info(
    { listening, host: config.host, port, provider: server.model.provider, model: server.model.model, chain: config.ai.chain.map((provider) => provider.kind), demo: config.demoEnabled },
    `support chat listening on ${listening}: ${reach}`,
  );

  // Prometheus on a port of its own, on the same interface; the main port's /metrics needs METRICS_TOKEN.
  const metricsListener = config.metrics.port === undefined ? undefined : await startMetricsListener(server.metrics, config.metrics.port, config.host);
  if (config.metrics.port !== undefined) logger.info({ port: config.metrics.port }, `Prometheus metrics on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.metrics.port}/metrics`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: sockets told to reconnect elsewhere (1012), running replies finishing');
    metricsListener?.close();
    await server.shutdown(config.shutdownGraceMs);
    await jobs?.close();
    bus?.close();
    connections?.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
