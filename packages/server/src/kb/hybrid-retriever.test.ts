import { describe, expect, it } from 'vitest';
import type { Embedder } from './embeddings/embedder.js';
import type { EntityFocus } from './entity-matcher.js';
import type { KbScope, LexicalQuery, ScoredChunk } from './full-text-retriever.js';
import { HybridRetriever, type EntitySource, type LexicalSearch } from './hybrid-retriever.js';
import type { VectorHit, VectorScope, VectorSearch } from './vector-search.js';

/** A chunk with a lexical score and a cosine similarity to any question. */
interface StubChunk {
  id: string;
  entity?: string;
  lexical: number;
  similarity: number;
}

const chunk = (stub: StubChunk): ScoredChunk => ({
  chunkId: `${stub.id}#0`,
  articleId: stub.id,
  title: stub.id,
  url: `https://help.example/${stub.id}`,
  category: null,
  entity: stub.entity ?? null,
  heading: null,
  position: 0,
  passage: `About ${stub.id}.`,
  score: stub.lexical,
  rank: stub.lexical,
});

const query: LexicalQuery = { tsquery: "'x'", termQueries: ["'x'"], weights: [1] };

function retriever(stubs: StubChunk[], options: { focus?: EntityFocus[]; rerank?: boolean } = {}) {
  const inScope = (stub: StubChunk, scope: KbScope | VectorScope) => scope.entity === undefined || stub.entity === scope.entity;
  const lexical: LexicalSearch = {
    prepare: async () => query,
    candidates: async (_query, scope, limit) =>
      stubs.filter((stub) => stub.lexical > 0 && inScope(stub, scope)).sort((a, b) => b.lexical - a.lexical).slice(0, limit).map(chunk),
    score: async (_query, ids) => stubs.filter((stub) => ids.includes(`${stub.id}#0`)).map(chunk),
    warm: async () => {},
  };
  const vectors: VectorSearch = {
    path: 'in-service',
    nearest: async (_vector, scope, limit): Promise<VectorHit[]> =>
      stubs
        .filter((stub) => stub.similarity > 0 && inScope(stub, scope))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, limit)
        .map((stub) => ({ chunkId: `${stub.id}#0`, similarity: stub.similarity })),
    similarities: async (_vector, ids) => new Map(stubs.filter((stub) => ids.includes(`${stub.id}#0`)).map((stub) => [`${stub.id}#0`, stub.similarity])),
    warm: async () => {},
  };
  const embedder: Embedder = { model: 'stub', dimensions: 2, embed: async (texts) => texts.map(() => [1, 0]) };
  const entities: EntitySource = {
    candidates: async () => options.focus ?? [],
    withoutName: async (text) => text,
    warm: async () => {},
  };
  return new HybridRetriever(
    { lexical, vectors, embedder, entities },
    { similarityScale: { floor: 0.2, ceiling: 0.7 }, rrfK: 60, ...(options.rerank === undefined ? {} : { rerank: options.rerank }) },
  );
}

describe('HybridRetriever', () => {
  it('fuses by reciprocal rank: a chunk both halves rank well beats one that only one half ranks first', async () => {
    const stubs = [
      { id: 'lexical-only', lexical: 0.9, similarity: 0 },
      { id: 'vector-only', lexical: 0, similarity: 0.69 },
      { id: 'both', lexical: 0.8, similarity: 0.6 },
    ];
    const hits = await retriever(stubs, { rerank: false }).search({ text: 'question' });
    expect(hits[0]?.articleId).toBe('both');
  });

  it('reports a noisy-OR confidence in [0, 1]: either kind of evidence counts, both count more', async () => {
    const hits = await retriever([
      { id: 'strong-words', lexical: 0.8, similarity: 0.2 },
      { id: 'strong-meaning', lexical: 0, similarity: 0.7 },
      { id: 'both', lexical: 0.5, similarity: 0.45 },
      { id: 'neither', lexical: 0, similarity: 0.1 },
    ]).search({ text: 'question', limit: 4 });
    const score = Object.fromEntries(hits.map((hit) => [hit.articleId, hit.score]));
    expect(score).toEqual({ 'strong-meaning': 1, 'strong-words': 0.8, both: 0.75, neither: 0 });
  });

  it("lifts the conversation's entity and discounts other entities' articles", async () => {
    const stubs = [
      { id: 'harbour-checkin', entity: 'Harbour', lexical: 0.8, similarity: 0.5 },
      { id: 'lakeside-checkin', entity: 'Lakeside', lexical: 0.8, similarity: 0.5 },
      { id: 'general-checkin', lexical: 0.6, similarity: 0.4 },
    ];
    const focus: EntityFocus[] = [{ entity: 'Lakeside', source: 'context', coverage: 1, prior: 1 }];
    const hits = await retriever(stubs, { focus }).search({ text: 'check-in time?', context: ['The Lakeside'] });
    expect(hits.map((hit) => hit.articleId)).toEqual(['lakeside-checkin', 'general-checkin', 'harbour-checkin']);
    expect(hits[0]).toMatchObject({ entity: 'Lakeside' });
    const unfocused = await retriever(stubs).search({ text: 'check-in time?' });
    expect(unfocused[0]?.articleId).toBe('general-checkin');
  });

  it('returns nothing for an empty question', async () => {
    expect(await retriever([{ id: 'a', lexical: 1, similarity: 1 }]).search({ text: '   ' })).toEqual([]);
  });
});
