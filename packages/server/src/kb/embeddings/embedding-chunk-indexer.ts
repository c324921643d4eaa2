import type { Queryable } from '../../storage/database.js';
import type { KbChunkIndexer } from '../kb-chunk-indexer.js';
import type { VectorSearchPath } from '../vector-index.js';
import type { Embedder } from './embedder.js';
import { toPgArrayLiteral } from './vector-codec.js';

/** Chunks embedded and written per round: one embeddings call (hosted ones batch further) and one UPDATE. */
const BATCH_SIZE = 256;

/**
 * Embeds chunks and stores the vectors with the embedder's model name, in
 * the plain `embedding` column and, on the pgvector path, in the indexed
 * `embedding_vec` copy too — both in the caller's transaction, so a rolled
 * back import leaves no vectors behind either.
 */
export class EmbeddingChunkIndexer implements KbChunkIndexer {
  constructor(
    readonly embedder: Embedder,
    readonly path: VectorSearchPath,
  ) {}

  async index(tx: Queryable, chunks: Array<{ id: string; text: string }>): Promise<void> {
    const alsoVector = this.path === 'pgvector-hnsw' ? ', embedding_vec = v.embedding::real[]::vector' : '';
    for (let start = 0; start < chunks.length; start += BATCH_SIZE) {
      const batch = chunks.slice(start, start + BATCH_SIZE);
      const vectors = await this.embedder.embed(batch.map((chunk) => chunk.text));
      await tx.query(
        `UPDATE kb_chunks AS c
            SET embedding = v.embedding::real[], embedding_model = $3, embedded_at = now()${alsoVector}
           FROM unnest($1::text[], $2::text[]) AS v(id, embedding)
          WHERE c.id = v.id`,
        [batch.map((chunk) => chunk.id), vectors.map(toPgArrayLiteral), this.embedder.model],
      );
    }
  }
}
