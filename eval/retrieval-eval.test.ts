import { describe, expect, it } from 'vitest';
import type { KbHit, KbSearchQuery, KnowledgeRetriever } from '../packages/server/src/kb/retriever.js';
import type { FaqQuery } from './datasets.js';
import { contextTexts, rankQuery, retrieveWithSystem, scoreRankings } from './retrieval-eval.js';

const query: FaqQuery = {
  id: 'q1',
  text: 'what time is check-in there',
  context: [
    { speaker: 'U', text: 'a hotel in union square please' },
    { speaker: 'S', text: 'the grant hotel is nice' },
  ],
  knowledge_seeking: true,
  kb_ids: ['hotel/110053/14'],
};

describe('retrieval evaluation', () => {
  it('asks the system retriever as the service does and maps hits back to dataset ids', async () => {
    const seen: KbSearchQuery[] = [];
    const retriever: KnowledgeRetriever = {
      async search(search) {
        seen.push(search);
        return ['hotel-110053-2', 'hotel-110053-14'].map(
          (articleId, index): KbHit => ({ articleId, chunkId: `${articleId}#0`, title: '', url: '', category: 'hotel', heading: null, passage: '', score: 0.9 - index / 10 }),
        );
      },
    };
    const result = await retrieveWithSystem(retriever, query, (articleId) => articleId.replace(/^hotel-(\d+)-(\d+)$/, 'hotel/$1/$2'));
    expect(seen).toEqual([{ text: query.text, context: ['a hotel in union square please', 'the grant hotel is nice'], limit: 5 }]);
    expect(result).toEqual({ ids: ['hotel/110053/2', 'hotel/110053/14'], topScore: 0.9 });
  });

  it('ranks a query against its gold entries and times it', async () => {
    const ranked = await rankQuery(query, async () => ['x', 'hotel/110053/14']);
    expect(ranked).toMatchObject({ id: 'q1', rank: 2, retrieved: ['x', 'hotel/110053/14'] });
    expect(ranked.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('summarises ranks and latencies', () => {
    expect(
      scoreRankings([
        { id: 'a', rank: 1, latencyMs: 10 },
        { id: 'b', rank: 4, latencyMs: 30 },
        { id: 'c', rank: null, latencyMs: 20 },
        { id: 'd', rank: 2, latencyMs: 40 },
      ]),
    ).toEqual({ 'recall@1': 0.25, 'recall@3': 0.5, 'recall@5': 0.75, mrr: (1 + 0.25 + 0 + 0.5) / 4, p50_ms: 20, p99_ms: 40, queries: 4 });
  });

  it('passes the earlier turns, oldest first, as context', () => {
    expect(contextTexts(query)).toEqual(['a hotel in union square please', 'the grant hotel is nice']);
  });
});
