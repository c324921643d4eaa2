import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Agent, AgentRole } from '@support/protocol';
import { AppError } from '../errors/app-error.js';
import type { Queryable } from '../storage/database.js';

/**
 * argon2id (`algorithm: 2`: the library's Algorithm.Argon2id is a const enum, which isolated modules
 * cannot read) with OWASP's baseline of 19 MiB, 2 passes, 1 lane: tens of milliseconds a login here.
 */
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/** Checked against when the e-mail is unknown, so that a wrong e-mail costs as long as a wrong password. */
const UNKNOWN_ACCOUNT_HASH = hash('not-a-password', ARGON2_OPTIONS);
export const MIN_PASSWORD_LENGTH = 12;

export interface AgentAccount extends Agent {
  maxChats: number | null;
  disabled: boolean;
}

interface AgentRow extends Record<string, unknown> {
  id: string;
  email: string;
  name: string;
  role: AgentRole;
  password_hash: string | null;
  max_chats: number | null;
  disabled: boolean;
}

const columns = 'id, email, name, role, password_hash, max_chats, disabled';

function toAccount(row: AgentRow): AgentAccount {
  return { id: row.id, email: row.email, name: row.name, role: row.role, maxChats: row.max_chats, disabled: row.disabled };
}

export const newAgentId = () => `agt_${randomUUID().replace(/-/g, '')}`;

/** support_agents: the people who answer handed-over conversations, and their argon2id password hashes. */
export class AgentAccounts {
  constructor(private readonly db: Queryable) {}

  /** A new account; `password` may be absent for one who signs in only through the host. */
  async create(input: { email: string; name: string; role: AgentRole; password?: string; maxChats?: number }): Promise<AgentAccount> {
    const email = input.email.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AppError('invalid_request', 'The e-mail address is not valid.');
    if (input.name.trim() === '') throw new AppError('invalid_request', 'The name is empty.');
    if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
      throw new AppError('invalid_request', `The password must be at least ${MIN_PASSWORD_LENGTH} characters.`);
    }
    const passwordHash = input.password === undefined ? null : await hash(input.password, ARGON2_OPTIONS);
    const { rows } = await this.db.query<AgentRow>(
      `INSERT INTO support_agents (id, email, name, role, password_hash, max_chats) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (lower(email)) DO NOTHING RETURNING ${columns}`,
      [newAgentId(), email, input.name.trim(), input.role, passwordHash, input.maxChats ?? null],
    );
    const row = rows[0];
    if (!row) throw new AppError('conflict', `An agent with the e-mail ${email} exists already.`, { status: 409 });
    return toAccount(row);
  }

  async findById(id: string): Promise<AgentAccount | null> {
    const { rows } = await this.db.query<AgentRow>(`SELECT ${columns} FROM support_agents WHERE id = $1`, [id]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async findByEmail(email: string): Promise<AgentAccount | null> {
    const { rows } = await this.db.query<AgentRow>(`SELECT ${columns} FROM support_agents WHERE lower(email) = lower($1)`, [email.trim()]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  /** The account when the password is right; null otherwise, unknown e-mail or not, taking as long either way. */
  async verifyPassword(email: string, password: string): Promise<AgentAccount | null> {
    const { rows } = await this.db.query<AgentRow>(`SELECT ${columns} FROM support_agents WHERE lower(email) = lower($1)`, [email.trim()]);
    const row = rows[0];
    const stored = row?.password_hash ?? (await UNKNOWN_ACCOUNT_HASH);
    const matches = await verify(stored, password).catch(() => false);
    if (!row || !row.password_hash || !matches || row.disabled) return null;
    return toAccount(row);
  }

  /**
   * The host vouched for this agent (a signed login token): the account is
   * found by e-mail, or made, with the host's name and role.
   */
  async upsertFromHost(claims: { email: string; name: string; role: AgentRole }): Promise<AgentAccount> {
    const { rows } = await this.db.query<AgentRow>(
      `INSERT INTO support_agents (id, email, name, role) VALUES ($1, $2, $3, $4)
       ON CONFLICT (lower(email)) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, updated_at = now()
       RETURNING ${columns}`,
      [newAgentId(), claims.email.trim(), claims.name.trim(), claims.role],
    );
    const row = rows[0];
    if (!row) throw new Error('agent upsert returned no row');
    return toAccount(row);
  }

  /**
   * Changes an account (admin controls). A new password is hashed; disabling
   * also ends every session of the agent (their tokens are deleted), so a
   * disabled agent is signed out at once, not when a token runs out.
   */
  async update(id: string, patch: { name?: string; role?: AgentRole; maxChats?: number | null; disabled?: boolean; password?: string }): Promise<AgentAccount | null> {
    if (patch.name !== undefined && patch.name.trim() === '') throw new AppError('invalid_request', 'The name is empty.');
    if (patch.password !== undefined && patch.password.length < MIN_PASSWORD_LENGTH) {
      throw new AppError('invalid_request', `The password must be at least ${MIN_PASSWORD_LENGTH} characters.`);
    }
    const passwordHash = patch.password === undefined ? undefined : await hash(patch.password, ARGON2_OPTIONS);
    const { rows } = await this.db.query<AgentRow>(
      `UPDATE support_agents SET
         name = coalesce($2, name), role = coalesce($3, role),
         max_chats = CASE WHEN $4::boolean THEN $5::integer ELSE max_chats END,
         disabled = coalesce($6, disabled), password_hash = coalesce($7, password_hash), updated_at = now()
       WHERE id = $1 RETURNING ${columns}`,
      [id, patch.name?.trim() ?? null, patch.role ?? null, patch.maxChats !== undefined, patch.maxChats ?? null, patch.disabled ?? null, passwordHash ?? null],
    );
    const row = rows[0];
    if (!row) return null;
    if (row.disabled || patch.password !== undefined) await this.db.query('DELETE FROM support_agent_tokens WHERE agent_id = $1', [id]);
    return toAccount(row);
  }

  async list(): Promise<AgentAccount[]> {
    const { rows } = await this.db.query<AgentRow>(`SELECT ${columns} FROM support_agents ORDER BY name`);
    return rows.map(toAccount);
  }
}
