import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { BookingView } from '../tools/adapters/host-data-adapter.js';

/** The demo host ("Skyway Travel") data shipped in packages/server/demo-data. */
const demoDataDir = new URL('../../demo-data/', import.meta.url);

export const kbArticleSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  title: z.string().min(1),
  category: z.string().min(1),
  url: z.url(),
  locale: z.string().min(2).default('en'),
  body: z.string().min(1),
});
export type KbArticleInput = z.infer<typeof kbArticleSchema>;

const customerSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  email: z.email(),
  phone: z.string().nullable().optional(),
  tier: z.string().min(1),
  milesBalance: z.number().int().nonnegative(),
  locale: z.string().default('en'),
});
export type DemoCustomer = z.infer<typeof customerSchema>;

const bookingSchema = z.object({
  reference: z.string().regex(/^[A-Z0-9]{6}$/),
  customerId: z.string().min(1),
  kind: z.enum(['flight', 'hotel']),
  status: z.string().min(1),
  fareType: z.string().nullable().optional(),
  summary: z.string().min(1),
  origin: z.string().nullable().optional(),
  destination: z.string().nullable().optional(),
  hotelName: z.string().nullable().optional(),
  city: z.string().nullable().optional(),
  startDate: z.iso.date(),
  endDate: z.iso.date().nullable().optional(),
  passengers: z.number().int().positive(),
  totalAmount: z.number().nonnegative(),
  currency: z.string().length(3),
});
export type DemoBooking = z.infer<typeof bookingSchema>;

const walletSchema = z.object({
  customerId: z.string().min(1),
  balance: z.number(),
  currency: z.string().length(3),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type DemoWallet = z.infer<typeof walletSchema>;

/**
 * bookings.json: the bookings as seen on `asOf`. The loader moves every date
 * by (today − asOf) days, so that each booking stays as many days before
 * departure (or after the trip) as the file shows, whenever the demo runs.
 */
const bookingsFileSchema = z.object({
  asOf: z.iso.date(),
  bookings: z.array(bookingSchema),
});

const DAY_MS = 86_400_000;

/** A calendar day as YYYY-MM-DD, in UTC (as the demo fare rules read dates). */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** A YYYY-MM-DD date `days` days later (earlier when negative). */
export function addDays(date: string, days: number): string {
  return utcDay(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

function shiftInstant(iso: string, days: number): string {
  // Keeps the file's style (no milliseconds when it had none).
  return new Date(Date.parse(iso) + days * DAY_MS).toISOString().replace('.000Z', 'Z');
}

async function readJson<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  const text = await readFile(new URL(file, demoDataDir), 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`demo-data/${file} is not valid JSON`, { cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`demo-data/${file} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** A seeded booking as the host API shows it (what the demo adapter reads back from its table). */
export function demoBookingView(booking: DemoBooking): BookingView {
  return {
    reference: booking.reference,
    kind: booking.kind,
    status: booking.status,
    fareType: booking.fareType ?? null,
    summary: booking.summary,
    origin: booking.origin ?? null,
    destination: booking.destination ?? null,
    hotelName: booking.hotelName ?? null,
    city: booking.city ?? null,
    startDate: booking.startDate,
    endDate: booking.endDate ?? null,
    passengers: booking.passengers,
    totalAmount: booking.totalAmount.toFixed(2),
    currency: booking.currency,
  };
}

export interface DemoData {
  /** The day the dates below are relative to (the `today` the data was loaded for), YYYY-MM-DD. */
  today: string;
  articles: KbArticleInput[];
  customers: DemoCustomer[];
  bookings: DemoBooking[];
  wallets: DemoWallet[];
}

export interface LoadDemoDataOptions {
  /**
   * The day to place the bookings around (default: today by the process
   * clock, in UTC). A server and a test that must see the same dates pass
   * the same day to the seed's loadDemoData and to their own.
   */
  today?: Date | string;
}

export async function loadDemoData(options: LoadDemoDataOptions = {}): Promise<DemoData> {
  const [articles, customers, bookingsFile, wallets] = await Promise.all([
    readJson('kb-articles.json', z.array(kbArticleSchema)),
    readJson('customers.json', z.array(customerSchema)),
    readJson('bookings.json', bookingsFileSchema),
    readJson('wallets.json', z.array(walletSchema)),
  ]);
  if (typeof options.today === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(options.today)) throw new Error(`today must be YYYY-MM-DD, got ${options.today}`);
  const today = typeof options.today === 'string' ? addDays(options.today, 0) : utcDay(options.today ?? new Date());
  const shift = daysBetween(bookingsFile.asOf, today);
  return {
    today,
    articles,
    customers,
    bookings: bookingsFile.bookings.map((booking) => ({
      ...booking,
      startDate: addDays(booking.startDate, shift),
      ...(booking.endDate ? { endDate: addDays(booking.endDate, shift) } : {}),
    })),
    // Wallets move with the bookings: a refund to the Wallet stays after the cancellation that made it.
    wallets: wallets.map((wallet) => ({ ...wallet, updatedAt: shiftInstant(wallet.updatedAt, shift) })),
  };
}
