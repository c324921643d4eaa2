/**
 * Background jobs for slow side effects (notifications, follow-up emails).
 * One job code path, two runners: in process (embedded mode) and BullMQ on
 * Redis (server mode, shared by every node). Both retry with exponential
 * backoff; the idempotency key makes a duplicate enqueue a no-op, and job
 * handlers record it when they act (see job-runs.ts) so a retry acts once.
 */
export interface JobOptions {
  idempotencyKey: string;
}

export type JobHandler = (payload: unknown, context: { attempt: number; idempotencyKey: string }) => Promise<void>;

export interface JobQueue {
  readonly kind: 'in-process' | 'bullmq';
  /** Handlers are registered before the first enqueue, at composition time. */
  register(name: string, handler: JobHandler): void;
  enqueue(name: string, payload: unknown, options: JobOptions): Promise<void>;
  /** Resolves when every job enqueued so far has finished (succeeded or used up its attempts). For tests and shutdown. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, backoffMs: 500 };
