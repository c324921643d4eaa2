import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../src/config.js';
import { loadDemoData } from '../src/demo/demo-data.js';
import { seedDemoData } from '../src/demo/seed-demo-data.js';
import { createKbChunkIndexer } from '../src/kb/embeddings/create-kb-chunk-indexer.js';
import { embedStaleChunks } from '../src/kb/embeddings/embed-stale-chunks.js';
import { EmbeddingChunkIndexer } from '../src/kb/embeddings/embedding-chunk-indexer.js';
import { createHashedFeaturesEmbedder } from '../src/kb/embeddings/hashed-features-embedder.js';
import { FullTextRetriever } from '../src/kb/full-text-retriever.js';
import { InServiceVectorSearch } from '../src/kb/in-service-vector-search.js';
import { PgvectorSearch } from '../src/kb/pgvector-search.js';
import type { KbArticle } from '../src/kb/kb-article.js';
import type { KbChunkIndexer } from '../src/kb/kb-chunk-indexer.js';
import { startKnowledgeBase, type KnowledgeBase } from '../src/kb/knowledge-base.js';
import type { KnowledgeRetriever } from '../src/kb/retriever.js';
import { upsertArticles } from '../src/kb/upsert-articles.js';
import { HNSW_INDEX_NAME, prepareVectorIndex, type VectorSearchPath } from '../src/kb/vector-index.js';
import { createVectorSearch, type VectorScope } from '../src/kb/vector-search.js';
import type { Database } from '../src/storage/database.js';
import { createTestDatabase, startTestServer, testDrivers, type TestDatabase } from './test-server.js';

const config = loadConfig({});

const article = (fields: Pick<KbArticle, 'id' | 'title' | 'body'> & Partial<KbArticle>): KbArticle => ({
  category: null,
  url: `https://help.example/${fields.id}`,
  locale: 'en',
  entity: null,
  sourcePath: null,
  metadata: {},
  ...fields,
});

/**
 * A small help centre built so that each half of hybrid retrieval misses
 * something the other finds: a misspelt question only the character
 * n-grams of the vectors catch, and an error code only full text matches
 * exactly (in the vectors, an article listing look-alike codes is closer).
 * Two hotels with their own FAQs test follow-ups.
 */
const fixture: KbArticle[] = [
  article({
    id: 'lost-baggage',
    title: 'Lost or delayed baggage',
    category: 'baggage',
    body: 'Suitcase did not arrive? Report it at the baggage desk; we deliver it to you.',
  }),
  article({
    id: 'payment-declined',
    title: 'Payment problems at checkout',
    category: 'payments',
    body:
      'Most payment problems are solved by trying another card or by asking your bank to allow online payments. ' +
      'Prepaid cards and some virtual cards are not accepted for bookings that start within three days. ' +
      'At checkout, E4471 means the card issuer declined the authorisation: contact your bank, then try again.',
  }),
  article({
    id: 'app-error-codes',
    title: 'Error codes in the app',
    category: 'app',
    body: 'E4470, E4472 and E4473 mean the app needs an update.',
  }),
  article({
    id: 'seat-selection',
    title: 'Choosing your seat',
    category: 'seats',
    body: 'You can pick a seat when you book or later in My Trips. Extra legroom seats cost more; free seats are assigned at check-in.',
  }),
  article({
    id: 'refund-times',
    title: 'How long refunds take',
    category: 'refunds',
    locale: 'en',
    body: 'Refunds to a card take 5 to 10 business days. Refunds to your wallet are instant.',
  }),
  article({
    id: 'refund-times-fr',
    title: 'Délais de remboursement',
    category: 'refunds',
    locale: 'fr',
    body: 'Les remboursements sur carte prennent 5 à 10 jours ouvrés (refund card).',
  }),
  article({
    id: 'harbour-checkin',
    title: 'What time is check-in?',
    category: 'hotel',
    entity: 'Harbour View Hotel',
    body: 'Check-in at the Harbour View Hotel starts at 2 pm; check-out is at 11 am.',
  }),
  article({
    id: 'harbour-pets',
    title: 'Are pets allowed?',
    category: 'hotel',
    entity: 'Harbour View Hotel',
    body: 'Dogs up to 10 kg are welcome for a fee.',
  }),
  article({
    id: 'lakeside-checkin',
    title: 'What time is check-in?',
    category: 'hotel',
    entity: 'Lakeside Inn',
    body: 'Check-in at the Lakeside Inn is from 4 pm until midnight.',
  }),
  article({
    id: 'lakeside-pets',
    title: 'Are pets allowed?',
    category: 'hotel',
    entity: 'Lakeside Inn',
    body: 'Sorry, no pets are allowed at the Lakeside Inn.',
  }),
];

