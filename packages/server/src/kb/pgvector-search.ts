import type { Database, SqlParam } from '../storage/database.js';
import { toPgVectorLiteral } from './embeddings/vector-codec.js';
import { scopeSql } from './kb-scope-sql.js';
import type { VectorHit, VectorScope, VectorSearch } from './vector-search.js';

/** Candidates the HNSW scan looks at; pgvector's default of 40 is tuned for LIMIT 10. */
const EF_SEARCH = 100;

/**
 * kNN in PostgreSQL through pgvector. Searches over the KB walk the HNSW
 * index (with iterative scans, so a locale or category filter still fills
 * the limit); a search within one entity's few articles is exact instead:
 * the index would return the nearest chunks of the whole KB, most of them
 * filtered away.
 */
export class PgvectorSearch implements VectorSearch {
  readonly path = 'pgvector-hnsw';

  constructor(
    private readonly db: Database,
    private readonly model: string,
  ) {}

  async nearest(vector: readonly number[], scope: VectorScope, limit: number): Promise<VectorHit[]> {
    const params: SqlParam[] = [toPgVectorLiteral(vector), this.model];
    const { from, where } = scopeSql(scope, params, ['id', 'article_id', 'embedding_vec', 'embedding_model']);
    params.push(limit);
    const within = scope.entity !== undefined;
    // Ordered by distance alone, or the index cannot serve the order; within an entity the id breaks ties.
    const sql = `SELECT c.id AS chunk_id, (1 - (c.embedding_vec <=> $1::vector))::float8 AS similarity
                   FROM ${from}
                  WHERE c.embedding_model = $2 AND c.embedding_vec IS NOT NULL AND ${where}
                  ORDER BY c.embedding_vec <=> $1::vector${within ? ', c.id' : ''}
                  LIMIT $${params.length}`;
    // Within an entity, scopeSql reaches the chunks through the articles, so this is an exact sort of a few rows.
    if (within) return (await this.db.query<SimilarityRow>(sql, params)).rows.map(toHit);
    return this.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL hnsw.ef_search = ${EF_SEARCH}`);
      await tx.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
      // relaxed_order may return a near-tie out of order.
      return (await tx.query<SimilarityRow>(sql, params)).rows.map(toHit).sort((a, b) => b.similarity - a.similarity);
    });
  }

  /** One walk of the index, so that its pages are in the database's cache before the first customer asks. */
  async warm(): Promise<void> {
    const { rows } = await this.db.query<{ dimensions: number }>(
      `SELECT vector_dims(embedding_vec) AS dimensions FROM kb_chunks WHERE embedding_model = $1 AND embedding_vec IS NOT NULL LIMIT 1`,
      [this.model],
    );
    const dimensions = rows[0]?.dimensions;
    if (dimensions) await this.nearest(Array.from({ length: dimensions }, (_, index) => (index === 0 ? 1 : 0)), {}, 1);
  }

  async similarities(vector: readonly number[], chunkIds: readonly string[]): Promise<Map<string, number>> {
    if (chunkIds.length === 0) return new Map();
    const { rows } = await this.db.query<SimilarityRow>(
      `SELECT id AS chunk_id, (1 - (embedding_vec <=> $1::vector))::float8 AS similarity
         FROM kb_chunks WHERE id = ANY($2::text[]) AND embedding_model = $3 AND embedding_vec IS NOT NULL`,
      [toPgVectorLiteral(vector), [...chunkIds], this.model],
    );
    return new Map(rows.map((row) => [row.chunk_id, Number(row.similarity)]));
  }
}

interface SimilarityRow extends Record<string, unknown> {
  chunk_id: string;
  similarity: number;
}

const toHit = (row: SimilarityRow): VectorHit => ({ chunkId: row.chunk_id, similarity: Number(row.similarity) });
