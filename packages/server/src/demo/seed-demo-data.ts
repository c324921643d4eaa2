import { seedDemoAgents } from '../agents/demo-agents.js';
import type { KbChunkIndexer } from '../kb/kb-chunk-indexer.js';
import { upsertArticles } from '../kb/upsert-articles.js';
import type { Database } from '../storage/database.js';
import type { DemoData } from './demo-data.js';

// Serialises seeding when several nodes start at once.
const SEED_LOCK_KEY = 727_100_002;

/**
 * Seeds the demo host's customers, bookings and wallets, the demo support
 * agents, and the help-centre articles. Idempotent, and it only adds what is missing: a customer, booking
 * or wallet row that exists is left as it is, so what customers did in the
 * demo (a confirmed cancellation, a changed date, a Wallet balance) survives
 * a restart; unchanged articles are skipped (source 'demo'). The booking
 * dates are whatever `data` holds: loadDemoData places them around its day.
 */
export async function seedDemoData(db: Database, data: DemoData, options: { kbIndexer?: KbChunkIndexer } = {}): Promise<{ articlesWritten: number }> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    for (const customer of data.customers) {
      await tx.query(
        `INSERT INTO demo_customers (id, name, email, phone, tier, miles_balance, locale)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO NOTHING`,
        [customer.id, customer.name, customer.email, customer.phone ?? null, customer.tier, customer.milesBalance, customer.locale],
      );
    }
    for (const booking of data.bookings) {
      await tx.query(
        `INSERT INTO demo_bookings (reference, customer_id, kind, status, fare_type, summary, origin, destination,
           hotel_name, city, start_date, end_date, passengers, total_amount, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (reference) DO NOTHING`,
        [
          booking.reference,
          booking.customerId,
          booking.kind,
          booking.status,
          booking.fareType ?? null,
          booking.summary,
          booking.origin ?? null,
          booking.destination ?? null,
          booking.hotelName ?? null,
          booking.city ?? null,
          booking.startDate,
          booking.endDate ?? null,
          booking.passengers,
          booking.totalAmount,
          booking.currency,
        ],
      );
    }
    for (const wallet of data.wallets) {
      await tx.query(
        `INSERT INTO demo_wallets (customer_id, balance, currency, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (customer_id) DO NOTHING`,
        [wallet.customerId, wallet.balance, wallet.currency, wallet.updatedAt],
      );
    }
    await seedDemoAgents(tx);
    const { added, updated } = await upsertArticles(
      tx,
      data.articles.map((article) => ({ ...article, entity: null, sourcePath: 'demo-data/kb-articles.json', metadata: {} })),
      {
        source: 'demo',
        // Without an indexer (tests, tools) the articles are still searchable by full text.
        indexer: options.kbIndexer ?? { index: async () => {} },
        // An article the admin API took over keeps the admin's edit across restarts.
        otherSources: 'keep',
      },
    );
    return { articlesWritten: added + updated };
  });
}