/** Both halves' tricky questions, each with the article that answers it. */
const typoQuestion = { text: 'my sutcase never arived', answer: 'lost-baggage' };
const codeQuestion = { text: 'what does E4471 mean', answer: 'payment-declined' };

async function writeArticles(db: Database, articles: KbArticle[], indexer: KbChunkIndexer): Promise<void> {
  await db.transaction((tx) => upsertArticles(tx, articles, { source: 'test', indexer }));
}

/**
 * The vector path a database should get: pgvector's index where the server
 * offers the extension (PGlite ships it; a PostgreSQL server may or may not
 * have it installed), ranking in the service where it does not.
 *
 * On a PostgreSQL server shared by parallel test files, the extension must be
 * created once where every test schema sees it (.ci/run does
 * `CREATE EXTENSION vector SCHEMA pg_catalog`): created by the service inside
 * one test's schema, its type is invisible to the others, which then fall back
 * to in-service ("pgvector could not be enabled (type "vector" does not exist)").
 */
async function expectedVectorPath(db: Database): Promise<VectorSearchPath> {
  const { rows } = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
  return rows.length > 0 ? 'pgvector-hnsw' : 'in-service';
}

const topArticle = async (retriever: KnowledgeRetriever, text: string, context?: string[]) =>
  (await retriever.search({ text, limit: 3, ...(context ? { context } : {}) }))[0]?.articleId;

