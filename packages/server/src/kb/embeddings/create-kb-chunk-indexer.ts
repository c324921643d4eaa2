import type { AppConfig } from '../../config.js';
import type { Database } from '../../storage/database.js';
import type { KbChunkIndexer } from '../kb-chunk-indexer.js';
import { prepareVectorIndex } from '../vector-index.js';
import { createEmbedder } from './create-embedder.js';
import { EmbeddingChunkIndexer } from './embedding-chunk-indexer.js';

/**
 * The chunk indexer for the configured embedder (EMBEDDING_PROVIDER), for
 * anything that writes articles outside the server (the import CLI). It
 * prepares the pgvector column first where the database has pgvector, so
 * the vectors it writes land in the index too.
 */
export async function createKbChunkIndexer(config: AppConfig, db: Database): Promise<KbChunkIndexer> {
  const embedder = createEmbedder(config);
  const { path } = await prepareVectorIndex(db, embedder.dimensions);
  return new EmbeddingChunkIndexer(embedder, path);
}
