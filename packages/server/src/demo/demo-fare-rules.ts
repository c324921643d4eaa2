import { formatMoney } from '../i18n/format.js';
import type { BookingView, CancellationQuote, ChangeQuote } from '../tools/adapters/host-data-adapter.js';

/**
 * Skyway Travel's fare rules as the demo host applies them; the same numbers
 * as its help-centre articles (flight-cancellation-fees-by-fare,
 * change-flight-date-or-time, hotel-cancellation-policy). A real host computes
 * quotes in its own systems; this is the demo host's stand-in. Its policy
 * lines name fees in the booking's currency, written for the customer's
 * locale (the chat session's) as the service writes the rest of its text.
 */
const HOUR_MS = 3_600_000;

const cancellationFeePerPassenger: Record<string, number | 'fare'> = { Basic: 'fare', Standard: 75, Flex: 0 };
const changeFeePerPassenger: Record<string, number> = { Basic: 90, Standard: 50, Flex: 0 };

const money = (amount: number, currency: string) => ({ amount: amount.toFixed(2), currency });

/** "Basic £90.00, Standard £50.00, Flex free": the change fees per passenger, in the booking's currency. */
function changeFeeList(currency: string, locale: string | undefined): string {
  return Object.entries(changeFeePerPassenger)
    .map(([fare, fee]) => `${fare} ${fee === 0 ? 'free' : formatMoney(fee, currency, locale)}`)
    .join(', ');
}

/** Departure or check-in as a UTC instant (dates have no time; noon keeps time zones out of the way). */
function startsAt(booking: BookingView): number {
  return Date.parse(`${booking.startDate}T12:00:00Z`);
}

function closedReason(booking: BookingView, now: number): string | null {
  if (booking.status === 'cancelled') return 'The booking is already cancelled.';
  if (booking.status === 'completed' || startsAt(booking) <= now) return 'The trip has already started or taken place.';
  return null;
}

export function quoteDemoCancellation(booking: BookingView, now: number, locale?: string): CancellationQuote {
  const total = Number(booking.totalAmount);
  const reason = closedReason(booking, now);
  const hoursLeft = (startsAt(booking) - now) / HOUR_MS;
  let fee: number;
  let policy: string;
  if (booking.kind === 'hotel') {
    const nights = booking.endDate ? Math.max(1, Math.round((Date.parse(booking.endDate) - Date.parse(booking.startDate)) / (24 * HOUR_MS))) : 1;
    fee = hoursLeft >= 48 ? 0 : total / nights;
    policy = 'Hotel bookings are free to cancel until 48 hours before check-in; after that the first night is charged.';
  } else {
    const rule = cancellationFeePerPassenger[booking.fareType ?? 'Standard'] ?? 75;
    if (rule === 'fare') {
      fee = total;
      policy = 'Basic fares are non-refundable; government taxes and airport charges are refunded separately.';
    } else if (rule === 0) {
      fee = hoursLeft >= 2 ? 0 : 75 * booking.passengers;
      policy = 'Flex fares cancel free of charge up to 2 hours before departure.';
    } else {
      fee = rule * booking.passengers;
      policy = `Standard fares cancel for a fee of ${formatMoney(rule, booking.currency, locale)} per passenger.`;
    }
  }
  fee = Math.min(fee, total);
  return {
    cancellable: reason === null,
    reason,
    fee: money(fee, booking.currency),
    refund: money(total - fee, booking.currency),
    refundMethod: 'original payment method (5–10 business days), or Skyway Wallet instantly on request',
    policy,
  };
}

export function quoteDemoChange(booking: BookingView, newStartDate: string, now: number, locale?: string): ChangeQuote {
  let reason = closedReason(booking, now);
  const newStart = Date.parse(`${newStartDate}T12:00:00Z`);
  if (!reason && (!Number.isFinite(newStart) || newStart - now < 24 * HOUR_MS)) reason = 'The new date must be at least one day from now.';
  if (!reason && newStartDate === booking.startDate) reason = 'That is already the booking\'s date.';
  const hoursLeft = (startsAt(booking) - now) / HOUR_MS;
  const fee =
    booking.kind === 'hotel'
      ? hoursLeft >= 48 ? 0 : Number(booking.totalAmount) / Math.max(1, booking.passengers)
      : (changeFeePerPassenger[booking.fareType ?? 'Standard'] ?? 50) * booking.passengers;
  return {
    changeable: reason === null,
    reason,
    newStartDate,
    fee: money(fee, booking.currency),
    policy:
      booking.kind === 'hotel'
        ? 'Hotel dates change free of charge until 48 hours before check-in, subject to availability.'
        : `Date changes cost a fee per passenger (${changeFeeList(booking.currency, locale)}) plus any fare difference, shown before payment.`,
  };
}
