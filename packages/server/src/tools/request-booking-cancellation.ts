import { z } from 'zod';
import type { PendingActions } from '../conversation/pending-actions.js';
import type { HostDataAdapter } from './adapters/host-data-adapter.js';
import { bookingNotFound, awaitingConfirmation } from './booking-tool-results.js';
import { defineTool, toolRefusal } from './define-tool.js';
import { bookingReferenceSchema } from './lookup-booking.js';

export function createRequestBookingCancellationTool(deps: { hostData: HostDataAdapter; pendingActions: PendingActions }) {
  return defineTool({
    name: 'request_booking_cancellation',
    description:
      "Prepare the cancellation of one of the signed-in customer's own bookings: returns the fee and refund and shows the customer a card with the buttons \"Cancel booking\" and \"Keep booking\". It does NOT cancel anything by itself; only the customer's \"Cancel booking\" does. Tell the customer the fee and refund and that they must press \"Cancel booking\" on the card to go ahead.",
    parameters: z.object({
      bookingReference: bookingReferenceSchema.describe('The booking reference, e.g. SKY4F2.'),
      reason: z.string().max(500).optional().describe('Why the customer wants to cancel, if they said.'),
    }),
    roles: ['customer'],
    rateLimit: { points: 10, durationSeconds: 3600 },
    async execute(args, context) {
      if (context.identity.kind !== 'customer') return toolRefusal('sign_in_required', 'The customer is not signed in.');
      const quote = await deps.hostData.quoteCancellation(context.identity.customerId, args.bookingReference, { locale: context.locale });
      if (!quote) return bookingNotFound(args.bookingReference);
      if (!quote.cancellable) return toolRefusal('not_cancellable', quote.reason ?? 'This booking cannot be cancelled.');
      const action = await deps.pendingActions.propose({
        sessionId: context.sessionId,
        ...(context.replyToMessageId ? { replyToMessageId: context.replyToMessageId } : {}),
        customerId: context.identity.customerId,
        bookingReference: args.bookingReference,
        kind: 'booking_cancellation',
        quote,
      });
      return awaitingConfirmation(action, {
        fee: quote.fee,
        refund: quote.refund,
        refundMethod: quote.refundMethod,
        policy: quote.policy,
      });
    },
  });
}
