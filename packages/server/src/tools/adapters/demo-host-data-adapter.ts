import type { Queryable } from '../../storage/database.js';
import type { BookingView, CustomerProfile, HostDataAdapter, WalletView } from './host-data-adapter.js';

interface BookingRow extends Record<string, unknown> {
  reference: string;
  kind: 'flight' | 'hotel';
  status: string;
  fare_type: string | null;
  summary: string;
  origin: string | null;
  destination: string | null;
  hotel_name: string | null;
  city: string | null;
  start_date: string;
  end_date: string | null;
  passengers: number;
  total_amount: string;
  currency: string;
}

const bookingSelect = `SELECT reference, kind, status, fare_type, summary, origin, destination, hotel_name, city,
       to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(end_date, 'YYYY-MM-DD') AS end_date,
       passengers, total_amount::text AS total_amount, currency
  FROM demo_bookings`;

function toBookingView(row: BookingRow): BookingView {
  return {
    reference: row.reference,
    kind: row.kind,
    status: row.status,
    fareType: row.fare_type,
    summary: row.summary,
    origin: row.origin,
    destination: row.destination,
    hotelName: row.hotel_name,
    city: row.city,
    startDate: row.start_date,
    endDate: row.end_date,
    passengers: Number(row.passengers),
    totalAmount: row.total_amount,
    currency: row.currency,
  };
}

/** The demo host's tables (demo_*), the default host adapter. */
export class DemoHostDataAdapter implements HostDataAdapter {
  constructor(private readonly db: Queryable) {}

  async getCustomerProfile(customerId: string): Promise<CustomerProfile | null> {
    const { rows } = await this.db.query<{ id: string; name: string; tier: string; locale: string }>(
      'SELECT id, name, tier, locale FROM demo_customers WHERE id = $1',
      [customerId],
    );
    return rows[0] ?? null;
  }

  async findCustomerBooking(customerId: string, reference: string): Promise<BookingView | null> {
    // Ownership is part of the WHERE clause: another customer's booking is indistinguishable from none.
    const { rows } = await this.db.query<BookingRow>(`${bookingSelect} WHERE reference = $1 AND customer_id = $2`, [reference.toUpperCase(), customerId]);
    return rows[0] ? toBookingView(rows[0]) : null;
  }

  async listCustomerBookings(customerId: string): Promise<BookingView[]> {
    const { rows } = await this.db.query<BookingRow>(`${bookingSelect} WHERE customer_id = $1 ORDER BY start_date DESC LIMIT 50`, [customerId]);
    return rows.map(toBookingView);
  }

  async getWallet(customerId: string): Promise<WalletView | null> {
    const { rows } = await this.db.query<{ balance: string; currency: string; updated_at: string }>(
      `SELECT balance::text AS balance, currency, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at
         FROM demo_wallets WHERE customer_id = $1`,
      [customerId],
    );
    const row = rows[0];
    return row ? { balance: row.balance, currency: row.currency, updatedAt: row.updated_at } : null;
  }
}
