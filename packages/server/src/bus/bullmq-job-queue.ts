import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { defaultRetryPolicy, type JobHandler, type JobOptions, type JobQueue, type RetryPolicy } from './job-queue.js';

const jobEnvelope = z.object({ payload: z.unknown(), idempotencyKey: z.string() });

/**
 * Server mode: one BullMQ queue on Redis shared by all nodes; every node runs
 * a worker. The idempotency key is the BullMQ job id, so the same job enqueued
 * twice (by two nodes, or a retried request) exists once.
 */
export class BullMqJobQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private readonly handlers = new Map<string, JobHandler>();

  constructor(
    private readonly options: {
      connection: ConnectionOptions;
      /** Queue name; tests use their own so that runs do not see each other's jobs. */
      queueName?: string;
      /** Redis key prefix (REDIS_KEY_PREFIX); BullMQ's own default otherwise. */
      prefix?: string;
      policy?: RetryPolicy;
      onFailure?: (name: string, error: unknown) => void;
    },
  ) {
    this.queue = new Queue(options.queueName ?? 'support-jobs', { connection: options.connection, ...(options.prefix ? { prefix: options.prefix } : {}) });
  }

  register(name: string, handler: JobHandler): void {
    this.handlers.set(name, handler);
    this.worker ??= this.startWorker();
  }

  private startWorker(): Worker {
    const worker = new Worker(
      this.queue.name,
      async (job) => {
        const handler = this.handlers.get(job.name);
        if (!handler) throw new Error(`no handler registered for job ${job.name}`);
        const envelope = jobEnvelope.parse(job.data);
        await handler(envelope.payload, { attempt: job.attemptsMade + 1, idempotencyKey: envelope.idempotencyKey });
      },
      // Jobs mostly wait on others (a model streaming a taken-over reply, a mail relay): many run at once.
      { connection: this.options.connection, concurrency: 16, ...(this.options.prefix ? { prefix: this.options.prefix } : {}) },
    );
    worker.on('failed', (job, error) => {
      const attempts = job?.opts.attempts ?? 1;
      if (job && job.attemptsMade >= attempts) this.options.onFailure?.(job.name, error);
    });
    // Errors of the Redis connection itself: BullMQ reconnects; keep the process alive.
    worker.on('error', () => {});
    return worker;
  }

  async enqueue(name: string, payload: unknown, options: JobOptions): Promise<void> {
    const policy = this.options.policy ?? defaultRetryPolicy;
    await this.queue.add(name, { payload, idempotencyKey: options.idempotencyKey }, {
      // BullMQ drops a job whose id exists already; ':' is reserved in its ids.
      jobId: `${name}-${options.idempotencyKey}`.replace(/:/g, '_'),
      attempts: policy.attempts,
      backoff: { type: 'exponential', delay: policy.backoffMs },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  async drain(): Promise<void> {
    // Waiting, delayed (backing off) and active jobs all count as not finished yet.
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'waiting-children');
      if (Object.values(counts).every((count) => count === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
