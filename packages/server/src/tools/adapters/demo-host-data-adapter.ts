import type { Queryable } from '../../storage/database.js';
import { quoteDemoCancellation, quoteDemoChange } from '../../demo/demo-fare-rules.js';
import { AppError } from '../../errors/app-error.js';
import type {
  BookingChangeResult,
  BookingView,
  CancellationQuote,
  ChangeQuote,
  CustomerProfile,
  HostDataAdapter,
  QuoteOptions,
  WalletView,
} from './host-data-adapter.js';

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

/**
 * The demo host's tables (demo_*), the default host adapter. Its fare rules
 * ask `now`, the service's clock, whether a trip is still ahead.
 */
export class DemoHostDataAdapter implements HostDataAdapter {
  constructor(
    private readonly db: Queryable,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private now(): number {
    return this.clock().getTime();
  }

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

  async quoteCancellation(customerId: string, reference: string, options: QuoteOptions = {}): Promise<CancellationQuote | null> {
    const booking = await this.findCustomerBooking(customerId, reference);
    return booking ? quoteDemoCancellation(booking, this.now(), options.locale) : null;
  }

  async quoteChange(customerId: string, reference: string, newStartDate: string, options: QuoteOptions = {}): Promise<ChangeQuote | null> {
    const booking = await this.findCustomerBooking(customerId, reference);
    return booking ? quoteDemoChange(booking, newStartDate, this.now(), options.locale) : null;
  }

  /** Idempotent by state: cancelling an already cancelled booking returns the same result. */
  async cancelBooking(customerId: string, reference: string, _idempotencyKey: string): Promise<BookingChangeResult> {
    const quote = await this.quoteCancellation(customerId, reference);
    const booking = await this.findCustomerBooking(customerId, reference);
    if (!quote || !booking) throw new AppError('booking_not_found', 'No such booking on this account.');
    if (booking.status === 'cancelled') return { reference: booking.reference, status: 'cancelled', startDate: booking.startDate, refund: null };
    if (!quote.cancellable) throw new AppError('not_cancellable', quote.reason ?? 'This booking cannot be cancelled.');
    await this.db.query(`UPDATE demo_bookings SET status = 'cancelled' WHERE reference = $1 AND customer_id = $2`, [booking.reference, customerId]);
    return { reference: booking.reference, status: 'cancelled', startDate: booking.startDate, refund: quote.refund };
  }

  async changeBooking(customerId: string, reference: string, newStartDate: string, _idempotencyKey: string): Promise<BookingChangeResult> {
    const booking = await this.findCustomerBooking(customerId, reference);
    if (!booking) throw new AppError('booking_not_found', 'No such booking on this account.');
    if (booking.startDate === newStartDate && booking.status === 'changed') {
      return { reference: booking.reference, status: 'changed', startDate: newStartDate, refund: null };
    }
    const quote = quoteDemoChange(booking, newStartDate, this.now());
    if (!quote.changeable) throw new AppError('not_changeable', quote.reason ?? 'This booking cannot be changed.');
    // The end date moves with the start, so the length of the trip or stay is kept.
    await this.db.query(
      `UPDATE demo_bookings SET end_date = end_date + ($3::date - start_date), start_date = $3::date, status = 'changed'
        WHERE reference = $1 AND customer_id = $2`,
      [booking.reference, customerId, newStartDate],
    );
    return { reference: booking.reference, status: 'changed', startDate: newStartDate, refund: null };
  }
}
