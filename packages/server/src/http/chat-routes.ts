import type { FastifyInstance } from 'fastify';
import { createSessionRequestSchema } from '@support/protocol';
import { z } from 'zod';
import type { MessageStore } from '../conversation/message-store.js';
import type { SessionService } from '../conversation/session-service.js';
import type { RateLimits } from '../guardrails/rate-limits.js';
import { limitPerIp } from './per-ip-limit.js';
import { bearerToken, parseBody } from './request-parsing.js';
import type { SessionEventBus } from '../bus/session-event-bus.js';
import { hashSessionToken } from '../conversation/session-tokens.js';

const sessionParamsSchema = z.object({ id: z.string().min(1).max(200) });

/** The customer-side REST endpoints of PROTOCOL.md. */
export function registerChatRoutes(
  app: FastifyInstance,
  deps: { sessionService: SessionService; messages: MessageStore; rateLimits: RateLimits; bus: SessionEventBus; sessionsPerIpPerMinute: number },
) {
  app.post('/support/chat/session', async (request, reply) => {
    // Session creation is the cheapest thing to abuse (each one is a row and a token): limited per client IP.
    await limitPerIp(deps.rateLimits, { name: 'session_create', perMinute: deps.sessionsPerIpPerMinute, message: 'Too many new chat sessions from this address; try again shortly.' }, request.ip, reply);
    const body = parseBody(createSessionRequestSchema, request.body);
    const created = await deps.sessionService.create(body);
    // Resuming gives the session a new token: sockets still open with the old one are closed.
    if (body.resumeSessionId) announceTokenReplaced(deps.bus, created.sessionId, created.token);
    return reply.code(201).send(created);
  });

  app.post('/support/chat/session/:id/refresh', async (request) => {
    const { id } = parseBody(sessionParamsSchema, request.params);
    const refreshed = await deps.sessionService.refresh(id, bearerToken(request.headers.authorization));
    announceTokenReplaced(deps.bus, id, refreshed.token);
    return refreshed;
  });

  app.get('/support/chat/session/:id/messages', async (request) => {
    const { id } = parseBody(sessionParamsSchema, request.params);
    await deps.sessionService.authenticateFor(id, bearerToken(request.headers.authorization));
    return { messages: await deps.messages.list(id) };
  });
}

/**
 * Tells every node that the session's token changed. Sockets opened with any
 * other token close with 4409 (CLOSE_TOKEN_REPLACED), so a stolen token's
 * socket is evicted by a refresh; the owner reconnects with the new token.
 */
function announceTokenReplaced(bus: SessionEventBus, sessionId: string, currentToken: string): void {
  bus.publish(sessionId, { type: 'session_token_replaced', currentTokenHash: hashSessionToken(currentToken) });
}
