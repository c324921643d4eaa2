import pg from 'pg';
import type { Database, Queryable, SqlParam } from './database.js';
import { scrubbedQuery } from './database-error.js';
import { storableParams } from './storable-params.js';

const CONNECT_TIMEOUT_MS = 5000;

/** A real PostgreSQL server through a node-postgres pool (server mode). */
export async function openPostgresDatabase(connectionString: string, options: { maxConnections?: number; connectTimeoutMs?: number } = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    // While the server is away (restarting, failing over, unreachable) a query fails within this
    // bound instead of waiting forever for a connection: the caller answers `unavailable`, and
    // what awaited a reply stays pending for the next sweep.
    connectionTimeoutMillis: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    // A connection whose server vanished without a word (a partition) is found dead by TCP.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const client = await pool.connect();
  client.release();

  const asQueryable = (target: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []) {
      const result = await scrubbedQuery(sql, params, () => target.query<Row>(sql, storableParams(params)));
      return { rows: result.rows };
    },
  });

  return {
    driver: 'postgres',
    ...asQueryable(pool),
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(work) {
      // The server away (restarting, failing over) fails here: a DatabaseQueryError like any other
      // query's, so the edges answer a retryable `unavailable`, not internal_error.
      const tx = await scrubbedQuery('BEGIN', [], () => pool.connect());
      // A checked-out client whose server goes away between two statements emits 'error'; unheard,
      // that would crash the process. The transaction's next statement fails and reports it.
      const onLost = () => {};
      tx.on('error', onLost);
      let unusable = false;
      try {
        await scrubbedQuery('BEGIN', [], () => tx.query('BEGIN'));
        const result = await work(asQueryable(tx));
        await scrubbedQuery('COMMIT', [], () => tx.query('COMMIT'));
        return result;
      } catch (error) {
        // A ROLLBACK that fails means the connection is gone: it is destroyed, not put back in the pool.
        await tx.query('ROLLBACK').catch(() => {
          unusable = true;
        });
        throw error;
      } finally {
        tx.off('error', onLost);
        tx.release(unusable ? true : undefined);
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
