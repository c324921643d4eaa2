import { setTimeout as sleep } from 'node:timers/promises';
import { defaultRetryPolicy, type JobHandler, type JobOptions, type JobQueue, type RetryPolicy } from './job-queue.js';

/** Embedded mode: jobs run in this process, after the request that enqueued them, with retries. */
export class InProcessJobQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly running = new Set<Promise<void>>();
  /** Keys seen in this process: a duplicate enqueue is dropped, as BullMQ drops a duplicate job id. */
  private readonly seen = new Set<string>();
  private closed = false;

  constructor(
    private readonly policy: RetryPolicy = defaultRetryPolicy,
    private readonly onFailure: (name: string, error: unknown) => void = () => {},
  ) {}

  register(name: string, handler: JobHandler): void {
    this.handlers.set(name, handler);
  }

  async enqueue(name: string, payload: unknown, options: JobOptions): Promise<void> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`no handler registered for job ${name}`);
    if (this.closed) throw new Error('job queue is closed');
    const key = `${name}:${options.idempotencyKey}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const run = this.runWithRetries(name, handler, payload, options.idempotencyKey);
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async runWithRetries(name: string, handler: JobHandler, payload: unknown, idempotencyKey: string): Promise<void> {
    // Never inside the caller's request: start on a later turn of the event loop.
    await sleep(0);
    for (let attempt = 1; attempt <= this.policy.attempts; attempt += 1) {
      try {
        await handler(payload, { attempt, idempotencyKey });
        return;
      } catch (error) {
        if (attempt === this.policy.attempts || this.closed) {
          this.onFailure(name, error);
          return;
        }
        await sleep(this.policy.backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }
}
