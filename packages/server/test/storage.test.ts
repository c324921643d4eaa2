import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../src/demo/demo-data.js';
import { seedDemoData } from '../src/demo/seed-demo-data.js';
import { FullTextRetriever } from '../src/kb/full-text-retriever.js';
import type { Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import { openPostgresDatabase } from '../src/storage/postgres-database.js';
import { createTestDatabase, testDrivers, type TestDatabase } from './test-server.js';

// Every migration file, in the order migrate() applies them.
const migrationNames = readdirSync(new URL('../src/storage/migrations/', import.meta.url)).filter((name) => name.endsWith('.sql')).sort();

const retrievalQueries = [
  'How much does it cost to cancel a flight?',
  'how long until I get my refund on my card',
  'what is the cabin bag size limit',
  'I forgot my password',
  'can I bring my cat on board',
];

describe.each(testDrivers)('storage on %s', (driver) => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.db;
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('applies migrations once; running them again changes nothing', async () => {
    expect(await migrate(db)).toEqual([]);
    const { rows } = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((row) => row.name)).toEqual(migrationNames);
    expect(migrationNames[0]).toBe('0001_conversation_backbone.sql');
  });

  it('seeds idempotently', async () => {
    const data = await loadDemoData();
    const first = await seedDemoData(db, data);
    const second = await seedDemoData(db, data);
    expect(first.articlesWritten).toBe(data.articles.length);
    expect(second.articlesWritten).toBe(0);
    const counts = await db.query<{ articles: number; customers: number; bookings: number }>(
      'SELECT (SELECT count(*) FROM kb_articles)::int AS articles, (SELECT count(*) FROM demo_customers)::int AS customers, (SELECT count(*) FROM demo_bookings)::int AS bookings',
    );
    expect(counts.rows[0]).toEqual({ articles: data.articles.length, customers: data.customers.length, bookings: data.bookings.length });
    expect(data.articles.length).toBeGreaterThanOrEqual(30);
  });

  it('rolls a failed transaction back whole', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO demo_customers (id, name, email, tier) VALUES ('cus_tmp', 'Tmp', 'tmp@example.com', 'Blue')`);
        await tx.query('SELECT * FROM no_such_table');
      }),
    ).rejects.toThrow();
    const { rows } = await db.query(`SELECT 1 FROM demo_customers WHERE id = 'cus_tmp'`);
    expect(rows).toEqual([]);
  });

  it('finds the right article for everyday questions', async () => {
    const retriever = new FullTextRetriever(db);
    const top = async (text: string) => (await retriever.search({ text, limit: 3 }))[0]?.articleId;
    expect(await top('How much does it cost to cancel a flight?')).toBe('flight-cancellation-fees-by-fare');
    expect(await top('how long until I get my refund on my card')).toBe('refund-processing-times');
    expect(await top('I forgot my password')).toBe('reset-password');
    expect(await retriever.search({ text: 'the of and to', limit: 3 })).toEqual([]);
  });
});

describe.runIf(testDrivers.includes('postgres'))('PostgreSQL specifics', () => {
  it('lets two nodes migrate the same fresh database at once', async () => {
    const url = process.env.TEST_DATABASE_URL ?? '';
    const schema = `test_race_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const scoped = new URL(url);
    scoped.searchParams.set('options', `-c search_path=${schema}`);
    const nodes = await Promise.all([openPostgresDatabase(scoped.toString()), openPostgresDatabase(scoped.toString())]);
    try {
      const applied = await Promise.all(nodes.map((node) => migrate(node)));
      expect(applied.map((names) => names.length).sort()).toEqual([0, migrationNames.length]);
      const { rows } = await nodes[0]!.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0]?.n).toBe(migrationNames.length);
    } finally {
      await Promise.all(nodes.map((node) => node.close()));
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });

  it('ranks the same top articles as PGlite', async () => {
    const [lite, server] = await Promise.all([createTestDatabase('pglite'), createTestDatabase('postgres')]);
    try {
      const data = await loadDemoData();
      await Promise.all([seedDemoData(lite.db, data), seedDemoData(server.db, data)]);
      for (const text of retrievalQueries) {
        const [a, b] = await Promise.all([new FullTextRetriever(lite.db).search({ text, limit: 3 }), new FullTextRetriever(server.db).search({ text, limit: 3 })]);
        expect(b.map((hit) => hit.articleId), text).toEqual(a.map((hit) => hit.articleId));
      }
    } finally {
      await Promise.all([lite.drop(), server.drop()]);
    }
  });
});
