import { join } from 'node:path';
import type { IntentClassifier } from '../packages/server/src/ai/providers/local/intent-classifier.js';
import { ANSWER_CONFIDENCE_THRESHOLD } from '../packages/server/src/ai/providers/local/compose-answer.js';
import { createKnowledgeRetriever } from '../packages/server/src/build-server.js';
import type { AppConfig } from '../packages/server/src/config.js';
import { createKbChunkIndexer } from '../packages/server/src/kb/embeddings/create-kb-chunk-indexer.js';
import { importArticles } from '../packages/server/src/kb/import/import-knowledge-base.js';
import { readKnowledgeBase } from '../packages/server/src/kb/import/read-knowledge-base.js';
import { migrate } from '../packages/server/src/storage/migrate.js';
import { openPgliteDatabase } from '../packages/server/src/storage/pglite-database.js';
import { buildBm25Index } from './bm25-baseline.js';
import type { FaqEntry, FaqQuery } from './datasets.js';
import { decideForConversation } from './local-provider.js';
import { binaryScores, countBinary, type BinaryScores } from './metrics.js';
import { contextTexts, rankQuery, retrieveWithSystem, RETRIEVAL_DEPTH, scoreRankings, type RetrievalScores } from './retrieval-eval.js';

export const FAQ_KB_FILE = 'dstc-sf-travel-faq/kb.jsonl';

export interface FaqBenchmarkResult {
  system: RetrievalScores;
  bm25_last_turn: RetrievalScores;
  bm25_dialogue: RetrievalScores;
  /** Does the system go to the KB for the turns that need it, and only for those? */
  faq_detection: BinaryScores & { rule: string };
  /** The same with the intent alone, before retrieval confidence is considered. */
  faq_detection_intent_only: BinaryScores;
  import: { articles: number; seconds: number };
  /** Per turn, to see where retrieval or detection goes wrong. */
  turns: Array<{ id: string; knowledge_seeking: boolean; rank: number | null; top_score: number; searches_kb: boolean }>;
}

/**
 * The DSTC10 FAQ benchmark: imports the FAQ knowledge base into an
 * embedded PGlite through the product's importer and indexer, retrieves for
 * every knowledge-seeking turn with the service's retriever (last turn +
 * dialogue context), and runs the BM25 baselines on the same turns.
 */
export async function runFaqBenchmark(input: {
  dataDir: string;
  config: AppConfig;
  kbEntries: FaqEntry[];
  queries: FaqQuery[];
  classifier: IntentClassifier;
  onProgress?: (message: string) => void;
}): Promise<FaqBenchmarkResult> {
  const db = await openPgliteDatabase('memory://');
  try {
    await migrate(db);
    const importStarted = performance.now();
    const kb = await readKnowledgeBase(join(input.dataDir, FAQ_KB_FILE));
    // The importer slugifies ids ("hotel/0/0" → "hotel-0-0") and keeps the original as metadata.externalId.
    const datasetIds = new Map(kb.articles.map((article) => [article.id, typeof article.metadata.externalId === 'string' ? article.metadata.externalId : article.id]));
    const indexer = await createKbChunkIndexer(input.config, db);
    await importArticles(db, kb, { indexer, source: 'dstc-sf-travel-faq' });
    const importSeconds = (performance.now() - importStarted) / 1000;
    input.onProgress?.(`imported ${kb.articles.length} FAQ entries in ${importSeconds.toFixed(1)} s`);

    const retriever = await createKnowledgeRetriever(input.config, db);
    const datasetIdOf = (articleId: string) => datasetIds.get(articleId) ?? articleId;
    const seeking = input.queries.filter((query) => query.knowledge_seeking);

    const systemRanked = [];
    const detection = [];
    for (const query of input.queries) {
      let topScore = 0;
      const ranked = await rankQuery(query, async () => {
        const result = await retrieveWithSystem(retriever, query, datasetIdOf);
        topScore = result.topScore;
        return result.ids;
      });
      if (query.knowledge_seeking) systemRanked.push(ranked);
      const rank = query.knowledge_seeking ? ranked.rank : null;
      const decision = decideForConversation(input.classifier, [
        ...query.context.map((turn) => ({ role: turn.speaker === 'U' ? ('user' as const) : ('assistant' as const), text: turn.text })),
        { role: 'user', text: query.text },
      ]);
      const searches = decision.kind === 'tool_calls' && decision.calls.some((call) => call.name === 'search_knowledge_base');
      detection.push({ id: query.id, searches, topScore, rank, confident: topScore >= ANSWER_CONFIDENCE_THRESHOLD, actual: query.knowledge_seeking });
    }

    const bm25 = buildBm25Index(input.kbEntries);
    const bm25Ranked = async (text: (query: FaqQuery) => string) => {
      const ranked = [];
      for (const query of seeking) ranked.push(await rankQuery(query, async () => bm25.search(text(query), RETRIEVAL_DEPTH)));
      return scoreRankings(ranked);
    };

    return {
      system: scoreRankings(systemRanked),
      bm25_last_turn: await bm25Ranked((query) => query.text),
      bm25_dialogue: await bm25Ranked((query) => [...contextTexts(query), query.text].join(' ')),
      faq_detection: {
        rule: `local provider calls search_knowledge_base and the best hit's score >= ${ANSWER_CONFIDENCE_THRESHOLD}`,
        ...binaryScores(countBinary(detection.map((item) => ({ predicted: item.searches && item.confident, actual: item.actual })))),
      },
      faq_detection_intent_only: binaryScores(countBinary(detection.map((item) => ({ predicted: item.searches, actual: item.actual })))),
      import: { articles: kb.articles.length, seconds: importSeconds },
      turns: detection.map((item) => ({ id: item.id, knowledge_seeking: item.actual, rank: item.rank, top_score: item.topScore, searches_kb: item.searches })),
    };
  } finally {
    await db.close();
  }
}
