import type { FastifyInstance } from 'fastify';
import { createSessionRequestSchema, type CustomerConversationsResponse, type MessageHistoryResponse } from '@support/protocol';
import { z } from 'zod';
import type { CustomerTokenVerifier } from '../conversation/customer-token.js';
import type { MessageStore } from '../conversation/message-store.js';
import type { PendingActions } from '../conversation/pending-actions.js';
import type { SessionService } from '../conversation/session-service.js';
import type { SessionStore } from '../conversation/session-store.js';
import { AppError } from '../errors/app-error.js';
import type { RateLimits } from '../guardrails/rate-limits.js';
import { limitPerIp } from './per-ip-limit.js';
import { bearerToken, parseBody } from './request-parsing.js';
import type { SessionEventBus } from '../bus/session-event-bus.js';
import { hashSessionToken } from '../conversation/session-tokens.js';
import { conversationPreview } from '../conversation/conversation-preview.js';

const sessionParamsSchema = z.object({ id: z.string().min(1).max(200) });

/** GET /support/chat/conversations: `?limit=` 1..50, 20 by default; other query parameters (cache busters) are ignored. */
const conversationsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(50).default(20) });
/** The customer-side REST endpoints of PROTOCOL.md. */
export function registerChatRoutes(
  app: FastifyInstance,
  deps: {
    sessionService: SessionService;
    messages: MessageStore;
    /** The session's confirmation cards, listed with the history. */
    pendingActions: Pick<PendingActions, 'listFor'>;
    rateLimits: RateLimits;
    bus: SessionEventBus;
    /** Verifies the host-signed customer token that GET /support/chat/conversations takes. */
    customerTokens: CustomerTokenVerifier;
    sessions: SessionStore;
    sessionsPerIpPerMinute: number;
  },
) {
  app.post('/support/chat/session', async (request, reply) => {
    // Session creation is the cheapest thing to abuse (each one is a row and a token): limited per client IP.
    await limitPerIp(deps.rateLimits, { name: 'session_create', perMinute: deps.sessionsPerIpPerMinute, message: 'Too many new chat sessions from this address; try again shortly.' }, request.ip, reply);
    const body = parseBody(createSessionRequestSchema, request.body);
    const created = await deps.sessionService.create(body, request.ip);
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

  // The transcript and (an extension) every action proposed in it with where it stands, so a client without
  // local state (another browser) rebuilds the confirmation cards, decided ones with their outcome.
  app.get('/support/chat/session/:id/messages', async (request): Promise<MessageHistoryResponse> => {
    const { id } = parseBody(sessionParamsSchema, request.params);
    await deps.sessionService.authenticateFor(id, bearerToken(request.headers.authorization));
    const [messages, actions] = await Promise.all([deps.messages.list(id), deps.pendingActions.listFor(id)]);
    return { messages, actions };
  });

  // A signed-in customer's earlier conversations, to reopen one (POST /support/chat/session with resumeSessionId).
  // It takes the host-signed customer token itself: a session token is one conversation's, and a guest has no history.
  app.get('/support/chat/conversations', async (request, reply): Promise<CustomerConversationsResponse> => {
    // Each call verifies a JWT and reads the database: limited per client IP like session creation (its own budget).
    await limitPerIp(deps.rateLimits, { name: 'conversation_list', perMinute: deps.sessionsPerIpPerMinute, message: 'Too many conversation lists from this address; try again shortly.' }, request.ip, reply);
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new AppError('unauthorized', 'Send the host-signed customer token as "Authorization: Bearer <token>".', { status: 401 });
    // A session token (st_…) or an agent token (at_…) is not a JWT; said plainly instead of "malformed JWT".
    if (token.split('.').length !== 3) {
      throw new AppError('unauthorized', 'This endpoint takes the host-signed customer token, not a session or agent token.', { status: 401 });
    }
    const customer = await deps.customerTokens.verify(token);
    const { limit } = parseBody(conversationsQuerySchema, request.query);
    const rows = await deps.sessions.listForCustomer(customer.customerId, limit);
    void reply.header('cache-control', 'no-store');
    return {
      conversations: rows.map((row) => ({
        sessionId: row.sessionId,
        startedAt: row.startedAt.toISOString(),
        lastMessageAt: row.lastMessageAt.toISOString(),
        status: row.status,
        preview: conversationPreview(row.firstCustomerText),
      })),
    };
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
