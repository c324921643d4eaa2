/**
 * The chat wire contract (docs/protocol.md, v1) as zod schemas.
 *
 * One source of truth for the server, the widget, consoles and load
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
  /** Extension: the customer's answer to the training-consent question (null: not asked or not answered yet). */
  trainingConsent: z.boolean().nullable().optional(),
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
  /** Extension: on an agent message, the agent's display name. */
  authorName: z.string().optional(),
  /** Extension: what a system message stands for: handoff, agent_joined, resolved, handed_back. */
  kind: z.string().optional(),
});
export type Message = z.infer<typeof messageSchema>;


/**
 * Extension: `GET /support/chat/conversations` (Authorization: Bearer <customer token>, `?limit=` 1..50,
 * default 20): the signed-in customer's earlier conversations, most recently active first. `preview` is
 * the customer's first message, redacted and clipped to 120 characters; `status` is "ai", "escalated" or
 * "closed". Reopen one with POST /support/chat/session `{ customerToken, resumeSessionId: sessionId }`.
 */
export const customerConversationsResponseSchema = z.object({
  conversations: z.array(
    z.object({
      sessionId: z.string(),
      startedAt: z.string(),
      lastMessageAt: z.string(),
      status: z.string(),
      preview: z.string().nullable(),
    }),
  ),
});
export type CustomerConversationsResponse = z.infer<typeof customerConversationsResponseSchema>;

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
/** Extension: the customer's answer to "may this conversation be used to improve the assistant?" (it can be changed later). */
export const consentEventSchema = z.object({ type: z.literal('consent'), training: z.boolean() });
/** Extension: the customer rates the whole conversation at its end (1 to 5, an optional comment); rating again replaces it. */
export const rateConversationEventSchema = z.object({
  type: z.literal('rate_conversation'),
  score: z.number().int().min(1).max(5),
  comment: z.string().max(1000).optional(),
});

export const clientEventSchema = z.discriminatedUnion('type', [
  sendMessageEventSchema,
  escalateEventSchema,
  feedbackEventSchema,
  resumeEventSchema,
  confirmActionEventSchema,
  cancelActionEventSchema,
  consentEventSchema,
  rateConversationEventSchema,
]);
export type ClientEvent = z.infer<typeof clientEventSchema>;
export const clientEventTypes = ['send_message', 'escalate', 'feedback', 'resume', 'confirm_action', 'cancel_action', 'consent', 'rate_conversation'] as const;

export const moneySchema = z.object({ amount: z.string(), currency: z.string() });

/** How a proposed action ended (`action_updated`). */
export const actionStatusSchema = z.enum(['done', 'cancelled', 'expired', 'failed']);
/** Extension: `ProposedAction.status`: pending, or one of the outcomes `action_updated` reports. */
export const proposedActionStatusSchema = z.enum(['pending', ...actionStatusSchema.options]);
export type ProposedActionStatus = z.infer<typeof proposedActionStatusSchema>;

/**
 * Extension: a change to the customer's booking that waits for their confirmation (nothing has happened
 * while it is pending); the history lists decided ones too, with their `status`.
 */
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
  /** Extension: the customer message whose reply proposed it (absent for proposals stored before it was recorded). */
  replyToMessageId: z.string().optional(),
  /** Extension: where it stands: pending (waits for the customer's answer) or how it ended. */
  status: proposedActionStatusSchema.optional(),
});
export type ProposedAction = z.infer<typeof proposedActionSchema>;

/**
 * `GET /support/chat/session/:id/messages`. Extension: `actions`, every action proposed in the session,
 * oldest first, each with its `status` and `replyToMessageId`, so a client without local state rebuilds
 * its confirmation cards (decided ones with their outcome).
 */
export const messageHistoryResponseSchema = z.object({ messages: z.array(messageSchema), actions: z.array(proposedActionSchema).optional() });
export type MessageHistoryResponse = z.infer<typeof messageHistoryResponseSchema>;

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
    /** Extension: the action of the confirm_action / cancel_action this error answers. */
    actionId: z.string().optional(),
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
    /** Extension: the open handoff's mode (live chat or ticket); null when nothing is handed over. */
    mode: escalationModeSchema.nullable().optional(),
    /** Extension: the customer's training-consent answer (null: not answered), so any tab or device knows it. */
    trainingConsent: z.boolean().nullable().optional(),
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
  /** Extension: the answer to a `consent` event (to every socket of the session): what is stored, and since when. */
  z.object({ type: z.literal('consent_recorded'), training: z.boolean(), at: z.string() }),
  /** Extension: the answer to a `rate_conversation` event (to every socket of the session). */
  z.object({ type: z.literal('conversation_rated'), score: z.number().int(), at: z.string() }),
]);
export type ServerEvent = z.infer<typeof serverEventSchema>;

