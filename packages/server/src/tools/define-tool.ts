import type { z } from 'zod';
import type { CitationRegistry } from '../ai/citation-registry.js';
import type { Identity, Role } from '../conversation/identity.js';
import type { RateLimitRule } from '../guardrails/rate-limits.js';

export interface ToolContext {
  identity: Identity;
  sessionId: string;
  /** The customer message this turn answers: an action a tool proposes is stored with it (where its card goes). */
  replyToMessageId?: string;
  /** The session's locale (BCP 47): what host quotes write their money and dates in. */
  locale?: string;
  /** Aborted when the tool's timeout passes or the turn is cancelled. */
  signal: AbortSignal;
  citations: CitationRegistry;
  /** Earlier turns of the conversation, oldest first: lets a search resolve "that hotel". */
  conversation?: string[];
}

/** What the model sees: data on success, a typed refusal or failure otherwise. */
export type ToolResult =
  | { ok: true; data: unknown }
  | { ok: false; error: { code: string; message: string } };

export interface Tool<Args = unknown> {
  name: string;
  /** Written for the model: when to call the tool and what it returns. */
  description: string;
  parameters: z.ZodType<Args>;
  /** Roles allowed to call it; checked by the runtime before the handler runs. */
  roles: readonly Role[];
  timeoutMs?: number;
  /** Per caller (customer, or session for guests), across all their sessions and every node. */
  rateLimit?: RateLimitRule;
  execute(args: Args, context: ToolContext): Promise<ToolResult>;
}

/** Identity function that keeps the argument type tied to the schema. */
export function defineTool<Args>(tool: Tool<Args>): Tool<Args> {
  return tool;
}

export const toolRefusal = (code: string, message: string): ToolResult => ({ ok: false, error: { code, message } });
