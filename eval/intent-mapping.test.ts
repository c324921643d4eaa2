import { describe, expect, it } from 'vitest';
import { INTENT_NAMES } from '../packages/server/src/ai/providers/local/intent-taxonomy.js';
import { BITEXT_LABEL_OF_INTENT, ESCALATION_LABELS, intentOfBitextLabel } from './intent-mapping.js';

const BITEXT_LABELS = `cancel_order change_order place_order track_order create_account delete_account edit_account recover_password
registration_problems switch_account check_cancellation_fee contact_customer_service contact_human_agent delivery_options
delivery_period complaint review check_invoice get_invoice newsletter_subscription check_payment_methods payment_issue
check_refund_policy get_refund track_refund change_shipping_address set_up_shipping_address`.split(/\s+/);

describe('our intents → Bitext labels', () => {
  it('covers all 27 Bitext labels, one intent each', () => {
    expect([...BITEXT_LABEL_OF_INTENT.values()].sort()).toEqual([...BITEXT_LABELS].sort());
    for (const label of BITEXT_LABELS) expect(BITEXT_LABEL_OF_INTENT.get(intentOfBitextLabel(label) ?? 'out_of_scope')).toBe(label);
  });

  it('maps only intents the local provider has', () => {
    expect([...BITEXT_LABEL_OF_INTENT.keys()].filter((intent) => !INTENT_NAMES.includes(intent))).toEqual([]);
    expect(intentOfBitextLabel('no_such_label')).toBeNull();
  });

  it('counts the issue\'s escalation positives', () => {
    expect([...ESCALATION_LABELS].sort()).toEqual(['complaint', 'contact_human_agent']);
  });
});
