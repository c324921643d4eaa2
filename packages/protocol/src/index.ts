/**
 * The chat wire contract (docs/protocol.md, v1) as zod schemas.
 *
 * One source of truth for the server, the demo page, consoles and load
 * generators. The contract may be extended (new optional fields, new events),
 * never broken: do not rename or drop anything that PROTOCOL.md names.
 */
import { z } from 'zod';

/** Longest customer message the service accepts, in characters. */
export const MAX_MESSAGE_TEXT_LENGTH = 4000;

export const errorCodes = [
  'invalid_message',
  'invalid_request',
  'too_long',
  'rate_limited',
  'quota_exceeded',
  'conversation_limit',
  'token_expired',
  'unauthorized',
  'invalid_customer_token',
  'forbidden',
  'not_found',
  'session_closed',
  'guests_disabled',
  'ai_unavailable',
  'resume_in_progress',
  'too_many_connections',
  'unavailable',
  'internal_error',
] as const;
export type ErrorCode = (typeof errorCodes)[number] | (string & {});

export const errorBodySchema = z.object({
  /** Extension: `retryable` is true when the same request may succeed later (an outage, a rate limit). */
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean().optional() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

// ---------------------------------------------------------------- REST

export const createSessionRequestSchema = z
  .object({
    customerToken: z.string().min(1).max(8192).optional(),
    locale: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag such as "en" or "en-GB"')
      .optional(),
    resumeSessionId: z.string().min(1).max(200).optional(),
  })
  .strict();
export type CreateSessionRequest = z.infer<typeof createSessionRequestSchema>;

export const createSessionResponseSchema = z.object({
  sessionId: z.string(),
  token: z.string(),
  expiresAt: z.string(),
  wsUrl: z.string(),
  /** Extension: who the session belongs to. */
  customer: z.object({ id: z.string(), name: z.string().nullable() }).nullable().optional(),
  /** Extension: "ai", "escalated" or "closed". */
  status: z.string().optional(),
});
export type CreateSessionResponse = z.infer<typeof createSessionResponseSchema>;

export const refreshSessionResponseSchema = z.object({ token: z.string(), expiresAt: z.string() });
export type RefreshSessionResponse = z.infer<typeof refreshSessionResponseSchema>;

export const citationSchema = z.object({
  articleId: z.string(),
  title: z.string(),
  url: z.string(),
  /** Extension: the marker number the text uses for this source, as in "[1]". */
  ref: z.number().int().positive().optional(),
});
export type Citation = z.infer<typeof citationSchema>;

export const messageRoleSchema = z.enum(['user', 'assistant', 'agent', 'system']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

export const messageSchema = z.object({
  id: z.string(),
  role: messageRoleSchema,
  text: z.string(),
  createdAt: z.string(),
  citations: z.array(citationSchema),
  /** Extension: the client's id for a user message. */
  clientMessageId: z.string().optional(),
  /** Extension: the customer's thumbs up/down on an assistant or agent reply. */
  rating: z.enum(['up', 'down']).optional(),
  /** Extension: on a reply, the id of the customer message it answers. */
  replyToMessageId: z.string().optional(),
});
export type Message = z.infer<typeof messageSchema>;

export const messageHistoryResponseSchema = z.object({ messages: z.array(messageSchema) });

// ---------------------------------------------------------------- websocket, client to server

const clientMessageIdSchema = z.string().min(1).max(200);

export const sendMessageEventSchema = z.object({
  type: z.literal('send_message'),
  clientMessageId: clientMessageIdSchema,
  // Length limits are checked after parsing so that they get their own code (too_long).
  text: z.string(),
});
export const escalateEventSchema = z.object({
  type: z.literal('escalate'),
  reason: z.string().max(1000).optional(),
});
export const feedbackEventSchema = z.object({
  type: z.literal('feedback'),
  messageId: z.string().min(1).max(200),
  rating: z.enum(['up', 'down']),
});
export const resumeEventSchema = z.object({
  type: z.literal('resume'),
  afterMessageId: z.string().min(1).max(200).optional(),
});

/** Extension: the customer confirms or declines an action the assistant proposed (see `action_proposed`). */
export const confirmActionEventSchema = z.object({ type: z.literal('confirm_action'), actionId: z.string().min(1).max(200) });
export const cancelActionEventSchema = z.object({ type: z.literal('cancel_action'), actionId: z.string().min(1).max(200) });

export const clientEventSchema = z.discriminatedUnion('type', [
  sendMessageEventSchema,
  escalateEventSchema,
  feedbackEventSchema,
  resumeEventSchema,
  confirmActionEventSchema,
  cancelActionEventSchema,
]);
export type ClientEvent = z.infer<typeof clientEventSchema>;
export const clientEventTypes = ['send_message', 'escalate', 'feedback', 'resume', 'confirm_action', 'cancel_action'] as const;

export const moneySchema = z.object({ amount: z.string(), currency: z.string() });

/** Extension: a change to the customer's booking that waits for their confirmation. Nothing has happened yet. */
export const proposedActionSchema = z.object({
  id: z.string(),
  kind: z.enum(['booking_cancellation', 'booking_change']),
  bookingReference: z.string(),
  /** One line for the confirmation card, e.g. "Cancel booking SKY4F2". */
  title: z.string(),
  /** What will happen: fees, refund, new date, the policy applied. */
  details: z.array(z.string()),
  fee: moneySchema,
  refund: moneySchema.nullable(),
  newStartDate: z.string().nullable(),
  expiresAt: z.string(),
});
export type ProposedAction = z.infer<typeof proposedActionSchema>;

export const actionStatusSchema = z.enum(['done', 'cancelled', 'expired', 'failed']);

// ---------------------------------------------------------------- websocket, server to client

export const escalationModeSchema = z.enum(['live_agent', 'ticket']);

export const serverEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ack'), clientMessageId: z.string(), messageId: z.string() }),
  z.object({
    type: z.literal('message_delta'),
    messageId: z.string(),
    delta: z.string(),
    /** Extension: the customer message this reply answers (a reply taken over after a crash streams again under a new id). */
    replyToMessageId: z.string().optional(),
  }),
  z.object({ type: z.literal('message'), message: messageSchema }),
  z.object({ type: z.literal('escalated'), ticketId: z.string(), mode: escalationModeSchema }),
  z.object({ type: z.literal('agent_joined'), agentName: z.string() }),
  z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    /** Extension: the send_message this error answers, when there is one. */
    clientMessageId: z.string().optional(),
    /** Extension: true when sending the same frame again later may succeed (an outage, a rate limit). */
    retryable: z.boolean().optional(),
  }),
  /** Extension: the answer to a `feedback` event. */
  z.object({ type: z.literal('feedback_recorded'), messageId: z.string(), rating: z.enum(['up', 'down']) }),
  /** Extension: sent once after connecting, so a client knows where it stands. */
  z.object({
    type: z.literal('session_state'),
    sessionId: z.string(),
    status: z.string(),
    ticketId: z.string().nullable(),
  }),
  /** Extension: the assistant started working on a reply (typing indicator). */
  z.object({
    type: z.literal('typing'),
    role: messageRoleSchema,
    /** Extension: the customer message whose reply is being written (also sent on `resume` for every reply still on its way). */
    replyToMessageId: z.string().optional(),
  }),
  /** Extension: an action waits for the customer's confirm_action or cancel_action. */
  z.object({ type: z.literal('action_proposed'), action: proposedActionSchema }),
  /** Extension: how a proposed action ended. */
  z.object({ type: z.literal('action_updated'), actionId: z.string(), status: actionStatusSchema }),
]);
export type ServerEvent = z.infer<typeof serverEventSchema>;
