import type { AppConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Database } from '../storage/database.js';
import { CachingRetriever } from './caching-retriever.js';
import { createEmbedder } from './embeddings/create-embedder.js';
import { embedStaleChunks } from './embeddings/embed-stale-chunks.js';
import { EmbeddingChunkIndexer } from './embeddings/embedding-chunk-indexer.js';
import { RetrievalHealth, type KnowledgeBaseStatus } from './embeddings/retrieval-health.js';
import { EntityCatalog } from './entity-catalog.js';
import { FullTextRetriever } from './full-text-retriever.js';
import { HybridRetriever, type SimilarityScale } from './hybrid-retriever.js';
import { prepareVectorIndex, type VectorSearchPath } from './vector-index.js';
import { createVectorSearch } from './vector-search.js';

export interface KnowledgeBase {
  /** Hybrid retrieval behind a short-lived cache (clear() it after KB writes). */
  retriever: CachingRetriever;
  /** Shown in /readyz. */
  vectorSearch: VectorSearchPath;
  /** For writers inside the server (admin API, seed): embeds with the same embedder the retriever searches with. */
  indexer: EmbeddingChunkIndexer;
  /** Live, for /readyz: whether the vector half works or full text answers alone, and since when. */
  status(): KnowledgeBaseStatus;
}

/**
 * Where an embedder's cosine similarities stop meaning "unrelated" and
 * start meaning "says the same": the offline embedder's hashed features
 * share n-grams by chance; hosted models put everything English at 0.1–0.3
 * and paraphrases at 0.6 or more.
 */
const SIMILARITY_SCALES: Record<'local' | 'hosted', SimilarityScale> = {
  local: { floor: 0.15, ceiling: 0.65 },
  hosted: { floor: 0.3, ceiling: 0.7 },
};

/**
 * Start-up of retrieval: picks the vector path (pgvector's HNSW index, or
 * ranking in the service), embeds chunks that have no vector from the
 * current embedder, and builds the hybrid retriever. A failing embedder
 * (a hosted one down at start) is logged, not fatal: the service starts,
 * full text answers alone (the health record says so in /readyz), and
 * when the embedder is back the chunks it missed are embedded.
 */
export async function startKnowledgeBase(options: { config: AppConfig; db: Database; logger?: Logger }): Promise<KnowledgeBase> {
  const { config, db, logger } = options;
  const embedder = createEmbedder(config);
  const status = await prepareVectorIndex(db, embedder.dimensions);
  logger?.info({ vectorSearch: status.path, detail: status.detail, embedder: embedder.model }, `vector search: ${status.path} (${status.detail})`);
  const indexer = new EmbeddingChunkIndexer(embedder, status.path);

  // Set once below; the catch-up closure (which may run later) clears it.
  const holder: { cache?: CachingRetriever } = {};
  let missedAtStart = false;
  let catchingUp = false;
  // Chunks start-up could not embed get their vectors as soon as the embedder answers again.
  const catchUp = () => {
    if (!missedAtStart || catchingUp) return;
    catchingUp = true;
    embedStaleChunks(db, indexer)
      .then((embedded) => {
        missedAtStart = false;
        holder.cache?.clear();
        logger?.info({ embedded, embedder: embedder.model }, `embedded ${embedded} knowledge-base chunk(s) that start-up could not`);
      })
      // Marking embeddings degraded again starts the recovery probe, whose next success retries this.
      .catch((error: unknown) => health.failed('embeddings', error))
      .finally(() => {
        catchingUp = false;
      });
  };
  const health = new RetrievalHealth({
    provider: config.embeddings.provider.kind,
    embedder: embedder.model,
    ...(logger ? { log: logger } : {}),
    onRecovered: (part) => {
      // Answers cached while a half was down were full text only.
      holder.cache?.clear();
      if (part === 'embeddings') catchUp();
    },
  });

  try {
    const embedded = await embedStaleChunks(db, indexer);
    logger?.info({ embedded, embedder: embedder.model }, `embedded ${embedded} knowledge-base chunk(s) at start-up`);
  } catch (error) {
    missedAtStart = true;
    // One warning (from the health tracker): chunks are found by full text only until the embedder answers again.
    health.failed('embeddings', error);
  }
  if (await refreshPlannerStatistics(db)) logger?.info('refreshed planner statistics of the knowledge base after a bulk change');
  const retriever = new HybridRetriever(
    {
      lexical: new FullTextRetriever(db),
      vectors: createVectorSearch(db, status.path, embedder),
      embedder,
      entities: new EntityCatalog(db),
      health,
    },
    {
      similarityScale: SIMILARITY_SCALES[config.embeddings.provider.kind === 'local' ? 'local' : 'hosted'],
      // A question's embedding must leave the knowledge-base tool time to answer by full text.
      queryEmbeddingTimeoutMs: Math.max(500, Math.min(QUERY_EMBEDDING_TIMEOUT_MS, Math.floor(config.ai.toolTimeoutMs / 2))),
    },
  );
  await retriever.warm();
  const cache = new CachingRetriever(retriever);
  holder.cache = cache;
  return { retriever: cache, vectorSearch: status.path, indexer, status: () => health.status() };
}

/** The longest a question waits for its embedding; hosted embedders answer a short text in well under a second. */
const QUERY_EMBEDDING_TIMEOUT_MS = 2500;

/**
 * ANALYZEs the KB tables when their row count has drifted far from the
 * planner's estimate. PostgreSQL's autovacuum does this on its own; PGlite
 * has no autovacuum, and after a bulk import its stale estimates turn GIN
 * and index lookups into full scans (100× slower at 12k chunks).
 */
async function refreshPlannerStatistics(db: Database): Promise<boolean> {
  const { rows } = await db.query<{ estimated: number; actual: number }>(
    `SELECT reltuples::float8 AS estimated, (SELECT count(*) FROM kb_chunks)::float8 AS actual
       FROM pg_class WHERE oid = 'kb_chunks'::regclass`,
  );
  const row = rows[0];
  if (!row || Math.abs(Number(row.actual) - Math.max(0, Number(row.estimated))) <= 0.2 * Number(row.actual) + 100) return false;
  await db.query('ANALYZE kb_chunks');
  await db.query('ANALYZE kb_articles');
  return true;
}
