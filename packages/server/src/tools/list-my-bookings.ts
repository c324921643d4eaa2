import { z } from 'zod';
import type { HostDataAdapter } from './adapters/host-data-adapter.js';
import { defineTool, toolRefusal } from './define-tool.js';

export function createListMyBookingsTool(deps: { hostData: HostDataAdapter }) {
  return defineTool({
    name: 'list_my_bookings',
    description:
      "List the signed-in customer's own bookings (reference, flight or hotel, status, dates, short summary), most recent departure first. Use it when the customer asks about 'my booking' without a reference.",
    // No customer argument on purpose: the list is always the caller's.
    parameters: z.object({
      status: z.enum(['confirmed', 'cancelled', 'completed', 'pending_payment', 'changed']).optional().describe('Only bookings with this status.'),
    }),
    roles: ['customer'],
    rateLimit: { points: 20, durationSeconds: 60 },
    async execute(args, context) {
      if (context.identity.kind !== 'customer') return toolRefusal('sign_in_required', 'The customer is not signed in.');
      const bookings = await deps.hostData.listCustomerBookings(context.identity.customerId);
      const chosen = args.status ? bookings.filter((booking) => booking.status === args.status) : bookings;
      return {
        ok: true,
        data: {
          bookings: chosen.slice(0, 20).map((booking) => ({
            reference: booking.reference,
            kind: booking.kind,
            status: booking.status,
            summary: booking.summary,
            startDate: booking.startDate,
            endDate: booking.endDate,
          })),
          total: chosen.length,
        },
      };
    },
  });
}