describe.each(testDrivers)('hybrid retrieval on %s', (driver) => {
  let database: TestDatabase;
  let db: Database;
  let knowledge: KnowledgeBase;
  let expectedPath: VectorSearchPath;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.db;
    expectedPath = await expectedVectorPath(db);
    await writeArticles(db, fixture, await createKbChunkIndexer(config, db));
    knowledge = await startKnowledgeBase({ config, db });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('detects the vector path the server offers: pgvector-hnsw where it has pgvector, in-service where not', async () => {
    // PGlite ships pgvector, so on it the pgvector path is always the one tested.
    if (driver === 'pglite') expect(expectedPath).toBe('pgvector-hnsw');
    // Idempotent, also when two nodes start at once.
    const again = await Promise.all([prepareVectorIndex(db, 384), prepareVectorIndex(db, 384)]);
    expect(knowledge.vectorSearch, again[0]?.detail).toBe(expectedPath);
    expect(again.map((status) => status.path)).toEqual([expectedPath, expectedPath]);
    const columns = await db.query<{ type: string }>(
      `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'kb_chunks'::regclass AND attname = 'embedding_vec' AND NOT attisdropped`,
    );
    // This schema's index only: on PostgreSQL other test files have schemas of their own.
    const indexes = await db.query('SELECT 1 FROM pg_indexes WHERE indexname = $1 AND schemaname = current_schema()', [HNSW_INDEX_NAME]);
    if (expectedPath === 'pgvector-hnsw') {
      expect(columns.rows).toEqual([{ type: 'vector(384)' }]);
      expect(indexes.rows).toHaveLength(1);
      expect(again[0]?.detail).toMatch(/^pgvector \d/);
    } else {
      expect(columns.rows).toEqual([]);
      expect(indexes.rows).toEqual([]);
      expect(again[0]?.detail).toMatch(/not installed/);
    }
  });

  it('stores a unit vector and the model with every chunk (both columns on the pgvector path)', async () => {
    const { rows } = await db.query<{ models: string[]; missing: number; dims: number[] }>(
      `SELECT array_agg(DISTINCT embedding_model) AS models, count(*) FILTER (WHERE embedding IS NULL)::int AS missing,
              array_agg(DISTINCT cardinality(embedding)) AS dims FROM kb_chunks`,
    );
    expect(rows[0]).toEqual({ models: ['hashed-features-v1-384'], missing: 0, dims: [384] });
    if (expectedPath === 'pgvector-hnsw') {
      const synced = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kb_chunks WHERE embedding_vec IS NULL');
      expect(synced.rows[0]?.n).toBe(0);
    }
  });

  it('beats each of its halves: vectors catch the misspelt paraphrase, full text the exact code', async () => {
    const fullText = new FullTextRetriever(db);
    const embedder = createHashedFeaturesEmbedder();
    const vectors = createVectorSearch(db, knowledge.vectorSearch, embedder);
    const vectorOnlyTop = async (text: string) => {
      const [vector] = await embedder.embed([text]);
      const [best] = await vectors.nearest(vector ?? [], {}, 1);
      const { rows } = await db.query<{ article_id: string }>('SELECT article_id FROM kb_chunks WHERE id = $1', [best?.chunkId ?? '']);
      return rows[0]?.article_id;
    };
    const questions = [typoQuestion, codeQuestion];
    const correct = async (top: (text: string) => Promise<string | undefined>) => {
      let count = 0;
      for (const question of questions) if ((await top(question.text)) === question.answer) count += 1;
      return count;
    };
    // Each half alone gets one of the two...
    expect(await topArticle(fullText, typoQuestion.text)).not.toBe(typoQuestion.answer);
    expect(await vectorOnlyTop(typoQuestion.text)).toBe(typoQuestion.answer);
    expect(await topArticle(fullText, codeQuestion.text)).toBe(codeQuestion.answer);
    expect(await vectorOnlyTop(codeQuestion.text)).not.toBe(codeQuestion.answer);
    expect(await correct((text) => topArticle(fullText, text))).toBe(1);
    expect(await correct(vectorOnlyTop)).toBe(1);
    // ...and the fusion gets both.
    expect(await correct((text) => topArticle(knowledge.retriever, text))).toBe(2);
  });

  it('follows the conversation: "that" is the hotel named last, unless the message names one', async () => {
    const retriever = knowledge.retriever;
    const aboutLakeside = ['Can you recommend a hotel?', 'The Harbour View Hotel is lovely.', 'Anything quieter?', 'The Lakeside Inn is very quiet.'];
    const hits = await retriever.search({ text: "what's the check-in time for that?", context: aboutLakeside, limit: 3 });
    expect(hits[0]).toMatchObject({ articleId: 'lakeside-checkin', entity: 'Lakeside Inn' });
    expect(hits[0]?.score).toBeGreaterThanOrEqual(0.5);
    expect(await topArticle(retriever, 'do they allow pets', aboutLakeside)).toBe('lakeside-pets');
    expect(await topArticle(retriever, 'do they allow pets', aboutLakeside.slice(0, 2))).toBe('harbour-pets');
    // The last message names its own subject.
    expect(await topArticle(retriever, 'and does the harbour view hotel allow pets?', aboutLakeside)).toBe('harbour-pets');
    // A noisy transcript still names it.
    expect(await topArticle(retriever, 'what time is check in there', ['ok so the lakesid inn then'])).toBe('lakeside-checkin');
    // A general question stays general, whatever hotel was discussed.
    expect(await topArticle(retriever, 'how long does a refund to my card take', aboutLakeside)).toBe('refund-times');
  });

  it('filters by locale and category', async () => {
    const retriever = knowledge.retriever;
    expect((await retriever.search({ text: 'refund card', locale: 'fr' })).map((hit) => hit.articleId)).toEqual(['refund-times-fr']);
    const hits = await retriever.search({ text: 'what time is check-in', category: 'hotel', limit: 5 });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((hit) => hit.category === 'hotel')).toBe(true);
  });

  it('ranks in the service as pgvector ranks, wherever the server has pgvector (the in-service path forced)', async (context) => {
    // Without pgvector every test here runs the in-service path, and the last describe compares it with PGlite's pgvector.
    if (knowledge.vectorSearch !== 'pgvector-hnsw') context.skip();
    const embedder = createHashedFeaturesEmbedder();
    const paths = [new PgvectorSearch(db, embedder.model), new InServiceVectorSearch(db, embedder)] as const;
    const scopes: VectorScope[] = [{}, { locale: 'fr' }, { category: 'hotel' }, { entity: 'Lakeside Inn' }];
    const questions = [typoQuestion.text, codeQuestion.text, 'what time is check-in', 'are dogs allowed', 'how long does a refund to my card take'];
    for (const question of questions) {
      const [vector = []] = await embedder.embed([question]);
      for (const scope of scopes) {
        const [indexed, scanned] = await Promise.all(paths.map((search) => search.nearest(vector, scope, 5)));
        const label = `${question} ${JSON.stringify(scope)}`;
        expect(scanned?.map((hit) => hit.chunkId), label).toEqual(indexed?.map((hit) => hit.chunkId));
        indexed?.forEach((hit, index) => expect(scanned?.[index]?.similarity, label).toBeCloseTo(hit.similarity, 5));
      }
      const chunkIds = ['lost-baggage#0', 'payment-declined#0', 'harbour-pets#0', 'no-such-chunk#0'];
      const [fromIndex, fromScan] = await Promise.all(paths.map((search) => search.similarities(vector, chunkIds)));
      expect([...(fromScan?.keys() ?? [])].sort(), question).toEqual([...(fromIndex?.keys() ?? [])].sort());
      for (const [chunkId, similarity] of fromIndex ?? []) expect(fromScan?.get(chunkId), question).toBeCloseTo(similarity, 5);
    }
  });

  it('is confident only when a passage answers: below 0.5 for an unrelated question', async () => {
    const [unrelated] = await knowledge.retriever.search({ text: 'What is the weather like on Mars today?' });
    expect(unrelated?.score ?? 0).toBeLessThan(0.5);
    const [answer] = await knowledge.retriever.search({ text: 'How long does a refund take?' });
    expect(answer).toMatchObject({ articleId: 'refund-times' });
    expect(answer?.score).toBeGreaterThanOrEqual(0.5);
    expect(answer?.score).toBeLessThanOrEqual(1);
  });

  it('re-embeds at start-up what another embedder (or nobody) embedded, and only that', async () => {
    await db.query(`UPDATE kb_chunks SET embedding_model = 'some-old-model' WHERE id = 'seat-selection#0'`);
    await db.query(`UPDATE kb_chunks SET embedding = NULL, embedding_model = NULL WHERE id = 'lost-baggage#0'`);
    const indexer = new EmbeddingChunkIndexer(createHashedFeaturesEmbedder(), knowledge.vectorSearch);
    expect(await embedStaleChunks(db, indexer)).toBe(2);
    expect(await embedStaleChunks(db, indexer)).toBe(0);
    expect(await topArticle(knowledge.retriever, typoQuestion.text)).toBe('lost-baggage');
  });

  it('sees articles written after start (the in-service copy reloads when the data changes)', async () => {
    let now = 0;
    const embedder = createHashedFeaturesEmbedder();
    const search = new InServiceVectorSearch(db, embedder, { recheckMs: 1000, now: () => now });
    const [vector] = await embedder.embed(['zebra crossing guide']);
    const before = await search.nearest(vector ?? [], {}, 1);
    await writeArticles(db, [article({ id: 'zebra', title: 'Zebra crossing guide', body: 'How to find the zebra crossing at the terminal.' })], knowledge.indexer);
    expect(await search.nearest(vector ?? [], {}, 1)).toEqual(before);
    now = 1500;
    expect((await search.nearest(vector ?? [], {}, 1))[0]?.chunkId).toBe('zebra#0');
    // And within an entity, only that entity's chunks.
    const lakeside = await search.nearest(vector ?? [], { entity: 'Lakeside Inn' }, 5);
    expect(lakeside.map((hit) => hit.chunkId).sort()).toEqual(['lakeside-checkin#0', 'lakeside-pets#0']);
  });

  it('reports the vector path in /readyz', async () => {
    const server = await startTestServer({ driver });
    try {
      const response = await fetch(`${server.url}/readyz`);
      expect(await response.json()).toMatchObject({ status: 'ready', driver, vectorSearch: expectedPath });
    } finally {
      await server.close();
    }
  });
});

