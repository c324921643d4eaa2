import type { FastifyInstance, FastifyRequest } from 'fastify';
import { agentLoginRequestSchema, agentTextRequestSchema, type Agent } from '@support/protocol';
import { z } from 'zod';
import type { AgentAccount, AgentAccounts } from '../agents/agent-accounts.js';
import type { AgentDesk } from '../agents/agent-desk.js';
import type { QueueDrain } from '../agents/queue-drain.js';
import type { AgentTokens } from '../agents/agent-tokens.js';
import { CANNED_RESPONSES } from '../agents/canned-responses.js';
import type { CustomerTokenVerifier } from '../conversation/customer-token.js';
import { AppError } from '../errors/app-error.js';
import type { RateLimits } from '../guardrails/rate-limits.js';
import { limitPerIp } from './per-ip-limit.js';
import { bearerToken, parseBody } from './request-parsing.js';

const sessionParamsSchema = z.object({ sessionId: z.string().min(1).max(200) });

export interface AgentRouteDeps {
  accounts: AgentAccounts;
  tokens: AgentTokens;
  desk: AgentDesk;
  /** Verifies the alternative login: a host-signed JWT with `role: "agent"`. */
  hostTokens: CustomerTokenVerifier;
  rateLimits: RateLimits;
  /** A slot freed by resolve or hand-back goes to the next customer waiting in the live queue. */
  drain: Pick<QueueDrain, 'offer'>;
  loginsPerIpPerMinute: number;
  loginsPerAccountPerMinute: number;
}

const publicAgent = (agent: AgentAccount): Agent => ({ id: agent.id, name: agent.name, email: agent.email, role: agent.role });
const invalidCredentials = () => new AppError('invalid_credentials', 'The e-mail or password is wrong.', { status: 401 });

/**
 * The agent side of PROTOCOL.md: login, queue, conversation, claim, messages,
 * notes, resolve and hand-back, plus what the console needs beside them
 * (refresh, logout, me, canned responses). Every endpoint but login takes an
 * agent token; a customer or guest token is never one (401).
 */
export function registerAgentRoutes(app: FastifyInstance, deps: AgentRouteDeps) {
  const agentOf = (request: FastifyRequest) => deps.tokens.authenticate(bearerToken(request.headers.authorization));
  /** The calling agent and the conversation the path names. */
  const inConversation = async (request: FastifyRequest) => ({ agent: await agentOf(request), sessionId: parseBody(sessionParamsSchema, request.params).sessionId });

  app.post('/support/agent/login', async (request, reply) => {
    await limitPerIp(deps.rateLimits, { name: 'agent_login', perMinute: deps.loginsPerIpPerMinute, message: 'Too many sign-in attempts from this address; try again in a minute.' }, request.ip, reply);
    const body = parseBody(agentLoginRequestSchema, request.body);
    let agent: AgentAccount | null;
    if ('hostToken' in body) {
      const claims = await deps.hostTokens.verifyAgent(body.hostToken).catch(() => {
        throw invalidCredentials();
      });
      agent = await deps.accounts.upsertFromHost(claims);
      if (agent.disabled) agent = null;
    } else {
      // Per account too: guessing one agent's password from many addresses is slowed as well.
      const verdict = await deps.rateLimits.consume('agent_login_account', { points: deps.loginsPerAccountPerMinute, durationSeconds: 60 }, body.email.trim().toLowerCase());
      if (!verdict.allowed) {
        void reply.header('retry-after', String(Math.ceil(verdict.retryAfterMs / 1000)));
        throw new AppError('rate_limited', 'Too many sign-in attempts for this account; try again in a minute.', { status: 429, retryable: true });
      }
      agent = await deps.accounts.verifyPassword(body.email, body.password);
    }
    if (!agent) throw invalidCredentials();
    const issued = await deps.tokens.issue(agent.id);
    return { token: issued.token, expiresAt: issued.expiresAt.toISOString(), agent: publicAgent(agent) };
  });

  app.post('/support/agent/token/refresh', async (request) => {
    const refreshed = await deps.tokens.refresh(bearerToken(request.headers.authorization));
    return { token: refreshed.token, expiresAt: refreshed.expiresAt.toISOString() };
  });

  app.post('/support/agent/logout', async (request, reply) => {
    await deps.tokens.revoke(bearerToken(request.headers.authorization));
    return reply.code(204).send();
  });

  app.get('/support/agent/me', async (request) => ({ agent: publicAgent(await agentOf(request)) }));

  app.get('/support/agent/queue', async (request) => {
    await agentOf(request);
    return { conversations: await deps.desk.queue() };
  });

  app.get('/support/agent/canned-responses', async (request) => {
    await agentOf(request);
    return { responses: CANNED_RESPONSES };
  });

  app.get('/support/agent/conversations/:sessionId', async (request) => {
    const { sessionId } = await inConversation(request);
    return deps.desk.conversation(sessionId);
  });

  app.post('/support/agent/conversations/:sessionId/claim', async (request) => {
    const { agent, sessionId } = await inConversation(request);
    return { entry: await deps.desk.claim(agent, sessionId) };
  });

  app.post('/support/agent/conversations/:sessionId/messages', async (request, reply) => {
    const { agent, sessionId } = await inConversation(request);
    const { text } = parseBody(agentTextRequestSchema, request.body);
    return reply.code(201).send({ message: await deps.desk.postMessage(agent, sessionId, text) });
  });

  app.post('/support/agent/conversations/:sessionId/notes', async (request, reply) => {
    const { agent, sessionId } = await inConversation(request);
    const { text } = parseBody(agentTextRequestSchema, request.body);
    return reply.code(201).send({ note: await deps.desk.addNote(agent, sessionId, text) });
  });

  app.post('/support/agent/conversations/:sessionId/resolve', async (request) => {
    const { agent, sessionId } = await inConversation(request);
    await deps.desk.finish(agent, sessionId, 'resolved');
    deps.drain.offer(agent.id);
    return {};
  });

  app.post('/support/agent/conversations/:sessionId/hand-back', async (request) => {
    const { agent, sessionId } = await inConversation(request);
    await deps.desk.finish(agent, sessionId, 'handed_back');
    deps.drain.offer(agent.id);
    return {};
  });
}
