import { Redis, type RedisOptions } from 'ioredis';

/** REDIS_URL → ioredis options (BullMQ wants options, so that it can open its own blocking connections). */
export function redisOptionsFromUrl(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  const db = Number(url.pathname.replace(/^\//, '') || 0);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's workers block on Redis; a per-request retry limit would break them.
    maxRetriesPerRequest: null,
  };
}

/** A Redis command that has not answered by then has failed: callers degrade instead of waiting. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

export interface RedisConnections {
  /** Rate limits, publishing, readiness: fails fast while Redis is away (no offline queue, a command timeout). */
  commands: Redis;
  /** Pub/sub subscriptions: queued while away, and re-subscribed by ioredis when Redis is back. */
  subscriber: Redis;
  /** Resolves once the command connection is ready (start-up waits for Redis). */
  ready(): Promise<void>;
  close(): void;
}

interface HealthLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/**
 * Server mode's own Redis connections. Before, one connection with an offline
 * queue and no retry limit served everything, so while Redis was down every
 * rate-limit check waited forever and message intake stalled; now commands
 * fail within REDIS_COMMAND_TIMEOUT_MS and their callers degrade (rate limits
 * fall back to a per-node budget, a publish is reported). Each connection logs
 * one warning when it is lost and one line when it is back, not one per retry
 * (an error listener also keeps ioredis from printing unhandled error events).
 */
export function openRedisConnections(redisUrl: string, log: HealthLog): RedisConnections {
  const base = redisOptionsFromUrl(redisUrl);
  const commands = new Redis({ ...base, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: REDIS_COMMAND_TIMEOUT_MS, connectTimeout: 2000 });
  const subscriber = new Redis({ ...base, connectTimeout: 2000 });
  watchConnection(commands, 'commands', log);
  watchConnection(subscriber, 'pub/sub', log);
  return {
    commands,
    subscriber,
    ready: () =>
      commands.status === 'ready'
        ? Promise.resolve()
        : new Promise((resolve) => {
            commands.once('ready', () => resolve());
          }),
    close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

function watchConnection(client: Redis, role: string, log: HealthLog): void {
  let lost = false;
  client.on('error', (error: unknown) => {
    if (lost) return;
    lost = true;
    log.warn({ err: error, role }, `redis ${role} connection lost; degrading until it is back`);
  });
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    log.info({ role }, `redis ${role} connection restored`);
  });
}
