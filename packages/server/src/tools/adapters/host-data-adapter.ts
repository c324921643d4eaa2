/**
 * How tools reach the travel company's own systems. Every method takes the
 * calling customer's id and only ever returns that customer's data: ownership
 * is checked here, in the adapter's query, not by the model or the prompt.
 * Views are chosen fields, never raw rows.
 */

import { z } from 'zod';

// Schemas as well as types: the HTTP adapter parses what a host sends with them.
export const customerProfileSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  tier: z.string(),
  locale: z.string(),
});
export type CustomerProfile = z.infer<typeof customerProfileSchema>;

export const bookingViewSchema = z.object({
  reference: z.string().min(1),
  kind: z.enum(['flight', 'hotel']),
  status: z.string(),
  fareType: z.string().nullable(),
  summary: z.string(),
  origin: z.string().nullable(),
  destination: z.string().nullable(),
  hotelName: z.string().nullable(),
  city: z.string().nullable(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  passengers: z.number().int().nonnegative(),
  totalAmount: z.string(),
  currency: z.string(),
});
export type BookingView = z.infer<typeof bookingViewSchema>;

export const walletViewSchema = z.object({
  balance: z.string(),
  currency: z.string(),
  updatedAt: z.string(),
});
export type WalletView = z.infer<typeof walletViewSchema>;

const moneySchema = z.object({ amount: z.string(), currency: z.string() });
export type Money = z.infer<typeof moneySchema>;

/** What a cancellation would cost and return, as the host computes it from its fare rules. */
export const cancellationQuoteSchema = z.object({
  cancellable: z.boolean(),
  /** Why not, when not (already cancelled, departed, ...). */
  reason: z.string().nullable(),
  fee: moneySchema,
  refund: moneySchema,
  refundMethod: z.string(),
  policy: z.string(),
});
export type CancellationQuote = z.infer<typeof cancellationQuoteSchema>;

export const changeQuoteSchema = z.object({
  changeable: z.boolean(),
  reason: z.string().nullable(),
  newStartDate: z.string(),
  fee: moneySchema,
  policy: z.string(),
});
export type ChangeQuote = z.infer<typeof changeQuoteSchema>;

export const bookingChangeResultSchema = z.object({
  reference: z.string(),
  status: z.string(),
  startDate: z.string(),
  refund: moneySchema.nullable(),
});
export type BookingChangeResult = z.infer<typeof bookingChangeResultSchema>;

/**
 * For quotes: the customer's locale (the chat session's), in which a host
 * may write the money and dates of its `policy` line. The demo host does;
 * the HTTP adapter does not send it (the host's API writes its own text).
 */
export interface QuoteOptions {
  locale?: string;
}

export interface HostDataAdapter {
  getCustomerProfile(customerId: string): Promise<CustomerProfile | null>;
  /** The booking if it exists AND belongs to the customer; otherwise null (no difference shown). */
  findCustomerBooking(customerId: string, reference: string): Promise<BookingView | null>;
  /** The customer's bookings, most recent departure first. */
  listCustomerBookings(customerId: string): Promise<BookingView[]>;
  getWallet(customerId: string): Promise<WalletView | null>;
  /** Null when the customer has no such booking. Changes nothing. */
  quoteCancellation(customerId: string, reference: string, options?: QuoteOptions): Promise<CancellationQuote | null>;
  quoteChange(customerId: string, reference: string, newStartDate: string, options?: QuoteOptions): Promise<ChangeQuote | null>;
  /**
   * Execute, only after the customer confirmed. The idempotency key (the
   * confirmed action's id) makes a retried call act once.
   */
  cancelBooking(customerId: string, reference: string, idempotencyKey: string): Promise<BookingChangeResult>;
  changeBooking(customerId: string, reference: string, newStartDate: string, idempotencyKey: string): Promise<BookingChangeResult>;
}
