import type { Database } from '../storage/database.js';
import { InServiceVectorSearch } from './in-service-vector-search.js';
import { PgvectorSearch } from './pgvector-search.js';
import type { VectorSearchPath } from './vector-index.js';

export interface VectorScope {
  locale?: string;
  category?: string;
  /** Only the chunks of this entity's articles. */
  entity?: string;
}

export interface VectorHit {
  chunkId: string;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

/**
 * Nearest chunks to a query vector by cosine similarity, over the vectors of
 * one embedder (`model`). Two implementations: pgvector's HNSW index, and a
 * brute-force scan in the service where the database has no pgvector.
 */
export interface VectorSearch {
  readonly path: VectorSearchPath;
  nearest(vector: readonly number[], scope: VectorScope, limit: number): Promise<VectorHit[]>;
  /** Similarities of given chunks (candidates the other retriever found); chunks without a vector are left out. */
  similarities(vector: readonly number[], chunkIds: readonly string[]): Promise<Map<string, number>>;
  /** Gets ready for the first search (loads what it keeps in memory). */
  warm(): Promise<void>;
}

export function createVectorSearch(db: Database, path: VectorSearchPath, embedder: { model: string; dimensions: number }): VectorSearch {
  return path === 'pgvector-hnsw' ? new PgvectorSearch(db, embedder.model) : new InServiceVectorSearch(db, embedder);
}
