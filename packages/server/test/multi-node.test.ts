import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from '../src/bus/redis-connection.js';
import { RedisSessionEventBus } from '../src/bus/redis-session-event-bus.js';
import { ChatTestClient } from './chat-client.js';
import { createTestDatabase, openSession, signCustomerToken, startTestServer, type RunningTestServer, type TestDatabase } from './test-server.js';

const redisUrl = process.env.TEST_REDIS_URL;

/**
 * Server mode: two nodes behind a load balancer share PostgreSQL and Redis.
 * A customer's two connections land on different nodes; what one node does
 * for the session reaches the socket held by the other.
 */
describe.runIf(redisUrl && process.env.TEST_DATABASE_URL)('two nodes act as one', () => {
  let database: TestDatabase;
  let redis: Redis;
  const buses: RedisSessionEventBus[] = [];
  const nodes: RunningTestServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    redis = new Redis(redisOptionsFromUrl(redisUrl ?? ''));
    const prefix = `test:${Date.now()}:session:`;
    for (let index = 0; index < 2; index += 1) {
      const bus = new RedisSessionEventBus(redis, redis.duplicate(), { prefix });
      buses.push(bus);
      nodes.push(await startTestServer({ database: { db: database.db, drop: async () => {} }, bus }));
    }
  });
  afterAll(async () => {
    for (const node of nodes) await node.app.close();
    for (const bus of buses) bus.close();
    redis?.disconnect();
    await database?.drop();
  });

  it('streams a reply made on node A to the socket on node B, and escalations too', async () => {
    const [nodeA, nodeB] = nodes;
    if (!nodeA || !nodeB) throw new Error('nodes missing');
    const session = await openSession(nodeA.url, { customerToken: await signCustomerToken(nodeA, 'cus_alice') });
    const onA = await ChatTestClient.connect(nodeA.url, session.token);
    const onB = await ChatTestClient.connect(nodeB.url, session.token);
    await onA.waitFor('session_state');
    await onB.waitFor('session_state');

    const { reply } = await onA.ask('How long does a refund take?');
    const seenOnB = await onB.waitFor('message', (event) => event.message.id === reply.id);
    expect(seenOnB.message.text).toBe(reply.text);
    expect(onB.events.filter((event) => event.type === 'message_delta').length).toBeGreaterThan(0);
    // The ack is the sender's alone.
    expect(onB.events.filter((event) => event.type === 'ack')).toEqual([]);

    onB.send({ type: 'escalate', reason: 'from the other tab' });
    const onBEscalated = await onB.waitFor('escalated');
    expect((await onA.waitFor('escalated')).ticketId).toBe(onBEscalated.ticketId);
    onA.close();
    onB.close();
  });
});
