import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/test-server.js';
import { createRedisRateLimits } from '../guardrails/redis-rate-limits.js';
import { BullMqJobQueue } from './bullmq-job-queue.js';
import { InProcessJobQueue } from './in-process-job-queue.js';
import type { JobQueue } from './job-queue.js';
import { actOnce } from './job-runs.js';
import { redisOptionsFromUrl } from './redis-connection.js';

const redisUrl = process.env.TEST_REDIS_URL;

const runners: Array<[string, () => JobQueue]> = [
  ['in process', () => new InProcessJobQueue({ attempts: 3, backoffMs: 5 })],
  ...(redisUrl
    ? ([['BullMQ on Redis', () => new BullMqJobQueue({ connection: redisOptionsFromUrl(redisUrl), queueName: `test-${randomBytes(4).toString('hex')}`, policy: { attempts: 3, backoffMs: 5 } })]] as Array<
        [string, () => JobQueue]
      >)
    : []),
];

describe.each(runners)('background jobs %s', (_name, makeQueue) => {
  let database: TestDatabase;
  let queue: JobQueue;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    queue = makeQueue();
  });
  afterAll(async () => {
    await queue?.close();
    await database?.drop();
  });

  it('retries a failing job with backoff, and its effect happens once', async () => {
    const attempts: number[] = [];
    queue.register('flaky_note', async (_payload, { attempt, idempotencyKey }) => {
      attempts.push(attempt);
      // The effect is recorded on every attempt that gets this far, but acts once.
      await actOnce(database.db, 'flaky_note', idempotencyKey, async (tx) => {
        await tx.query(`INSERT INTO support_outbox (id, idempotency_key, subject, body) VALUES ($1, $1, 'note', 'x')`, [`out_${idempotencyKey}`]);
      });
      if (attempt < 2) throw new Error('mail relay down');
    });
    await queue.enqueue('flaky_note', {}, { idempotencyKey: 'n1' });
    // The same job again (a retried request, another node): dropped.
    await queue.enqueue('flaky_note', {}, { idempotencyKey: 'n1' });
    await queue.drain();
    expect(attempts).toEqual([1, 2]);
    const { rows } = await database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM support_outbox WHERE idempotency_key = 'out_n1'`);
    expect(rows[0]?.n).toBe(1);
  });

  it('gives up after its attempts', async () => {
    let calls = 0;
    queue.register('always_fails', async () => {
      calls += 1;
      throw new Error('nope');
    });
    await queue.enqueue('always_fails', {}, { idempotencyKey: 'f1' });
    await queue.drain();
    expect(calls).toBe(3);
  });
});

describe.runIf(redisUrl)('rate limits in Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(redisOptionsFromUrl(redisUrl ?? ''));
  });
  afterAll(() => redis?.disconnect());

  it('share one budget between two nodes', async () => {
    const prefix = `test-rl-${randomBytes(4).toString('hex')}`;
    const nodeA = createRedisRateLimits(redis, () => {}, prefix);
    const nodeB = createRedisRateLimits(redis, () => {}, prefix);
    const rule = { points: 3, durationSeconds: 60 };
    const verdicts = [];
    for (const node of [nodeA, nodeB, nodeA, nodeB]) verdicts.push((await node.consume('messages', rule, 'ses_1')).allowed);
    expect(verdicts).toEqual([true, true, true, false]);
  });
});
