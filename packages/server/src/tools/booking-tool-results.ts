import type { ProposedAction } from '@support/protocol';
import { toolRefusal, type ToolResult } from './define-tool.js';

/** "Not yours" and "does not exist" are one answer, so references cannot be probed. */
export function bookingNotFound(reference: string): ToolResult {
  return toolRefusal('booking_not_found', `No booking with reference ${reference} was found on this customer's account.`);
}

/** What the model sees after proposing a change: the terms, and that nothing has happened yet. */
export function awaitingConfirmation(action: ProposedAction, terms: Record<string, unknown>): ToolResult {
  return {
    ok: true,
    data: {
      status: 'awaiting_customer_confirmation',
      actionId: action.id,
      bookingReference: action.bookingReference,
      ...terms,
      note: 'Nothing has changed yet. The customer now sees Confirm and Cancel buttons; only their Confirm carries it out.',
    },
  };
}
