import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, loadDemoData } from '../src/demo/demo-data.js';
import { seedDemoData } from '../src/demo/seed-demo-data.js';
import { FullTextRetriever } from '../src/kb/full-text-retriever.js';
import type { Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import { openPostgresDatabase } from '../src/storage/postgres-database.js';
import { DemoHostDataAdapter } from '../src/tools/adapters/demo-host-data-adapter.js';
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

  it('keeps what customers did across a restart: the seed only adds what is missing', async () => {
    const data = await loadDemoData();
    await seedDemoData(db, data);
    const host = new DemoHostDataAdapter(db);
    await host.cancelBooking('cus_alice', 'SKY4F2', 'act_restart_1');
    const moved = addDays(data.bookings.find((booking) => booking.reference === 'T6WJ2R')?.startDate ?? data.today, 10);
    await host.changeBooking('cus_amara', 'T6WJ2R', moved, 'act_restart_2');
    await db.query(`UPDATE demo_wallets SET balance = balance + 1846.40, updated_at = now() WHERE customer_id = 'cus_alice'`);
    await db.query(`UPDATE demo_customers SET miles_balance = miles_balance + 500 WHERE id = 'cus_kenji'`);
    await db.query(`DELETE FROM demo_bookings WHERE reference = 'M8VN3C'`);
    const snapshot = () =>
      db.query(`SELECT reference, status, to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(end_date, 'YYYY-MM-DD') AS end_date FROM demo_bookings ORDER BY reference`);
    const before = (await snapshot()).rows;

    // The restart, a day later: the loader places the file's bookings a day later, the existing rows stay as they are.
    const later = await loadDemoData({ today: addDays(data.today, 1) });
    expect((await seedDemoData(db, later)).articlesWritten).toBe(0);

    const after = (await snapshot()).rows as Array<{ reference: string; status: string; start_date: string }>;
    const missing = later.bookings.find((booking) => booking.reference === 'M8VN3C');
    expect(after.filter((row) => row.reference !== 'M8VN3C')).toEqual(before);
    expect(after.find((row) => row.reference === 'SKY4F2')).toMatchObject({ status: 'cancelled' });
    expect(after.find((row) => row.reference === 'T6WJ2R')).toMatchObject({ status: 'changed', start_date: moved });
    // What was missing comes back, as the file has it.
    expect(after.find((row) => row.reference === 'M8VN3C')).toMatchObject({ status: missing?.status, start_date: missing?.startDate });
    expect(await host.getWallet('cus_alice')).toMatchObject({ balance: '1971.80' });
    const miles = await db.query<{ miles_balance: number }>(`SELECT miles_balance FROM demo_customers WHERE id = 'cus_kenji'`);
    expect(miles.rows[0]?.miles_balance).toBe((data.customers.find((customer) => customer.id === 'cus_kenji')?.milesBalance ?? 0) + 500);
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
