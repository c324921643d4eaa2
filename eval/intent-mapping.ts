import type { IntentName } from '../packages/server/src/ai/providers/local/intent-taxonomy.js';

/**
 * Our travel intents → the Bitext customer-support labels they stand for.
 * Intent accuracy on Bitext is measured through this map (an intent with no
 * Bitext counterpart, like wallet_balance, is simply wrong on a Bitext row);
 * the training-data extractor reads it backwards to relabel Bitext rows.
 */
export const BITEXT_LABEL_OF_INTENT: ReadonlyMap<IntentName, string> = new Map<IntentName, string>([
  ['human_request', 'contact_human_agent'],
  ['complaint', 'complaint'],
  ['contact_support', 'contact_customer_service'],
  ['feedback', 'review'],
  ['booking_status', 'track_order'],
  ['new_booking', 'place_order'],
  ['cancel_booking', 'cancel_order'],
  ['change_booking', 'change_order'],
  ['cancellation_fee', 'check_cancellation_fee'],
  ['refund_policy', 'check_refund_policy'],
  ['refund_request', 'get_refund'],
  ['refund_status', 'track_refund'],
  ['payment_methods', 'check_payment_methods'],
  ['payment_problem', 'payment_issue'],
  ['invoice_view', 'check_invoice'],
  ['invoice_download', 'get_invoice'],
  ['create_account', 'create_account'],
  ['delete_account', 'delete_account'],
  ['edit_account', 'edit_account'],
  ['switch_account', 'switch_account'],
  ['password_reset', 'recover_password'],
  ['sign_up_problem', 'registration_problems'],
  ['newsletter', 'newsletter_subscription'],
  ['delivery_options', 'delivery_options'],
  ['delivery_time', 'delivery_period'],
  ['change_address', 'change_shipping_address'],
  ['add_address', 'set_up_shipping_address'],
]);

/** The escalation positives; every other Bitext label is a negative. */
export const ESCALATION_LABELS: ReadonlySet<string> = new Set(['contact_human_agent', 'complaint']);

const intentOfLabel = new Map([...BITEXT_LABEL_OF_INTENT].map(([intent, label]) => [label, intent]));

/** Bitext label → our intent; null for a label we have no intent for. */
export function intentOfBitextLabel(label: string): IntentName | null {
  return intentOfLabel.get(label) ?? null;
}
