import { describe, expect, it } from 'vitest';
import type { Embedder } from './embeddings/embedder.js';
import { RetrievalHealth, type HealthLog } from './embeddings/retrieval-health.js';
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

interface RetrieverOverrides {
  focus?: EntityFocus[];
  rerank?: boolean;
  embedder?: Embedder;
  /** Replaces the stub vector search's methods (to make them fail). */
  vectors?: Partial<VectorSearch>;
  health?: RetrievalHealth;
  queryEmbeddingTimeoutMs?: number;
  probeIntervalMs?: number;
}

function retriever(stubs: StubChunk[], options: RetrieverOverrides = {}) {
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
    ...options.vectors,
  };
  const embedder: Embedder = options.embedder ?? { model: 'stub', dimensions: 2, embed: async (texts) => texts.map(() => [1, 0]) };
  const entities: EntitySource = {
    candidates: async () => options.focus ?? [],
    withoutName: async (text) => text,
    warm: async () => {},
  };
  return new HybridRetriever(
    { lexical, vectors, embedder, entities, ...(options.health ? { health: options.health } : {}) },
    {
      similarityScale: { floor: 0.2, ceiling: 0.7 },
      rrfK: 60,
      ...(options.rerank === undefined ? {} : { rerank: options.rerank }),
      ...(options.queryEmbeddingTimeoutMs === undefined ? {} : { queryEmbeddingTimeoutMs: options.queryEmbeddingTimeoutMs }),
      ...(options.probeIntervalMs === undefined ? {} : { probeIntervalMs: options.probeIntervalMs }),
    },
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

/** A log that keeps what it was given. */
function recordingLog(): HealthLog & { lines: Array<{ level: 'warn' | 'info'; fields: Record<string, unknown>; message: string }> } {
  const lines: Array<{ level: 'warn' | 'info'; fields: Record<string, unknown>; message: string }> = [];
  return {
    lines,
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
  };
}

/** An embedder whose outage a test switches on and off. */
function switchableEmbedder() {
  const state = { down: true, calls: 0 };
  const embedder: Embedder = {
    model: 'hosted-stub',
    dimensions: 2,
    embed: async (texts) => {
      state.calls += 1;
      if (state.down) throw Object.assign(new Error('openai-compatible is unreachable'), { code: 'ai_unavailable' });
      return texts.map(() => [1, 0]);
    },
  };
  return { embedder, state };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('HybridRetriever when the vector half fails', () => {
  const stubs = [
    { id: 'cancellation-fees', lexical: 0.8, similarity: 0.7 },
    { id: 'meaning-only', lexical: 0, similarity: 0.69 },
  ];

  it('answers by full text when the question cannot be embedded, logs it once, and shows it in the status', async () => {
    const log = recordingLog();
    let now = 1_000_000;
    const health = new RetrievalHealth({ provider: 'openai-compatible', log, now: () => now, logIntervalMs: 60_000 });
    const { embedder, state } = switchableEmbedder();
    const search = retriever(stubs, { embedder, health, probeIntervalMs: 0 });

    const hits = await search.search({ text: 'how much to cancel' });
    expect(hits.map((hit) => hit.articleId)).toEqual(['cancellation-fees']);
    // The confidence full text alone gives it.
    expect(hits[0]?.score).toBeCloseTo(0.8, 5);
    expect(health.status()).toEqual({
      retrieval: 'full_text_only',
      embeddings: 'degraded',
      embeddingProvider: 'openai-compatible',
      vectorSearch: 'ok',
      since: new Date(1_000_000).toISOString(),
      lastError: 'ai_unavailable',
    });
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: 'warn', fields: { part: 'embeddings', provider: 'openai-compatible', code: 'ai_unavailable' } });
    expect(log.lines[0]?.fields.err).toBeInstanceOf(Error);

    // An outage does not flood the log: more failures within the minute write nothing...
    for (let index = 0; index < 5; index += 1) {
      now += 1000;
      await search.search({ text: `question ${index}` });
    }
    await until(() => state.calls >= 3, 'the probes');
    expect(log.lines).toHaveLength(1);
    // ...and one line a minute later, with the count of failures since.
    now += 60_000;
    await search.search({ text: 'one more' });
    await until(() => log.lines.length === 2, 'the repeated warning');
    expect(log.lines[1]).toMatchObject({ level: 'warn', message: expect.stringMatching(/still failing/) });
    expect(Number(log.lines[1]?.fields.failures)).toBeGreaterThan(1);
  });

  it('does not make customers wait for a degraded embedder: it probes in the background and recovers', async () => {
    const log = recordingLog();
    const health = new RetrievalHealth({ provider: 'openai', log });
    const { embedder, state } = switchableEmbedder();
    const search = retriever(stubs, { embedder, health, probeIntervalMs: 0 });

    await search.search({ text: 'first' });
    expect(state.calls).toBe(1);
    expect(health.isDegraded('embeddings')).toBe(true);

    state.down = false;
    // Still full text only for this question; its embedding is the probe.
    const during = await search.search({ text: 'second' });
    expect(during.map((hit) => hit.articleId)).toEqual(['cancellation-fees']);
    await until(() => !health.isDegraded('embeddings'), 'the probe');
    expect(log.lines.at(-1)).toMatchObject({ level: 'info', message: expect.stringMatching(/work again/) });

    const after = await search.search({ text: 'third' });
    expect(after.map((hit) => hit.articleId).sort()).toEqual(['cancellation-fees', 'meaning-only']);
    expect(health.status()).toMatchObject({ retrieval: 'hybrid', embeddings: 'ok', since: null, lastError: null });
  });

  it('probes at most once per interval and one at a time', async () => {
    let now = 0;
    const health = new RetrievalHealth({ provider: 'openai' });
    const { embedder, state } = switchableEmbedder();
    const search = new HybridRetriever(
      {
        lexical: { prepare: async () => query, candidates: async () => [], score: async () => [], warm: async () => {} },
        vectors: { path: 'in-service', nearest: async () => [], similarities: async () => new Map(), warm: async () => {} },
        embedder,
        entities: { candidates: async () => [], withoutName: async (text) => text, warm: async () => {} },
        health,
      },
      { similarityScale: { floor: 0.2, ceiling: 0.7 }, probeIntervalMs: 1000, now: () => now },
    );
    await search.search({ text: 'a' }); // fails: degraded
    await search.search({ text: 'b' }); // same instant as that attempt: no probe
    now = 500;
    await search.search({ text: 'c' }); // within the interval: no probe
    now = 1000;
    await search.search({ text: 'd' }); // one probe
    await until(() => state.calls === 2, 'the probe');
    now = 1500;
    await search.search({ text: 'e' }); // within the interval of that probe: none
    expect(state.calls).toBe(2);
  });

  it('gives up on an embedding that takes too long and answers by full text', async () => {
    const hanging: Embedder = {
      model: 'slow',
      dimensions: 2,
      embed: (_texts, signal) =>
        new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true })),
    };
    const health = new RetrievalHealth({ provider: 'openai' });
    const started = Date.now();
    const hits = await retriever(stubs, { embedder: hanging, health, queryEmbeddingTimeoutMs: 50 }).search({ text: 'cancel' });
    expect(hits.map((hit) => hit.articleId)).toEqual(['cancellation-fees']);
    expect(health.status()).toMatchObject({ embeddings: 'degraded', lastError: 'timeout' });
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('answers by full text when vector search fails, and recovers when it works again', async () => {
    const log = recordingLog();
    const health = new RetrievalHealth({ provider: 'local', log });
    let broken = true;
    const failing = () => Promise.reject(new Error('relation "kb_chunks" has no column embedding_vec'));
    const search = retriever(stubs, {
      health,
      vectors: {
        nearest: async (vector, scope, limit) => (broken ? failing() : [{ chunkId: 'meaning-only#0', similarity: 0.69 }].slice(0, limit)),
        similarities: async (_vector, ids) => (broken ? failing() : new Map(ids.map((id) => [id, id === 'meaning-only#0' ? 0.69 : 0.7]))),
      },
    });
    expect((await search.search({ text: 'cancel' })).map((hit) => hit.articleId)).toEqual(['cancellation-fees']);
    expect(health.status()).toMatchObject({ retrieval: 'full_text_only', embeddings: 'ok', vectorSearch: 'degraded', lastError: 'error' });
    expect(log.lines).toMatchObject([{ level: 'warn', fields: { part: 'vectorSearch' } }]);

    broken = false;
    expect((await search.search({ text: 'cancel please' })).map((hit) => hit.articleId).sort()).toEqual(['cancellation-fees', 'meaning-only']);
    expect(health.status()).toMatchObject({ retrieval: 'hybrid', vectorSearch: 'ok' });
    expect(log.lines.at(-1)).toMatchObject({ level: 'info', fields: { part: 'vectorSearch' } });
  });
});
