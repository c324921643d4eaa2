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

export interface HostDataAdapter {
  getCustomerProfile(customerId: string): Promise<CustomerProfile | null>;
  /** The booking if it exists AND belongs to the customer; otherwise null (no difference shown). */
  findCustomerBooking(customerId: string, reference: string): Promise<BookingView | null>;
  /** The customer's bookings, most recent departure first. */
  listCustomerBookings(customerId: string): Promise<BookingView[]>;
  getWallet(customerId: string): Promise<WalletView | null>;
}
