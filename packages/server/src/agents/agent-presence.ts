import { randomUUID } from 'node:crypto';
import type { PresenceStatus } from '@support/protocol';
import type { Database } from '../storage/database.js';

/** A presence row not renewed for this long belongs to a dead node. */
export const PRESENCE_TTL_MS = 30_000;
const RENEW_EVERY_MS = PRESENCE_TTL_MS / 3;
const UNTIL = `clock_timestamp() + ${PRESENCE_TTL_MS} * interval '1 millisecond'`;

export interface AvailableAgent {
  id: string;
  name: string;
  /** Live chats this agent holds now. */
  activeChats: number;
  /** Its own cap, or the configured default. */
  maxChats: number;
}

export interface PresenceHandle {
  setStatus(status: PresenceStatus): Promise<void>;
  close(): Promise<void>;
}

/**
 * Who is at their desk: one support_agent_connections row per open agent
 * socket, renewed by the node that holds it (all of a node's rows in one
 * statement), so presence is shared by every node and a dead node's agents
 * go offline within PRESENCE_TTL_MS.
 */
export class AgentPresence {
  private readonly mine = new Set<string>();
  private renewer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: { defaultMaxChats: number; onError: (error: unknown) => void },
  ) {}

  async connect(agentId: string, status: PresenceStatus): Promise<PresenceHandle> {
    const id = `acn_${randomUUID().replace(/-/g, '')}`;
    await this.db.query(`INSERT INTO support_agent_connections (id, agent_id, status, expires_at) VALUES ($1, $2, $3, ${UNTIL})`, [id, agentId, status]);
    this.mine.add(id);
    this.startRenewing();
    return {
      setStatus: async (next) => {
        await this.db.query(`UPDATE support_agent_connections SET status = $2, expires_at = ${UNTIL} WHERE id = $1`, [id, next]);
      },
      close: async () => {
        this.mine.delete(id);
        await this.db.query('DELETE FROM support_agent_connections WHERE id = $1', [id]);
      },
    };
  }

  private startRenewing(): void {
    if (this.renewer) return;
    this.renewer = setInterval(() => {
      if (this.mine.size === 0) return;
      this.db.query(`UPDATE support_agent_connections SET expires_at = ${UNTIL} WHERE id = ANY($1)`, [[...this.mine]]).catch(this.options.onError);
    }, RENEW_EVERY_MS);
    this.renewer.unref();
  }

  /** Agents with a live socket set to online, with the live chats each holds. */
  async onlineAgents(): Promise<AvailableAgent[]> {
    const { rows } = await this.db.query<{ id: string; name: string; max_chats: number | null; active: number }>(
      `SELECT a.id, a.name, a.max_chats,
              (SELECT count(*)::int FROM support_tickets t
                WHERE t.assigned_agent_id = a.id AND t.status IN ('open', 'pending') AND t.mode = 'live_agent') AS active
         FROM support_agents a
        WHERE NOT a.disabled
          AND EXISTS (SELECT 1 FROM support_agent_connections c
                       WHERE c.agent_id = a.id AND c.status = 'online' AND c.expires_at > clock_timestamp())
        ORDER BY a.name`,
    );
    return rows.map((row) => ({ id: row.id, name: row.name, activeChats: row.active, maxChats: row.max_chats ?? this.options.defaultMaxChats }));
  }

  /** Rows of dead nodes are only noise: removed now and then. */
  async prune(): Promise<void> {
    await this.db.query('DELETE FROM support_agent_connections WHERE expires_at < clock_timestamp() - interval \'1 hour\'');
  }

  stop(): void {
    clearInterval(this.renewer);
    this.renewer = undefined;
  }
}