// ---------------------------------------------------------------- agent side (v1.1)

/**
 * The agent side of the wire contract (docs/protocol.md, "Agent side (v1.1)")
 * as zod schemas: what the agent console, and any other agent client, sends
 * and receives.
 */

export const agentRoleSchema = z.enum(['agent', 'admin']);
export type AgentRole = z.infer<typeof agentRoleSchema>;

export const agentSchema = z.object({ id: z.string(), name: z.string(), email: z.string(), role: agentRoleSchema });
export type Agent = z.infer<typeof agentSchema>;

export const agentLoginRequestSchema = z.union([
  z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }).strict(),
  /** Extension: a JWT signed by the host application with claim `role: "agent"` (or "admin"). */
  z.object({ hostToken: z.string().min(1).max(8192) }).strict(),
]);
export type AgentLoginRequest = z.infer<typeof agentLoginRequestSchema>;

export const agentLoginResponseSchema = z.object({ token: z.string(), expiresAt: z.string(), agent: agentSchema });
export type AgentLoginResponse = z.infer<typeof agentLoginResponseSchema>;

export const ticketPrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
export type TicketPriority = z.infer<typeof ticketPrioritySchema>;

export const queueEntrySchema = z.object({
  sessionId: z.string(),
  ticketId: z.string(),
  status: z.enum(['waiting', 'assigned']),
  assignedTo: z.string().nullable(),
  priority: ticketPrioritySchema,
  waitingSince: z.string(),
  summary: z.string(),
  customer: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** Extension: the holder's name. */
  assignedToName: z.string().nullable().optional(),
  /** Extension: what handed the conversation over (customer_button, explicit_request, ai_tool, repeated_failure, ...). */
  trigger: z.string().optional(),
  /** Extension: live chat (an agent was online) or ticket (answered later). */
  mode: z.enum(['live_agent', 'ticket']).optional(),
  subject: z.string().optional(),
});
export type QueueEntry = z.infer<typeof queueEntrySchema>;

export const agentQueueResponseSchema = z.object({ conversations: z.array(queueEntrySchema) });

export const agentNoteSchema = z.object({
  id: z.string(),
  text: z.string(),
  createdAt: z.string(),
  agent: z.object({ id: z.string(), name: z.string() }),
});
export type AgentNote = z.infer<typeof agentNoteSchema>;

export const agentTicketSchema = z.object({
  id: z.string(),
  status: z.string(),
  priority: ticketPrioritySchema,
  source: z.string(),
  subject: z.string(),
  reason: z.string().nullable(),
  category: z.string().nullable(),
  mode: z.enum(['live_agent', 'ticket']),
  assignedTo: z.string().nullable(),
  createdAt: z.string(),
});

export const agentConversationSchema = z.object({
  sessionId: z.string(),
  status: z.string(),
  messages: z.array(messageSchema),
  ticket: agentTicketSchema.nullable(),
  summary: z.string(),
  notes: z.array(agentNoteSchema),
  customer: z.object({ id: z.string(), name: z.string(), email: z.string().nullable(), tier: z.string().nullable() }).nullable(),
  bookings: z.array(z.object({ reference: z.string(), kind: z.string(), status: z.string(), title: z.string(), startDate: z.string() })),
});
export type AgentConversation = z.infer<typeof agentConversationSchema>;

export const agentTextRequestSchema = z.object({ text: z.string() }).strict();

export const presenceStatusSchema = z.enum(['online', 'away']);
export type PresenceStatus = z.infer<typeof presenceStatusSchema>;

/** Agent socket, client to server. */
export const agentClientEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('presence'), status: presenceStatusSchema }),
  /** The agent is typing in a conversation it holds: the customer sees `typing` with role agent. */
  z.object({ type: z.literal('typing'), sessionId: z.string().min(1).max(200) }),
]);
export type AgentClientEvent = z.infer<typeof agentClientEventSchema>;

/** Agent socket, server to client. */
export const agentServerEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('queue_updated'),
    entry: queueEntrySchema.optional(),
    /** Extension: the conversation left the queue (resolved, handed back). */
    removedSessionId: z.string().optional(),
  }),
  z.object({ type: z.literal('message'), sessionId: z.string(), message: messageSchema }),
  /** Extension: this socket's presence, after connecting and after each change. */
  z.object({ type: z.literal('presence'), status: presenceStatusSchema }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type AgentServerEvent = z.infer<typeof agentServerEventSchema>;
