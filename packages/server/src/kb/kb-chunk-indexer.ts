import type { Queryable } from '../storage/database.js';

/**
 * What the import pipeline calls for chunks that are new or changed, inside
 * the import's transaction: compute and store whatever retrieval needs beyond
 * the text itself (embeddings). Unchanged chunks are never passed, which is
 * what keeps re-imports cheap.
 */
export interface KbChunkIndexer {
  index(tx: Queryable, chunks: Array<{ id: string; text: string }>): Promise<void>;
}
