import type { Database, Queryable } from '../storage/database.js';

/**
 * Makes a job's effect happen once. The effect runs in the same transaction
 * as the record of its idempotency key: a retried or duplicated job finds the
 * key and does nothing, and a job that crashed midway left nothing behind.
 */
export async function actOnce(db: Database, job: string, idempotencyKey: string, effect: (tx: Queryable) => Promise<void>): Promise<boolean> {
  return db.transaction(async (tx) => {
    const claimed = await tx.query(
      'INSERT INTO support_job_runs (idempotency_key, job) VALUES ($1, $2) ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key',
      [`${job}:${idempotencyKey}`, job],
    );
    if (claimed.rows.length === 0) return false;
    await effect(tx);
    return true;
  });
}
