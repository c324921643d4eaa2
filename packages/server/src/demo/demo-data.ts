import { readFile } from 'node:fs/promises';
import { z } from 'zod';

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

export interface DemoData {
  articles: KbArticleInput[];
  customers: DemoCustomer[];
  bookings: DemoBooking[];
  wallets: DemoWallet[];
}

export async function loadDemoData(): Promise<DemoData> {
  const [articles, customers, bookings, wallets] = await Promise.all([
    readJson('kb-articles.json', z.array(kbArticleSchema)),
    readJson('customers.json', z.array(customerSchema)),
    readJson('bookings.json', z.array(bookingSchema)),
    readJson('wallets.json', z.array(walletSchema)),
  ]);
  return { articles, customers, bookings, wallets };
}
