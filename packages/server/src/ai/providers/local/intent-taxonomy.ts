/**
 * The intents the local provider recognises in a travel-support chat, and
 * what it does with each. The classifier learns them from
 * packages/server/intent-data/; the decision (local-decision.ts) acts on them.
 */

export type IntentAction =
  /** Hand over to a person: create_ticket. */
  | 'escalate'
  /** Needs the customer's booking: lookup_booking with a reference, else ask for one. */
  | 'booking'
  /** The customer's wallet: get_wallet_balance. */
  | 'wallet'
  /** Policies and how-tos: search_knowledge_base. */
  | 'knowledge'
  | 'greeting'
  | 'thanks'
  /** Too little to act on: ask what it is about. */
  | 'clarify'
  /** Not something this assistant handles: "don't know" and an offer of a human. */
  | 'out_of_scope';

interface IntentSpec {
  action: IntentAction;
  /** How a clarifying question names it: "Is this about <topic>?" */
  topic: string;
  /**
   * For knowledge intents that concern one booking (cancel, change, refund
   * status): with a booking reference in the message, also look the booking up.
   */
  usesBooking?: boolean;
}

export const INTENTS = {
  human_request: { action: 'escalate', topic: 'talking to one of our agents' },
  complaint: { action: 'escalate', topic: 'making a complaint' },
  contact_support: { action: 'knowledge', topic: 'how to contact our support team' },
  feedback: { action: 'knowledge', topic: 'leaving feedback or a review' },
  booking_status: { action: 'booking', topic: 'the status of one of your bookings' },
  new_booking: { action: 'knowledge', topic: 'making a new booking' },
  cancel_booking: { action: 'knowledge', topic: 'cancelling a booking', usesBooking: true },
  change_booking: { action: 'knowledge', topic: 'changing a booking', usesBooking: true },
  cancellation_fee: { action: 'knowledge', topic: 'cancellation fees' },
  refund_policy: { action: 'knowledge', topic: 'our refund policy' },
  refund_request: { action: 'knowledge', topic: 'getting a refund', usesBooking: true },
  refund_status: { action: 'knowledge', topic: 'the status of a refund', usesBooking: true },
  payment_methods: { action: 'knowledge', topic: 'the ways you can pay' },
  payment_problem: { action: 'knowledge', topic: 'a problem with a payment' },
  invoice_view: { action: 'knowledge', topic: 'finding an invoice or receipt' },
  invoice_download: { action: 'knowledge', topic: 'getting a copy of an invoice' },
  create_account: { action: 'knowledge', topic: 'opening an account' },
  delete_account: { action: 'knowledge', topic: 'closing your account' },
  edit_account: { action: 'knowledge', topic: 'updating your account details' },
  switch_account: { action: 'knowledge', topic: 'changing your account type' },
  password_reset: { action: 'knowledge', topic: 'signing in or resetting your password' },
  sign_up_problem: { action: 'knowledge', topic: 'a problem signing up' },
  newsletter: { action: 'knowledge', topic: 'our newsletter and emails' },
  delivery_options: { action: 'knowledge', topic: 'where we sell and how you receive tickets' },
  delivery_time: { action: 'knowledge', topic: 'when your tickets or documents arrive' },
  change_address: { action: 'knowledge', topic: 'changing an address on your account' },
  add_address: { action: 'knowledge', topic: 'adding an address to your account' },
  wallet_balance: { action: 'wallet', topic: 'your Skyway Wallet balance' },
  travel_info: { action: 'knowledge', topic: 'travel information' },
  greeting: { action: 'greeting', topic: 'saying hello' },
  thanks: { action: 'thanks', topic: 'saying thanks' },
  vague: { action: 'clarify', topic: 'something we have not named yet' },
  out_of_scope: { action: 'out_of_scope', topic: 'something outside travel support' },
} as const satisfies Record<string, IntentSpec>;

export type IntentName = keyof typeof INTENTS;

export const INTENT_NAMES = Object.keys(INTENTS).filter(isIntentName);

export function isIntentName(name: string): name is IntentName {
  return Object.hasOwn(INTENTS, name);
}

export function intentSpec(name: IntentName): IntentSpec {
  return INTENTS[name];
}
