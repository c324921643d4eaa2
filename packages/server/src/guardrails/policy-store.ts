import type { Database } from '../storage/database.js';
import { VersionedSettings } from '../settings/versioned-settings.js';
import { guardrailPolicySchema, type GuardrailPolicy } from './guardrail-policy.js';

/**
 * The guardrail policy in force: the newest version an operator stored
 * (support_guardrail_policies), or the configured one (GUARDRAIL_POLICY)
 * while none was; every node applies a change within seconds.
 */
export class GuardrailPolicyStore extends VersionedSettings<typeof guardrailPolicySchema> {
  constructor(db: Database, configured: GuardrailPolicy, now?: () => number) {
    super(db, { name: 'support_guardrail_policies', column: 'policy' }, guardrailPolicySchema, configured, now);
  }
}
