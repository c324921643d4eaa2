import { z } from 'zod';
import type { HostDataAdapter } from './adapters/host-data-adapter.js';
import { bookingNotFound } from './booking-tool-results.js';
import { defineTool, toolRefusal } from './define-tool.js';

export const bookingReferenceSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{6}$/, 'a booking reference is 6 letters or digits, e.g. SKY4F2')
  .transform((reference) => reference.toUpperCase());

export function createLookupBookingTool(deps: { hostData: HostDataAdapter }) {
  return defineTool({
    name: 'lookup_booking',
    description:
      "Look up one of the signed-in customer's own bookings by its 6-character reference: status, itinerary, dates, fare type, amount. Bookings of other people are never returned.",
    parameters: z.object({ bookingReference: bookingReferenceSchema.describe('The booking reference, e.g. SKY4F2.') }),
    roles: ['customer'],
    rateLimit: { points: 20, durationSeconds: 60 },
    async execute(args, context) {
      if (context.identity.kind !== 'customer') return toolRefusal('sign_in_required', 'The customer is not signed in.');
      const booking = await deps.hostData.findCustomerBooking(context.identity.customerId, args.bookingReference);
      if (!booking) return bookingNotFound(args.bookingReference);
      return { ok: true, data: { booking } };
    },
  });
}
