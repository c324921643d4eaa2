import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.js';
import type { Queryable } from '../storage/database.js';
import { AgentAccounts, type AgentAccount } from './agent-accounts.js';

export function hashAgentToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const unauthorized = () => new AppError('unauthorized', 'Sign in as an agent.', { status: 401 });

/** What every agent token starts with: tells it from a customer's JWT or an admin key at a glance. */
export const AGENT_TOKEN_PREFIX = 'at_';

/**
 * Agent tokens: opaque (`at_…`), only their SHA-256 stored, short-lived and
 * replaced on refresh, like customer session tokens. A customer or guest
 * session token never matches here: they live in another table.
 */
export class AgentTokens {
  private readonly accounts: AgentAccounts;

  constructor(
    private readonly db: Queryable,
    private readonly options: { ttlSeconds: number; now: () => Date },
  ) {
    this.accounts = new AgentAccounts(db);
  }

  async issue(agentId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = `${AGENT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(this.options.now().getTime() + this.options.ttlSeconds * 1000);
    await this.db.query('INSERT INTO support_agent_tokens (token_hash, agent_id, expires_at) VALUES ($1, $2, $3)', [hashAgentToken(token), agentId, expiresAt]);
    // Expired tokens of this agent are of no use to anyone.
    await this.db.query('DELETE FROM support_agent_tokens WHERE agent_id = $1 AND expires_at < $2', [agentId, this.options.now()]);
    return { token, expiresAt };
  }

  /** The agent a live token belongs to; 401 otherwise (unknown, expired, disabled). */
  async authenticate(token: string | undefined): Promise<AgentAccount> {
    if (!token || !token.startsWith(AGENT_TOKEN_PREFIX) || token.length > 200) throw unauthorized();
    const { rows } = await this.db.query<{ agent_id: string; expires_at: Date | string }>(
      'SELECT agent_id, expires_at FROM support_agent_tokens WHERE token_hash = $1',
      [hashAgentToken(token)],
    );
    const row = rows[0];
    if (!row) throw unauthorized();
    if (new Date(row.expires_at) <= this.options.now()) throw new AppError('token_expired', 'The agent token has expired; sign in again.', { status: 401 });
    const agent = await this.accounts.findById(row.agent_id);
    if (!agent || agent.disabled) throw unauthorized();
    return agent;
  }

  /** A new token for a live one, which stops working at once. */
  async refresh(token: string | undefined): Promise<{ agent: AgentAccount; token: string; expiresAt: Date }> {
    const agent = await this.authenticate(token);
    const { rows } = await this.db.query('DELETE FROM support_agent_tokens WHERE token_hash = $1 RETURNING agent_id', [hashAgentToken(token ?? '')]);
    // Two refreshes of one token at once: only one gets a new token.
    if (rows.length === 0) throw unauthorized();
    return { agent, ...(await this.issue(agent.id)) };
  }

  async revoke(token: string | undefined): Promise<void> {
    if (!token) return;
    await this.db.query('DELETE FROM support_agent_tokens WHERE token_hash = $1', [hashAgentToken(token)]);
  }
}
