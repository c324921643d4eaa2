import { randomUUID } from 'node:crypto';
import { redactValue } from '../guardrails/redaction.js';
import type { Queryable } from '../storage/database.js';
import { roleOf, type Identity } from '../conversation/identity.js';

export interface ToolAuditEntry {
  sessionId: string;
  identity: Identity;
  tool: string;
  /** As the model sent them (raw JSON text); redacted before they are stored. */
  rawArguments: string;
  outcome: string;
  latencyMs: number;
}

/** support_tool_audit: who ran which tool with what (redacted) arguments, and how it ended. */
export class ToolAuditLog {
  constructor(private readonly db: Queryable) {}

  async record(entry: ToolAuditEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO support_tool_audit (id, session_id, customer_id, role, tool, arguments, outcome, latency_ms)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
      [
        `aud_${randomUUID().replace(/-/g, '')}`,
        entry.sessionId,
        entry.identity.kind === 'customer' ? entry.identity.customerId : null,
        roleOf(entry.identity),
        entry.tool.slice(0, 100),
        JSON.stringify(redactValue(parseArguments(entry.rawArguments))),
        entry.outcome,
        entry.latencyMs,
      ],
    );
  }
}

function parseArguments(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return { unparsable: raw.slice(0, 500) };
  }
}
