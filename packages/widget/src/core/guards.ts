/**
 * Hand-written guards for what the service sends, typed with the protocol's
 * own types (docs/protocol.md, packages/protocol). They replace the zod
 * schemas in the browser bundle (zod would add ~15-20 KB gzipped): each
 * inbound frame is checked field by field and anything malformed is dropped.
 * Unknown extra fields are kept out (objects are rebuilt), unknown event
 * types are ignored, as the contract's "may add events" rule asks.
 */
import type { Citation, CreateSessionResponse, Message, MessageRole, ProposedAction, RefreshSessionResponse, ServerEvent } from '@support/protocol';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const ROLES: readonly MessageRole[] = ['user', 'assistant', 'agent', 'system'];
const isRole = (value: unknown): value is MessageRole => ROLES.includes(value as MessageRole);
const isRating = (value: unknown): value is 'up' | 'down' => value === 'up' || value === 'down';
const ACTION_STATUSES = ['done', 'cancelled', 'expired', 'failed'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
const isActionStatus = (value: unknown): value is ActionStatus => ACTION_STATUSES.includes(value as ActionStatus);
const isMode = (value: unknown): value is 'live_agent' | 'ticket' => value === 'live_agent' || value === 'ticket';
/** An end-of-chat rating: a whole number of stars, 1 to 5. */
export const isScore = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 5;

export function parseCitation(value: unknown): Citation | null {
  if (!isObject(value) || !isString(value.articleId) || !isString(value.title) || !isString(value.url)) return null;
  const citation: Citation = { articleId: value.articleId, title: value.title, url: value.url };
  if (typeof value.ref === 'number' && Number.isInteger(value.ref) && value.ref > 0) citation.ref = value.ref;
  return citation;
}

export function parseMessage(value: unknown): Message | null {
  if (!isObject(value) || !isString(value.id) || value.id === '' || !isRole(value.role) || !isString(value.text) || !isString(value.createdAt)) return null;
  const citations = Array.isArray(value.citations) ? value.citations.map(parseCitation).filter((c): c is Citation => c !== null) : [];
  const message: Message = { id: value.id, role: value.role, text: value.text, createdAt: value.createdAt, citations };
  if (isString(value.clientMessageId)) message.clientMessageId = value.clientMessageId;
  if (isRating(value.rating)) message.rating = value.rating;
  if (isString(value.replyToMessageId)) message.replyToMessageId = value.replyToMessageId;
  if (isString(value.authorName)) message.authorName = value.authorName;
  if (isString(value.kind)) message.kind = value.kind;
  return message;
}

function parseMoney(value: unknown): { amount: string; currency: string } | null {
  return isObject(value) && isString(value.amount) && isString(value.currency) ? { amount: value.amount, currency: value.currency } : null;
}

export function parseAction(value: unknown): ProposedAction | null {
  if (!isObject(value) || !isString(value.id) || !isString(value.bookingReference) || !isString(value.title) || !isString(value.expiresAt)) return null;
  if (value.kind !== 'booking_cancellation' && value.kind !== 'booking_change') return null;
  const fee = parseMoney(value.fee);
  if (!fee) return null;
  const refund = value.refund === null || value.refund === undefined ? null : parseMoney(value.refund);
  const action: ProposedAction = {
    id: value.id,
    kind: value.kind,
    bookingReference: value.bookingReference,
    title: value.title,
    details: Array.isArray(value.details) ? value.details.filter(isString) : [],
    fee,
    refund,
    newStartDate: isString(value.newStartDate) ? value.newStartDate : null,
    expiresAt: value.expiresAt,
  };
  if (isString(value.replyToMessageId)) action.replyToMessageId = value.replyToMessageId;
  if (value.status === 'pending' || isActionStatus(value.status)) action.status = value.status;
  return action;
}

/** One websocket frame from the service, or null when it is not a (known, well-formed) event. */
export function parseServerEvent(raw: unknown): ServerEvent | null {
  let data: unknown = raw;
  if (isString(raw)) {
    try {
      data = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (!isObject(data)) return null;
  switch (data.type) {
    case 'ack':
      return isString(data.clientMessageId) && isString(data.messageId) ? { type: 'ack', clientMessageId: data.clientMessageId, messageId: data.messageId } : null;
    case 'message_delta': {
      if (!isString(data.messageId) || !isString(data.delta)) return null;
      return { type: 'message_delta', messageId: data.messageId, delta: data.delta, ...(isString(data.replyToMessageId) ? { replyToMessageId: data.replyToMessageId } : {}) };
    }
    case 'message': {
      const message = parseMessage(data.message);
      return message ? { type: 'message', message } : null;
    }
    case 'escalated':
      return isString(data.ticketId) && isMode(data.mode) ? { type: 'escalated', ticketId: data.ticketId, mode: data.mode } : null;
    case 'agent_joined':
      return isString(data.agentName) ? { type: 'agent_joined', agentName: data.agentName } : null;
    case 'error':
      if (!isString(data.code)) return null;
      return {
        type: 'error',
        code: data.code,
        message: isString(data.message) ? data.message : '',
        ...(isString(data.clientMessageId) ? { clientMessageId: data.clientMessageId } : {}),
        ...(isString(data.actionId) ? { actionId: data.actionId } : {}),
        ...(data.retryable === true ? { retryable: true } : {}),
      };
    case 'feedback_recorded':
      return isString(data.messageId) && isRating(data.rating) ? { type: 'feedback_recorded', messageId: data.messageId, rating: data.rating } : null;
    case 'session_state':
      if (!isString(data.sessionId) || !isString(data.status)) return null;
      return { type: 'session_state', sessionId: data.sessionId, status: data.status, ticketId: isString(data.ticketId) ? data.ticketId : null, ...(isMode(data.mode) ? { mode: data.mode } : {}) };
    case 'typing':
      if (!isRole(data.role)) return null;
      return { type: 'typing', role: data.role, ...(isString(data.replyToMessageId) ? { replyToMessageId: data.replyToMessageId } : {}) };
    case 'action_proposed': {
      const action = parseAction(data.action);
      return action ? { type: 'action_proposed', action } : null;
    }
    case 'action_updated':
      return isString(data.actionId) && isActionStatus(data.status) ? { type: 'action_updated', actionId: data.actionId, status: data.status } : null;
    case 'consent_recorded':
      return typeof data.training === 'boolean' && isString(data.at) ? { type: 'consent_recorded', training: data.training, at: data.at } : null;
    case 'conversation_rated':
      return isScore(data.score) && isString(data.at) ? { type: 'conversation_rated', score: data.score, at: data.at } : null;
    default:
      return null;
  }
}

export function parseSessionResponse(value: unknown): CreateSessionResponse | null {
  if (!isObject(value) || !isString(value.sessionId) || !isString(value.token) || !isString(value.expiresAt)) return null;
  const response: CreateSessionResponse = {
    sessionId: value.sessionId,
    token: value.token,
    expiresAt: value.expiresAt,
    wsUrl: isString(value.wsUrl) ? value.wsUrl : '/support/chat/ws',
  };
  if (isString(value.status)) response.status = value.status;
  if (typeof value.trainingConsent === 'boolean' || value.trainingConsent === null) response.trainingConsent = value.trainingConsent;
  if (isObject(value.customer) && isString(value.customer.id)) {
    response.customer = { id: value.customer.id, name: isString(value.customer.name) ? value.customer.name : null };
  }
  return response;
}

export function parseRefreshResponse(value: unknown): RefreshSessionResponse | null {
  return isObject(value) && isString(value.token) && isString(value.expiresAt) ? { token: value.token, expiresAt: value.expiresAt } : null;
}

/** The history: its messages and (when the service lists them) the session's actions with where they stand. */
export function parseHistory(value: unknown): { messages: Message[]; actions: ProposedAction[] | null } | null {
  if (!isObject(value) || !Array.isArray(value.messages)) return null;
  return {
    messages: value.messages.map(parseMessage).filter((m): m is Message => m !== null),
    actions: Array.isArray(value.actions) ? value.actions.map(parseAction).filter((a): a is ProposedAction => a !== null) : null,
  };
}

/** `GET /support/chat/conversations` (being built server-side): one earlier conversation of a signed-in customer. */
export interface ConversationSummary {
  sessionId: string;
  startedAt: string;
  lastMessageAt: string | null;
  status: string;
  preview: string;
}

export function parseConversations(value: unknown): ConversationSummary[] | null {
  if (!isObject(value) || !Array.isArray(value.conversations)) return null;
  const list: ConversationSummary[] = [];
  for (const item of value.conversations) {
    if (!isObject(item) || !isString(item.sessionId) || item.sessionId === '') continue;
    list.push({
      sessionId: item.sessionId,
      startedAt: isString(item.startedAt) ? item.startedAt : '',
      lastMessageAt: isString(item.lastMessageAt) ? item.lastMessageAt : null,
      status: isString(item.status) ? item.status : '',
      preview: isString(item.preview) ? item.preview : '',
    });
  }
  return list;
}

/** `{ "error": { code, message, retryable? } }` of a REST answer. */
export function parseErrorBody(value: unknown): { code: string; message: string; retryable: boolean } | null {
  if (!isObject(value) || !isObject(value.error) || !isString(value.error.code)) return null;
  return { code: value.error.code, message: isString(value.error.message) ? value.error.message : '', retryable: value.error.retryable === true };
}
