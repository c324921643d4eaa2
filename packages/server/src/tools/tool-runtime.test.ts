import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CitationRegistry } from '../ai/citation-registry.js';
import type { Identity } from '../conversation/identity.js';
import { defineTool } from './define-tool.js';
import { ToolRuntime } from './tool-runtime.js';

const customer: Identity = { kind: 'customer', customerId: 'cus_a', name: null, email: null };
const guest: Identity = { kind: 'guest' };

const echo = defineTool({
  name: 'echo_reference',
  description: 'Echoes a reference',
  parameters: z.object({ reference: z.string().max(10) }),
  roles: ['customer'],
  execute: async (args, context) => ({ ok: true, data: { reference: args.reference, caller: context.identity.kind === 'customer' ? context.identity.customerId : null } }),
});
const slow = defineTool({
  name: 'slow',
  description: 'Never answers in time',
  parameters: z.object({}),
  roles: ['guest', 'customer'],
  timeoutMs: 50,
  execute: (_args, context) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: true, data: 'late' }), 10_000);
      context.signal.addEventListener('abort', () => clearTimeout(timer));
    }),
});
const broken = defineTool({
  name: 'broken',
  description: 'Throws',
  parameters: z.object({}),
  roles: ['guest', 'customer'],
  execute: async () => {
    throw new Error('database password is hunter2');
  },
});

const errors: string[] = [];
const runtime = new ToolRuntime([echo, slow, broken], { defaultTimeoutMs: 1000, onError: (tool) => errors.push(tool) });
const run = (name: string, args: string, identity: Identity = customer) =>
  runtime.execute({ id: 'call_1', name, arguments: args }, { identity, sessionId: 'ses_1', citations: new CitationRegistry() });

describe('ToolRuntime', () => {
  it('runs a valid call with the caller identity from the session', async () => {
    const execution = await run('echo_reference', '{"reference":"ABC123","customerId":"cus_b"}');
    expect(execution.result).toEqual({ ok: true, data: { reference: 'ABC123', caller: 'cus_a' } });
    expect(execution.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['not json', '{"reference": 12', 'invalid_arguments'],
    ['wrong type', '{"reference": 12}', 'invalid_arguments'],
    ['missing field', '{}', 'invalid_arguments'],
    ['huge string', JSON.stringify({ reference: 'x'.repeat(20_000) }), 'invalid_arguments'],
    ['too long for the schema', '{"reference":"ABCDEFGHIJKLMNOP"}', 'invalid_arguments'],
    ['an array', '[1,2]', 'invalid_arguments'],
  ])('refuses %s with a typed error', async (_label, args, code) => {
    const execution = await run('echo_reference', args);
    expect(execution.result).toMatchObject({ ok: false, error: { code } });
  });

  it('refuses unknown tools and the wrong role', async () => {
    expect((await run('drop_tables', '{}')).result).toMatchObject({ ok: false, error: { code: 'unknown_tool' } });
    expect((await run('echo_reference', '{"reference":"ABC123"}', guest)).result).toMatchObject({ ok: false, error: { code: 'sign_in_required' } });
  });

  it('times a slow tool out and hides a failing tool\'s internals', async () => {
    expect((await run('slow', '{}')).result).toMatchObject({ ok: false, error: { code: 'tool_timeout' } });
    const failed = await run('broken', '{}');
    expect(failed.result).toMatchObject({ ok: false, error: { code: 'tool_failed' } });
    expect(JSON.stringify(failed.result)).not.toContain('hunter2');
    expect(errors).toContain('broken');
  });

  it('shows the model JSON schemas, and guests the customer tools too (so it can ask them to sign in)', () => {
    const definitions = runtime.definitionsFor({ identity: guest });
    expect(definitions.map((definition) => definition.name)).toEqual(['echo_reference', 'slow', 'broken']);
    expect(definitions[0]?.parameters).toMatchObject({ type: 'object', properties: { reference: { type: 'string', maxLength: 10 } }, required: ['reference'] });
  });
});

describe('ToolRuntime rate limits and audit', () => {
  it('refuses a caller past the tool\'s limit with rate_limited, per caller, and audits every call', async () => {
    const { RateLimits } = await import('../guardrails/rate-limits.js');
    const audited: Array<{ tool: string; outcome: string; customer: string | null }> = [];
    const limited = defineTool({ ...echo, name: 'limited_echo', rateLimit: { points: 2, durationSeconds: 60 } });
    const guarded = new ToolRuntime([limited], {
      defaultTimeoutMs: 1000,
      rateLimits: new RateLimits(),
      audit: async (entry) => {
        audited.push({ tool: entry.tool, outcome: entry.outcome, customer: entry.identity.kind === 'customer' ? entry.identity.customerId : null });
      },
    });
    const call = (identity: Identity) =>
      guarded.execute({ id: 'c', name: 'limited_echo', arguments: '{"reference":"ABC123"}' }, { identity, sessionId: 'ses_x', citations: new CitationRegistry() });
    const outcomes = [];
    for (let attempt = 0; attempt < 3; attempt += 1) outcomes.push((await call(customer)).result.ok);
    expect(outcomes).toEqual([true, true, false]);
    expect((await call(customer)).result).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // Another customer has their own budget.
    expect((await call({ kind: 'customer', customerId: 'cus_b', name: null, email: null })).result.ok).toBe(true);
    expect(audited.map((entry) => entry.outcome)).toEqual(['ok', 'ok', 'rate_limited', 'rate_limited', 'ok']);
    expect(audited.every((entry) => entry.tool === 'limited_echo')).toBe(true);
  });
});