const idsSchema = z.array(z.string());

describe.runIf(testDrivers.includes('postgres'))('the same retrieval on both drivers', () => {
  it('gives the same top results on PGlite (pgvector) and on PostgreSQL (pgvector if the server has it, else in-service)', async () => {
    const [lite, server] = await Promise.all([createTestDatabase('pglite'), createTestDatabase('postgres')]);
    try {
      const data = await loadDemoData();
      const setUp = async (db: Database) => {
        await seedDemoData(db, data);
        await writeArticles(db, fixture, await createKbChunkIndexer(config, db));
        return startKnowledgeBase({ config, db });
      };
      const [a, b] = await Promise.all([setUp(lite.db), setUp(server.db)]);
      expect([a.vectorSearch, b.vectorSearch]).toEqual(['pgvector-hnsw', await expectedVectorPath(server.db)]);
      const questions: Array<{ text: string; context?: string[] }> = [
        { text: 'How much does it cost to cancel a flight?' },
        { text: 'how long until I get my refund on my card' },
        { text: 'what is the cabin bag size limit' },
        { text: 'I forgot my password' },
        { text: 'can I bring my cat on board' },
        { text: 'how much is the cancelation fee' },
        { text: typoQuestion.text },
        { text: codeQuestion.text },
        { text: 'what time is check-in there', context: ['The Lakeside Inn has rooms free.'] },
      ];
      for (const question of questions) {
        const [onLite, onServer] = await Promise.all([a.retriever.search({ ...question, limit: 3 }), b.retriever.search({ ...question, limit: 3 })]);
        const ids = (hits: Array<{ articleId: string }>) => idsSchema.parse(hits.map((hit) => hit.articleId));
        expect(ids(onServer), question.text).toEqual(ids(onLite));
        onLite.forEach((hit, index) => expect(onServer[index]?.score, question.text).toBeCloseTo(hit.score, 2));
      }
    } finally {
      await Promise.all([lite.drop(), server.drop()]);
    }
  });
});
