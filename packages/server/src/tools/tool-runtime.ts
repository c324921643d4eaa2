import { z } from 'zod';
import type { ToolCall, ToolDefinition } from '../ai/model-port.js';
import { roleOf, type Role } from '../conversation/identity.js';
import type { RateLimits } from '../guardrails/rate-limits.js';
import type { Tool, ToolContext, ToolResult } from './define-tool.js';
import type { ToolAuditEntry } from './tool-audit-log.js';

export interface ToolExecution {
  call: ToolCall;
  result: ToolResult;
  latencyMs: number;
}

const MAX_ARGUMENT_CHARS = 8_000;

/**
 * The registry of tools and the one place they run. Whatever the model asks
 * for, the runtime checks the tool exists, the caller's role may use it, the
 * arguments parse against the tool's schema, and the handler finishes within
 * its timeout. Every failure is a typed result the model can explain.
 */
export class ToolRuntime {
  private readonly tools: Map<string, Tool<unknown>>;
  /** The definitions per role, made once: converting the schemas to JSON Schema on every model call cost each turn a third of a millisecond. */
  private readonly definitions = new Map<Role, ToolDefinition[]>();

  constructor(
    tools: ReadonlyArray<Tool<unknown>>,
    private readonly options: {
      defaultTimeoutMs: number;
      rateLimits?: RateLimits;
      /** Every execution, refused or not, is reported here (the audit log). */
      audit?: (entry: ToolAuditEntry) => Promise<void>;
      onError?: (tool: string, error: unknown) => void;
    },
  ) {
    this.tools = new Map(tools.map((tool) => [tool.name, tool]));
  }

  /** Tool definitions for the model: only those the caller's role may use. */
  definitionsFor(context: Pick<ToolContext, 'identity'>): ToolDefinition[] {
    const role = roleOf(context.identity);
    let definitions = this.definitions.get(role);
    if (!definitions) {
      // Guests also see the customer tools: calling one returns sign_in_required,
      // which the model turns into "please sign in" instead of guessing.
      const visibleTo: Role[] = role === 'guest' ? ['guest', 'customer'] : [role];
      definitions = [...this.tools.values()]
        .filter((tool) => tool.roles.some((allowed) => visibleTo.includes(allowed)))
        .map((tool) => Object.freeze({ name: tool.name, description: tool.description, parameters: z.toJSONSchema(tool.parameters, { target: 'draft-7', io: 'input' }) }));
      this.definitions.set(role, definitions);
    }
    // A copy of the list: a caller may add to or drop from it; the definitions themselves are frozen.
    return [...definitions];
  }

  async execute(call: ToolCall, context: Omit<ToolContext, 'signal'> & { signal?: AbortSignal }): Promise<ToolExecution> {
    const started = performance.now();
    const result = await this.run(call, context);
    const latencyMs = Math.round(performance.now() - started);
    if (this.options.audit) {
      const entry = {
        sessionId: context.sessionId,
        identity: context.identity,
        tool: call.name,
        rawArguments: call.arguments,
        outcome: result.ok ? 'ok' : result.error.code,
        latencyMs,
      };
      // An audit write that fails must not turn a served answer into an error; it is reported instead.
      await this.options.audit(entry).catch((error: unknown) => this.options.onError?.('audit', error));
    }
    return { call, result, latencyMs };
  }

  private async run(call: ToolCall, context: Omit<ToolContext, 'signal'> & { signal?: AbortSignal }): Promise<ToolResult> {
    const tool = this.tools.get(call.name);
    if (!tool) return { ok: false, error: { code: 'unknown_tool', message: `There is no tool named "${call.name.slice(0, 64)}".` } };

    const role = roleOf(context.identity);
    if (!tool.roles.includes(role)) {
      return role === 'guest'
        ? { ok: false, error: { code: 'sign_in_required', message: 'The customer is not signed in. Ask them to sign in to see account or booking details.' } }
        : { ok: false, error: { code: 'forbidden', message: 'This tool is not available to this user.' } };
    }

    if (tool.rateLimit && this.options.rateLimits) {
      const caller = context.identity.kind === 'customer' ? `customer:${context.identity.customerId}` : `session:${context.sessionId}`;
      const verdict = await this.options.rateLimits.consume(`tool:${tool.name}`, tool.rateLimit, caller);
      if (!verdict.allowed) {
        const seconds = Math.ceil(verdict.retryAfterMs / 1000);
        return { ok: false, error: { code: 'rate_limited', message: `The ${tool.name} tool was used too often; it can be used again in ${seconds} s.` } };
      }
    }

    if (call.arguments.length > MAX_ARGUMENT_CHARS) {
      return { ok: false, error: { code: 'invalid_arguments', message: 'The arguments are too long.' } };
    }
    let raw: unknown;
    try {
      raw = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
    } catch {
      return { ok: false, error: { code: 'invalid_arguments', message: 'The arguments are not valid JSON.' } };
    }
    const parsed = tool.parameters.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`);
      return { ok: false, error: { code: 'invalid_arguments', message: issues.join('; ') } };
    }

    const timeoutMs = tool.timeoutMs ?? this.options.defaultTimeoutMs;
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(context.signal?.reason);
    context.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ToolResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error('tool timeout'));
        resolve({ ok: false, error: { code: 'tool_timeout', message: `The ${tool.name} tool did not answer in time.` } });
      }, timeoutMs);
    });
    try {
      return await Promise.race([tool.execute(parsed.data, { ...context, signal: controller.signal }), timeout]);
    } catch (error) {
      this.options.onError?.(tool.name, error);
      return { ok: false, error: { code: 'tool_failed', message: `The ${tool.name} tool failed. Offer to create a ticket for a human agent.` } };
    } finally {
      clearTimeout(timer);
      context.signal?.removeEventListener('abort', onOuterAbort);
    }
  }
}
