import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from './chat-client.js';
import { startRedisNodes } from './support/redis-nodes.js';
import { openSession, signCustomerToken, type RunningTestServer } from './test-server.js';

const redisUrl = process.env.TEST_REDIS_URL;

/**
 * Server mode: two nodes behind a load balancer share PostgreSQL and Redis.
 * A customer's two connections land on different nodes; what one node does
 * for the session reaches the socket held by the other.
 */
describe.runIf(redisUrl && process.env.TEST_DATABASE_URL)('two nodes act as one', () => {
  let deployment: Awaited<ReturnType<typeof startRedisNodes>> | undefined;
  let nodes: RunningTestServer[] = [];

  beforeAll(async () => {
    deployment = await startRedisNodes(2);
    nodes = deployment.nodes;
  });
  afterAll(async () => {
    await deployment?.close();
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
