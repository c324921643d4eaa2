import type { Database } from '../../storage/database.js';
import { chunkEmbeddingText } from '../chunk-embedding-text.js';
import type { EmbeddingChunkIndexer } from './embedding-chunk-indexer.js';

/** Chunks per transaction: a crash or another node only ever redoes one round. */
const ROUND_SIZE = 256;

interface StaleChunkRow extends Record<string, unknown> {
  id: string;
  entity: string | null;
  title: string;
  heading: string | null;
  body: string;
}


/**
 * Embeds every chunk that has no vector from the current embedder: written
 * before embeddings existed (the demo seed), by a writer without an indexer,
 * or by another embedder (EMBEDDING_PROVIDER or _MODEL changed). Rows are
 * claimed with FOR UPDATE SKIP LOCKED, so nodes starting together share the
 * work instead of repeating it. Returns how many chunks were embedded.
 */
export async function embedStaleChunks(db: Database, indexer: EmbeddingChunkIndexer): Promise<number> {
  let embedded = 0;
  for (;;) {
    const claimed = await db.transaction(async (tx) => {
      const { rows } = await tx.query<StaleChunkRow>(
        `SELECT c.id, a.entity, a.title, c.heading, c.body
           FROM kb_chunks c JOIN kb_articles a ON a.id = c.article_id
          WHERE c.embedding IS NULL OR c.embedding_model IS DISTINCT FROM $1
          ORDER BY c.id
          LIMIT $2
          FOR UPDATE OF c SKIP LOCKED`,
        [indexer.embedder.model, ROUND_SIZE],
      );
      if (rows.length > 0) await indexer.index(tx, rows.map((row) => ({ id: row.id, text: chunkEmbeddingText(row) })));
      return rows.length;
    });
    embedded += claimed;
    if (claimed < ROUND_SIZE) return embedded;
  }
}
