import type { Database, Queryable } from '../storage/database.js';

/**
 * Where nearest-neighbour search over chunk embeddings runs: in PostgreSQL
 * with pgvector's HNSW index when the extension is there (PGlite ships it),
 * else in the service over the plain `embedding real[]` column.
 */
export type VectorSearchPath = 'pgvector-hnsw' | 'in-service';

export interface VectorIndexStatus {
  path: VectorSearchPath;
  /** Why it is the in-service path, or which pgvector version runs; for the start-up log. */
  detail: string;
}

// Any constant works; it only has to be the same on every node of a deployment.
const VECTOR_INDEX_LOCK_KEY = 727_100_005;
export const HNSW_INDEX_NAME = 'kb_chunks_embedding_hnsw_idx';

/**
 * Detects pgvector and, when it is there, makes sure `kb_chunks.embedding_vec`
 * (of the embedder's size) and its HNSW index exist, filled from `embedding`.
 * This is not a migration because migrations must run on servers without the
 * extension. Idempotent, and serialised by an advisory lock so that nodes
 * starting together do the DDL once. A size change (another embedder) drops
 * and rebuilds the column; the stale vectors are re-embedded anyway.
 */
export async function prepareVectorIndex(db: Database, dimensions: number): Promise<VectorIndexStatus> {
  const available = await db.query<{ installed: string | null; available: boolean }>(
    `SELECT (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS installed,
            EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available`,
  );
  const row = available.rows[0];
  if (!row?.installed && !row?.available) return { path: 'in-service', detail: 'pgvector is not installed on this database server' };
  try {
    const version = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [VECTOR_INDEX_LOCK_KEY]);
      await tx.query('CREATE EXTENSION IF NOT EXISTS vector');
      await ensureVectorColumn(tx, dimensions);
      const installed = await tx.query<{ version: string }>(`SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'`);
      return installed.rows[0]?.version ?? 'unknown';
    });
    return { path: 'pgvector-hnsw', detail: `pgvector ${version}` };
  } catch (error) {
    // E.g. no right to CREATE EXTENSION: the service still works, ranking vectors itself.
    return { path: 'in-service', detail: `pgvector could not be enabled (${error instanceof Error ? error.message : String(error)})` };
  }
}

async function ensureVectorColumn(tx: Queryable, dimensions: number): Promise<void> {
  const column = await tx.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
      WHERE attrelid = 'kb_chunks'::regclass AND attname = 'embedding_vec' AND NOT attisdropped`,
  );
  const wanted = `vector(${dimensions})`;
  const existing = column.rows[0]?.type;
  if (existing !== undefined && existing !== wanted) {
    await tx.query(`DROP INDEX IF EXISTS ${HNSW_INDEX_NAME}`);
    await tx.query('ALTER TABLE kb_chunks DROP COLUMN embedding_vec');
  }
  // `dimensions` is an integer from validated config, never user text.
  await tx.query(`ALTER TABLE kb_chunks ADD COLUMN IF NOT EXISTS embedding_vec ${wanted}`);
  // Rows embedded while the column did not exist (or by the plain path) get their indexed copy.
  await tx.query(
    `UPDATE kb_chunks SET embedding_vec = embedding::${wanted}
      WHERE embedding IS NOT NULL AND embedding_vec IS NULL AND cardinality(embedding) = $1`,
    [dimensions],
  );
  await tx.query(`CREATE INDEX IF NOT EXISTS ${HNSW_INDEX_NAME} ON kb_chunks USING hnsw (embedding_vec vector_cosine_ops)`);
}
