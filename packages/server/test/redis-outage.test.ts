import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openRedisConnections, type RedisConnections } from '../src/bus/redis-connection.js';
import { RedisSessionEventBus } from '../src/bus/redis-session-event-bus.js';
import { createRedisRateLimits } from '../src/guardrails/redis-rate-limits.js';
import { createLogger } from '../src/logger.js';
import { CLOSE_TRY_AGAIN_LATER } from '../src/ws/chat-socket.js';
import { ChatTestClient } from './chat-client.js';
import { hasRedisServer, startPrivateRedis, type PrivateRedis } from './support/private-redis.js';
import { openSession, startTestServer, type RunningTestServer } from './test-server.js';

const logLineSchema = z.looseObject({ level: z.number(), msg: z.string().optional() });

/**
 * Redis goes away under a running node (server mode) and comes back: message
 * intake keeps going (rate limits fall back to a per-node budget, commands fail
 * fast instead of queueing), the loss is logged once, a socket that connects
 * meanwhile is told to retry (1013), the socket that stayed open gets the
 * replies whose events were lost, and after the return events flow again.
 */
describe.runIf(hasRedisServer)('a Redis outage in server mode', () => {
  let redis: PrivateRedis;
  let port: number;
  let connections: RedisConnections;
  let server: RunningTestServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    port = redis.port;
    const logger = createLogger('debug', { write: (line: string) => void logLines.push(line) });
    connections = openRedisConnections(`redis://127.0.0.1:${port}`, logger);
    await connections.ready();
    server = await startTestServer({
      logLines,
      rateLimits: createRedisRateLimits(connections.commands, () => {}, `test:${port}:rl`),
      bus: new RedisSessionEventBus(connections.commands, connections.subscriber, { prefix: `test:${port}:session:`, readyTimeoutMs: 1000 }),
    });
  });
  afterAll(async () => {
    await server?.close();
    connections?.close();
    await redis?.stop();
  });

  const warnings = (pattern: RegExp) =>
    logLines.map((line) => logLineSchema.parse(JSON.parse(line))).filter((line) => line.level === 40 && pattern.test(line.msg ?? ''));

  it('keeps taking messages while Redis is down, tells new sockets to retry, and recovers', async () => {
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    expect((await client.ask('How long does a refund take?')).reply.role).toBe('assistant');

    await redis.stop();
    // Acknowledged at once (the rate limit answers from memory) though no event can be published.
    const ids = ['down-1', 'down-2', 'down-3'];
    for (const id of ids) client.send({ type: 'send_message', clientMessageId: id, text: 'Can I bring my dog on the plane?' });
    await client.waitUntil((events) => ids.every((id) => events.some((event) => event.type === 'ack' && event.clientMessageId === id)));
    // The replies are stored, to be had on resume.
    await expect
      .poll(async () => (await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM support_chat_messages WHERE session_id = $1 AND role = 'assistant'`, [session.sessionId])).rows[0]?.n, { timeout: 15_000 })
      .toBe(4);
    // A socket connecting now cannot be subscribed: it is told to retry, not that its token is bad.
    const meanwhile = await ChatTestClient.connect(server.url, session.token);
    expect(await meanwhile.waitFor('error')).toMatchObject({ code: 'unavailable' });
    expect(await meanwhile.waitForClose()).toBe(CLOSE_TRY_AGAIN_LATER);
    // One warning per connection for the whole outage, however many commands failed.
    expect(warnings(/^redis commands connection lost/).length).toBe(1);

    const repliesSeenBefore = client.events.filter((event) => event.type === 'message' && event.message.role === 'assistant').length;
    expect(repliesSeenBefore).toBe(1);
    await redis.start();
    await connections.ready();
    await expect.poll(() => connections.subscriber.status, { timeout: 15_000 }).toBe('ready');
    // The socket that stayed open gets the replies whose events were lost, without asking: its node
    // noticed the gap in its subscription and replayed what was stored since the last message it sent.
    await client.waitUntil((events) => ids.every((id) => {
      const ack = events.find((event) => event.type === 'ack' && event.clientMessageId === id);
      return ack?.type === 'ack' && events.some((event) => event.type === 'message' && event.message.replyToMessageId === ack.messageId);
    }), 15_000);
    const back = await ChatTestClient.connect(server.url, session.token);
    await back.waitFor('session_state');
    back.send({ type: 'resume' });
    await back.waitUntil((events) => events.filter((event) => event.type === 'message' && event.message.role === 'assistant').length === 4);
    // And live events flow through Redis again.
    expect((await back.ask('What is the cabin baggage allowance?')).reply.role).toBe('assistant');
    client.close();
    back.close();
  });

  it('publishes again, once its connection is back, a stored reply whose publish failed: a subscriber that returned sooner gets it', async () => {
    const quiet = { warn: () => {}, info: () => {} };
    const nodeA = openRedisConnections(`redis://127.0.0.1:${port}`, quiet);
    const nodeB = openRedisConnections(`redis://127.0.0.1:${port}`, quiet);
    await Promise.all([nodeA.ready(), nodeB.ready()]);
    const prefix = `test:${port}:republish:`;
    const publisher = new RedisSessionEventBus(nodeA.commands, nodeA.subscriber, { prefix });
    const subscriber = new RedisSessionEventBus(nodeB.commands, nodeB.subscriber, { prefix });
    const seen: string[] = [];
    subscriber.subscribe('ses_republish', (event) => void seen.push(event.type === 'message' ? `message:${event.message.id}` : event.type));
    await subscriber.ready('ses_republish');
    try {
      await redis.stop();
      const reply = { id: 'msg_republished', role: 'assistant' as const, text: 'Stored while Redis was away.', createdAt: new Date().toISOString(), citations: [] };
      publisher.publish('ses_republish', { type: 'message_delta', messageId: reply.id, delta: 'Stored' });
      publisher.publish('ses_republish', { type: 'message', message: reply });
      // The delta is not worth sending late; the stored reply is.
      await expect.poll(() => publisher.unsentCount, { timeout: 5000 }).toBe(1);
      // Node A's connection stays away until node B has subscribed again: B's replay of the gap came too early for this reply.
      nodeA.commands.disconnect();
      await redis.start();
      await expect.poll(() => seen.includes('session_events_gap'), { timeout: 15_000 }).toBe(true);
      expect(seen).not.toContain(`message:${reply.id}`);
      await nodeA.commands.connect();
      await expect.poll(() => seen.filter((entry) => entry === `message:${reply.id}`).length, { timeout: 15_000 }).toBe(1);
      expect(seen).not.toContain('message_delta');
      expect(publisher.unsentCount).toBe(0);
    } finally {
      publisher.close();
      subscriber.close();
      nodeA.close();
      nodeB.close();
    }
  });
});
