import type { Database } from '../storage/database.js';
import { guardrailPolicySchema, type GuardrailPolicy } from './guardrail-policy.js';

/** How long a node serves the policy it read before asking the database again: how soon another node's change applies. */
const CACHE_MS = 2000;

export interface PolicyVersion {
  version: number;
  policy: GuardrailPolicy;
  updatedBy: string;
  updatedAt: string;
}

/**
 * The guardrail policy in force: the newest version an operator stored
 * (support_guardrail_policies), or the configured one (GUARDRAIL_POLICY)
 * while none was. Every node reads the same table, so a change made on
 * one applies on all within CACHE_MS, without a restart.
 */
export class GuardrailPolicyStore {
  private cached: { at: number; value: PolicyVersion } | undefined;

  constructor(
    private readonly db: Database,
    private readonly configured: GuardrailPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  async current(): Promise<GuardrailPolicy> {
    return (await this.currentVersion()).policy;
  }

  async currentVersion(): Promise<PolicyVersion> {
    if (this.cached && this.now() - this.cached.at < CACHE_MS) return this.cached.value;
    const { rows } = await this.db.query<{ version: number; policy: unknown; updated_by: string; created_at: Date | string }>(
      'SELECT version, policy, updated_by, created_at FROM support_guardrail_policies ORDER BY version DESC LIMIT 1',
    );
    const row = rows[0];
    // A stored policy was valid when written; parsing again fills in settings added since (their defaults).
    const value: PolicyVersion = row
      ? { version: row.version, policy: guardrailPolicySchema.parse(row.policy), updatedBy: row.updated_by, updatedAt: new Date(row.created_at).toISOString() }
      : { version: 0, policy: this.configured, updatedBy: 'configuration', updatedAt: new Date(0).toISOString() };
    this.cached = { at: this.now(), value };
    return value;
  }

  /** Stores a new version (validated by the caller's schema parse) and serves it on this node at once. */
  async update(policy: GuardrailPolicy, updatedBy: string): Promise<PolicyVersion> {
    const { rows } = await this.db.query<{ version: number; created_at: Date | string }>(
      `INSERT INTO support_guardrail_policies (version, policy, updated_by)
       SELECT coalesce(max(version), 0) + 1, $1::jsonb, $2 FROM support_guardrail_policies
       RETURNING version, created_at`,
      [JSON.stringify(policy), updatedBy],
    );
    const row = rows[0]!;
    const value: PolicyVersion = { version: row.version, policy, updatedBy, updatedAt: new Date(row.created_at).toISOString() };
    this.cached = { at: this.now(), value };
    return value;
  }

  async history(limit = 20): Promise<PolicyVersion[]> {
    const { rows } = await this.db.query<{ version: number; policy: unknown; updated_by: string; created_at: Date | string }>(
      'SELECT version, policy, updated_by, created_at FROM support_guardrail_policies ORDER BY version DESC LIMIT $1',
      [limit],
    );
    return rows.map((row) => ({ version: row.version, policy: guardrailPolicySchema.parse(row.policy), updatedBy: row.updated_by, updatedAt: new Date(row.created_at).toISOString() }));
  }
}
