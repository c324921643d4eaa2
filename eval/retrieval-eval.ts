import type { KnowledgeRetriever } from '../packages/server/src/kb/retriever.js';
import type { FaqQuery } from './datasets.js';
import { firstRelevantRank, meanReciprocalRank, percentile, recallAtK } from './metrics.js';

export interface RetrievalScores {
  'recall@1': number;
  'recall@3': number;
  'recall@5': number;
  mrr: number;
  p50_ms: number;
  p99_ms: number;
  queries: number;
}

/** Per query: the 1-based rank of its first gold entry (null: not in the top results) and how long retrieval took. */
export interface RankedQuery {
  id: string;
  rank: number | null;
  latencyMs: number;
}

export function scoreRankings(ranked: readonly RankedQuery[]): RetrievalScores {
  const ranks = ranked.map((query) => query.rank);
  const latencies = ranked.map((query) => query.latencyMs);
  return {
    'recall@1': recallAtK(ranks, 1),
    'recall@3': recallAtK(ranks, 3),
    'recall@5': recallAtK(ranks, 5),
    mrr: meanReciprocalRank(ranks),
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    queries: ranked.length,
  };
}

/** The earlier turns' texts, oldest first, as the service passes them (KbSearchQuery.context). */
export function contextTexts(query: FaqQuery): string[] {
  return query.context.map((turn) => turn.text);
}

/** Times one retrieval and ranks its results against the gold entries. */
export async function rankQuery(query: FaqQuery, retrieve: () => Promise<string[]>): Promise<RankedQuery & { retrieved: string[] }> {
  const started = performance.now();
  const retrieved = await retrieve();
  const latencyMs = performance.now() - started;
  return { id: query.id, rank: firstRelevantRank(retrieved, new Set(query.kb_ids ?? [])), latencyMs, retrieved };
}

export const RETRIEVAL_DEPTH = 5;

/**
 * The system retriever, called as the service calls it: the last turn as
 * text, the dialogue so far as context. Hits are mapped back to dataset ids;
 * `topScore` is the confidence of the best hit (0 without hits).
 */
export async function retrieveWithSystem(
  retriever: KnowledgeRetriever,
  query: FaqQuery,
  datasetIdOf: (articleId: string) => string,
): Promise<{ ids: string[]; topScore: number }> {
  const hits = await retriever.search({ text: query.text, context: contextTexts(query), limit: RETRIEVAL_DEPTH });
  return { ids: hits.map((hit) => datasetIdOf(hit.articleId)), topScore: hits[0]?.score ?? 0 };
}
