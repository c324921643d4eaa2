import type { FastifyInstance } from 'fastify';
import { createSessionRequestSchema } from '@support/protocol';
import { z } from 'zod';
import type { MessageStore } from '../conversation/message-store.js';
import type { SessionService } from '../conversation/session-service.js';
import { bearerToken, parseBody } from './request-parsing.js';

const sessionParamsSchema = z.object({ id: z.string().min(1).max(200) });

/** The customer-side REST endpoints of PROTOCOL.md. */
export function registerChatRoutes(app: FastifyInstance, deps: { sessionService: SessionService; messages: MessageStore }) {
  app.post('/support/chat/session', async (request, reply) => {
    const body = parseBody(createSessionRequestSchema, request.body);
    const created = await deps.sessionService.create(body);
    return reply.code(201).send(created);
  });

  app.post('/support/chat/session/:id/refresh', async (request) => {
    const { id } = parseBody(sessionParamsSchema, request.params);
    return deps.sessionService.refresh(id, bearerToken(request.headers.authorization));
  });

  app.get('/support/chat/session/:id/messages', async (request) => {
    const { id } = parseBody(sessionParamsSchema, request.params);
    await deps.sessionService.authenticateFor(id, bearerToken(request.headers.authorization));
    return { messages: await deps.messages.list(id) };
  });
}
