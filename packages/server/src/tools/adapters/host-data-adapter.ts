/**
 * How tools reach the travel company's own systems. Every method takes the
 * calling customer's id and only ever returns that customer's data: ownership
 * is checked here, in the adapter's query, not by the model or the prompt.
 * Views are chosen fields, never raw rows.
 */

export interface CustomerProfile {
  id: string;
  name: string;
  tier: string;
  locale: string;
}

export interface BookingView {
  reference: string;
  kind: 'flight' | 'hotel';
  status: string;
  fareType: string | null;
  summary: string;
  origin: string | null;
  destination: string | null;
  hotelName: string | null;
  city: string | null;
  startDate: string;
  endDate: string | null;
  passengers: number;
  totalAmount: string;
  currency: string;
}

export interface WalletView {
  balance: string;
  currency: string;
  updatedAt: string;
}

export interface HostDataAdapter {
  getCustomerProfile(customerId: string): Promise<CustomerProfile | null>;
  /** The booking if it exists AND belongs to the customer; otherwise null (no difference shown). */
  findCustomerBooking(customerId: string, reference: string): Promise<BookingView | null>;
  getWallet(customerId: string): Promise<WalletView | null>;
}
