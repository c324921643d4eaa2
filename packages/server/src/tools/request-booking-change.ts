import { z } from 'zod';
import type { PendingActions } from '../conversation/pending-actions.js';
import type { HostDataAdapter } from './adapters/host-data-adapter.js';
import { bookingNotFound, awaitingConfirmation } from './booking-tool-results.js';
import { defineTool, toolRefusal } from './define-tool.js';
import { bookingReferenceSchema } from './lookup-booking.js';

export function createRequestBookingChangeTool(deps: { hostData: HostDataAdapter; pendingActions: PendingActions }) {
  return defineTool({
    name: 'request_booking_change',
    description:
      "Prepare moving one of the signed-in customer's own bookings to a new date: returns the change fee and shows the customer a card with the buttons \"Change dates\" and \"Keep dates\". It does NOT change anything by itself; only the customer's \"Change dates\" does. Tell the customer the fee and that they must press \"Change dates\" on the card to go ahead.",
    parameters: z.object({
      bookingReference: bookingReferenceSchema.describe('The booking reference, e.g. SKY4F2.'),
      newDate: z.iso.date().describe('The new departure or check-in date, YYYY-MM-DD.'),
    }),
    roles: ['customer'],
    rateLimit: { points: 10, durationSeconds: 3600 },
    async execute(args, context) {
      if (context.identity.kind !== 'customer') return toolRefusal('sign_in_required', 'The customer is not signed in.');
      const quote = await deps.hostData.quoteChange(context.identity.customerId, args.bookingReference, args.newDate, { locale: context.locale });
      if (!quote) return bookingNotFound(args.bookingReference);
      if (!quote.changeable) return toolRefusal('not_changeable', quote.reason ?? 'This booking cannot be changed.');
      const action = await deps.pendingActions.propose({
        sessionId: context.sessionId,
        ...(context.replyToMessageId ? { replyToMessageId: context.replyToMessageId } : {}),
        customerId: context.identity.customerId,
        bookingReference: args.bookingReference,
        kind: 'booking_change',
        quote,
      });
      return awaitingConfirmation(action, {
        newDate: quote.newStartDate,
        fee: quote.fee,
        policy: quote.policy,
      });
    },
  });
}
