import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import type { Database, Queryable, SqlParam } from './database.js';
import { scrubbedQuery } from './database-error.js';
import { storableParams } from './storable-params.js';

const SHARED_BUFFERS = '16MB';

/**
 * Embedded Postgres. PGlite runs one connection, so transactions are
 * serialised by PGlite itself; a data directory keeps state across restarts,
 * `memory://` keeps it in memory (tests).
 */
export async function openPgliteDatabase(dataDir: string | 'memory://'): Promise<Database> {
  if (dataDir !== 'memory://') await mkdir(dataDir, { recursive: true });
  // pgvector ships with PGlite: loaded here, enabled by kb/vector-index.ts.
  const extensions = { vector };
  // One process, one connection and a small database: PostgreSQL's default 128 MB of shared buffers would be
  // most of the demo's memory (WASM memory never shrinks once grown), and 16 MB holds its hot pages.
  const options = { extensions, startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`] };
  const pg = dataDir === 'memory://' ? new PGlite(options) : new PGlite(dataDir, options);
  await pg.waitReady;

  const asQueryable = (target: Pick<PGlite, 'query'>): Queryable => ({
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []) {
      const result = await scrubbedQuery(sql, params, () => target.query<Row>(sql, storableParams(params)));
      return { rows: result.rows };
    },
  });

  return {
    driver: 'pglite',
    ...asQueryable(pg),
    async exec(sql) {
      await pg.exec(sql);
    },
    transaction(work) {
      return pg.transaction((tx) => work(asQueryable(tx)));
    },
    async ping() {
      await pg.query('SELECT 1');
    },
    async close() {
      if (!pg.closed) await pg.close();
    },
  };
}
