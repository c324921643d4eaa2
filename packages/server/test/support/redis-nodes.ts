import { Redis } from 'ioredis';
import { redisOptionsFromUrl } from '../../src/bus/redis-connection.js';
import { RedisSessionEventBus } from '../../src/bus/redis-session-event-bus.js';
import { createTestDatabase, startTestServer, type RunningTestServer } from '../test-server.js';

/**
 * Server mode in one process: `count` service nodes on one PostgreSQL schema
 * and one Redis (TEST_DATABASE_URL, TEST_REDIS_URL), with a channel prefix of
 * their own, as behind a load balancer.
 */
export async function startRedisNodes(
  count: number,
  /** More of each node's start options (its model, its environment). */
  options: Omit<Parameters<typeof startTestServer>[0] & object, 'database' | 'bus' | 'driver'> = {},
): Promise<{ nodes: RunningTestServer[]; close(): Promise<void> }> {
  const database = await createTestDatabase('postgres');
  const redis = new Redis(redisOptionsFromUrl(process.env.TEST_REDIS_URL ?? ''));
  const prefix = `test:${Date.now()}:${Math.random().toString(36).slice(2)}:session:`;
  const buses: RedisSessionEventBus[] = [];
  const nodes: RunningTestServer[] = [];
  for (let index = 0; index < count; index += 1) {
    const bus = new RedisSessionEventBus(redis, redis.duplicate(), { prefix });
    buses.push(bus);
    nodes.push(await startTestServer({ ...options, database: { db: database.db, drop: async () => {} }, bus }));
  }
  return {
    nodes,
    async close() {
      for (const node of nodes) await node.app.close();
      for (const bus of buses) bus.close();
      redis.disconnect();
      await database.drop();
    },
  };
}
