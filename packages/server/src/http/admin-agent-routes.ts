import { randomBytes } from 'node:crypto';
import { agentRoleSchema } from '@support/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AgentAccounts, MIN_PASSWORD_LENGTH, type AgentAccount } from '../agents/agent-accounts.js';
import { AppError } from '../errors/app-error.js';
import type { Queryable } from '../storage/database.js';
import { parseBody } from './request-parsing.js';

const password = z.string().min(MIN_PASSWORD_LENGTH).max(1024);
const createBodySchema = z.strictObject({
  email: z.string().trim().min(3).max(320),
  name: z.string().trim().min(1).max(100),
  role: agentRoleSchema.default('agent'),
  maxChats: z.number().int().min(1).max(50).optional(),
  password: password.optional(),
});
const patchBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  role: agentRoleSchema.optional(),
  maxChats: z.number().int().min(1).max(50).nullable().optional(),
  disabled: z.boolean().optional(),
  password: password.optional(),
});
const idParamsSchema = z.object({ agentId: z.string().min(1).max(200) });

const publicAccount = (account: AgentAccount) => ({ id: account.id, email: account.email, name: account.name, role: account.role, maxChats: account.maxChats, disabled: account.disabled });

/**
 * Agent accounts through the admin API: list, create (with a password, or
 * one generated and shown once), change name, role, chat cap or password,
 * disable (which signs the agent out at once). An admin agent cannot demote
 * or disable themselves: the last admin must not lock the team out.
 */
export function registerAdminAgentRoutes(admin: FastifyInstance, deps: { db: Queryable; actorOf: (request: FastifyRequest) => string }): void {
  const accounts = new AgentAccounts(deps.db);

  admin.get('/admin/agents', async () => ({ agents: (await accounts.list()).map(publicAccount) }));

  admin.post('/admin/agents', async (request, reply) => {
    const body = parseBody(createBodySchema, request.body);
    const generated = body.password === undefined ? randomBytes(24).toString('base64url') : undefined;
    const account = await accounts.create({ email: body.email, name: body.name, role: body.role, password: body.password ?? generated, ...(body.maxChats === undefined ? {} : { maxChats: body.maxChats }) });
    // A generated password is in this answer only: only its hash is stored.
    return reply.code(201).send({ agent: publicAccount(account), ...(generated ? { password: generated } : {}) });
  });

  admin.patch('/admin/agents/:agentId', async (request) => {
    const { agentId } = parseBody(idParamsSchema, request.params);
    const patch = parseBody(patchBodySchema, request.body);
    if (deps.actorOf(request) === `agent:${agentId}` && (patch.disabled === true || patch.role === 'agent')) {
      throw new AppError('cannot_change_self', 'You cannot disable your own account or take away your own admin role; ask another admin.', { status: 409 });
    }
    const account = await accounts.update(agentId, {
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.role === undefined ? {} : { role: patch.role }),
      ...(patch.maxChats === undefined ? {} : { maxChats: patch.maxChats }),
      ...(patch.disabled === undefined ? {} : { disabled: patch.disabled }),
      ...(patch.password === undefined ? {} : { password: patch.password }),
    });
    if (!account) throw new AppError('not_found', 'There is no agent with that id.', { status: 404 });
    return { agent: publicAccount(account) };
  });
}
