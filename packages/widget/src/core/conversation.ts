/**
 * The conversation as the customer sees it, and every transition of it: a
 * pure reducer over server events (docs/protocol.md) and local actions:
 *
 * - messages are kept by id: a message seen twice (history, a resume replay,
 *   a pub/sub gap replay) is shown once, where it was first shown;
 * - deltas append to a streaming reply, the final `message` replaces them;
 * - a final reply (or the handoff notice) to a customer message drops any
 *   other unfinished stream answering the same message (a reply taken over
 *   by another node after a crash, or cut by a handoff);
 * - the customer's own unacknowledged messages stay at the end, in the order
 *   they were written, until their `ack` (or their echo) gives them an id;
 * - handoff / agent_joined / resolved / handed_back move the conversation
 *   between the assistant and a person;
 * - confirmation cards (action_proposed, and the history's `actions`) go
 *   after the reply to the customer message the service names
 *   (`replyToMessageId`; a guess where it names none) and keep their outcome;
 * - the training-consent answer: what the service holds (the session
 *   response, then `consent_recorded`) and the customer's answer on its way;
 * - the end-of-chat rating: what the service confirmed (`conversation_rated`)
 *   and the customer's rating on its way.
 */
import type { Citation, Message, MessageRole, ProposedAction, ServerEvent } from '@support/protocol';
import type { ActionStatus } from './guards.js';

export type Delivery = 'sending' | 'waiting' | 'sent' | 'failed';
export type Rating = 'up' | 'down';

export interface ChatItem {
  /** Stable render key: `m:<id>` for server messages, `c:<clientMessageId>` for the customer's own. */
  key: string;
  /** The server's id; null while a customer message waits for its ack. */
  id: string | null;
  clientMessageId?: string;
  role: MessageRole;
  text: string;
  /** ISO time; '' while a reply streams. */
  createdAt: string;
  citations: Citation[];
  kind?: string;
  authorName?: string;
  replyToMessageId?: string;
  rating?: Rating;
  /** Deltas so far, no final `message` yet. */
  streaming: boolean;
  /** Customer messages only. */
  delivery?: Delivery;
  failure?: { code: string; message: string; retryable: boolean };
  feedbackPending?: Rating;
}

/** Where a confirmation card goes: after the reply to a customer message, or after a given message. */
export type Anchor = { replyTo: string } | { after: string } | null;

export type ActionPhase = 'pending' | 'confirming' | 'cancelling' | ActionStatus | 'already_decided' | 'unavailable';

export interface ActionCard {
  action: ProposedAction;
  anchor: Anchor;
  phase: ActionPhase;
}

export type EscalationMode = 'live_agent' | 'ticket';

export interface Escalation {
  ticketId: string | null;
  mode: EscalationMode | null;
  agentName: string | null;
}

export type ConversationStatus = 'ai' | 'escalating' | 'escalated' | 'closed';

/** The customer's end-of-chat rating (1 to 5) as the service confirmed it. */
export interface ConversationRating {
  score: number;
  at: string;
}

/** A rating the customer gave that the service has not confirmed yet (sent again on every reconnect until then). */
export interface PendingRating {
  score: number;
  comment?: string;
}

export interface ConversationState {
  items: ChatItem[];
  actions: ActionCard[];
  status: ConversationStatus;
  escalation: Escalation | null;
  typing: { role: 'assistant' | 'agent'; replyToMessageId?: string } | null;
  /** The last error the customer should see (dismissable). */
  notice: { code: string; message: string } | null;
  /** True once the history was loaded (messages after that are announced). */
  loaded: boolean;
  /** May this conversation be used to improve the assistant: the service's record; null: not answered. */
  trainingConsent: boolean | null;
  /** The customer's answer not yet confirmed by `consent_recorded` (sent again on every reconnect until then). */
  consentPending: boolean | null;
  /** The end-of-chat rating the service confirmed (`conversation_rated`); null: not rated. */
  conversationRating: ConversationRating | null;
  /** The customer's rating not yet confirmed by `conversation_rated`. */
  ratingPending: PendingRating | null;
  /** The comment of this browser's last rating (a change starts from it: rating again replaces the comment too). */
  ratingComment: string | null;
}

export type ConversationAction =
  | { type: 'reset' }
  /** `actions`: the session's cards with where they stand, when the service lists them. */
  | { type: 'history'; messages: Message[]; actions?: ProposedAction[] | null }
  /**
   * A session opened: its consent as the session response says (or, when the service did not say, as this
   * browser last knew it), and an answer of this browser still on its way.
   */
  | {
      type: 'session';
      trainingConsent: boolean | null;
      consentPending?: boolean | null;
      /** What this browser knew of the rating (the service does not repeat it): confirmed, and on its way. */
      conversationRating?: ConversationRating | null;
      ratingPending?: PendingRating | null;
      ratingComment?: string | null;
    }
  /** The customer answered the consent question (again, perhaps). */
  | { type: 'consent_answered'; training: boolean }
  /** The customer rated the conversation (again, perhaps). */
  | { type: 'rating_answered'; score: number; comment?: string }
  | { type: 'server'; event: ServerEvent }
  | { type: 'local_send'; clientMessageId: string; text: string; createdAt: string; delivery: Delivery }
  | { type: 'delivery'; clientMessageId: string; delivery: Delivery }
  /** Every customer message not yet acknowledged (not failed) moves to this delivery state. */
  | { type: 'outbox_delivery'; delivery: 'sending' | 'waiting' }
  | { type: 'escalate_requested' }
  | { type: 'feedback_requested'; messageId: string; rating: Rating }
  | { type: 'action_answered'; actionId: string; answer: 'confirm' | 'cancel' }
  /** Restored from storage after a reload: cards seen in this tab and the escalation mode. */
  | { type: 'restore'; actions?: ActionCard[]; escalationMode?: EscalationMode | null; ticketId?: string | null }
  | { type: 'typing_timeout' }
  /** The socket closed: nothing is in flight any more (the outbox waits, pending feedback and confirmations may be tried again). */
  | { type: 'connection_lost' }
  | { type: 'notice'; code: string; message?: string }
  | { type: 'dismiss_notice' };

export const initialConversation: ConversationState = {
  items: [],
  actions: [],
  status: 'ai',
  escalation: null,
  typing: null,
  notice: null,
  loaded: false,
  trainingConsent: null,
  consentPending: null,
  conversationRating: null,
  ratingPending: null,
  ratingComment: null,
};

/**
 * Errors the customer does not need to read as such: a resume already running, and those the socket's
 * close code follows (the connection banner and the expired-session panel say what happens).
 */
const SILENT_ERRORS = new Set(['resume_in_progress', 'token_expired', 'unauthorized', 'unavailable']);

export function conversationReducer(state: ConversationState, action: ConversationAction): ConversationState {
  switch (action.type) {
    case 'reset':
      return initialConversation;
    case 'history': {
      let next = state;
      for (const message of action.messages) next = applyMessage(next, message);
      for (const proposed of action.actions ?? []) next = applyAction(next, proposed);
      return { ...next, loaded: true };
    }
    case 'server':
      return applyServerEvent(state, action.event);
    case 'session': {
      const consentPending = action.consentPending ?? state.consentPending;
      const conversationRating = action.conversationRating === undefined ? state.conversationRating : action.conversationRating;
      const ratingPending = action.ratingPending === undefined ? state.ratingPending : action.ratingPending;
      const ratingComment = action.ratingComment === undefined ? state.ratingComment : action.ratingComment;
      if (
        state.trainingConsent === action.trainingConsent &&
        state.consentPending === consentPending &&
        state.conversationRating === conversationRating &&
        state.ratingPending === ratingPending &&
        state.ratingComment === ratingComment
      ) {
        return state;
      }
      return { ...state, trainingConsent: action.trainingConsent, consentPending, conversationRating, ratingPending, ratingComment };
    }
    case 'consent_answered':
      return state.consentPending === action.training ? state : { ...state, consentPending: action.training };
    case 'rating_answered':
      return { ...state, ratingPending: { score: action.score, ...(action.comment ? { comment: action.comment } : {}) }, ratingComment: action.comment || null };
    case 'local_send': {
      if (state.items.some((item) => item.clientMessageId === action.clientMessageId)) return state;
      const item: ChatItem = {
        key: `c:${action.clientMessageId}`,
        id: null,
        clientMessageId: action.clientMessageId,
        role: 'user',
        text: action.text,
        createdAt: action.createdAt,
        citations: [],
        streaming: false,
        delivery: action.delivery,
      };
      return { ...state, items: [...state.items, item], notice: null };
    }
    case 'delivery':
      return mapItems(state, (item) =>
        item.clientMessageId === action.clientMessageId && item.id === null ? { ...item, delivery: action.delivery, ...(action.delivery === 'failed' ? {} : { failure: undefined }) } : item,
      );
    case 'outbox_delivery':
      return mapItems(state, (item) => (item.id === null && item.role === 'user' && item.delivery !== 'failed' && item.delivery !== action.delivery ? { ...item, delivery: action.delivery } : item));
    case 'escalate_requested':
      return state.status === 'ai' ? { ...state, status: 'escalating', notice: null } : state;
    case 'feedback_requested':
      return mapItems(state, (item) => (item.id === action.messageId ? { ...item, feedbackPending: action.rating } : item));
    case 'action_answered':
      return mapActions(state, (card) =>
        card.action.id === action.actionId && card.phase === 'pending' ? { ...card, phase: action.answer === 'confirm' ? 'confirming' : 'cancelling' } : card,
      );
    case 'restore': {
      let next = state;
      for (const card of action.actions ?? []) {
        if (!next.actions.some((existing) => existing.action.id === card.action.id)) next = { ...next, actions: [...next.actions, card] };
      }
      if (action.escalationMode && next.status === 'escalated') {
        const ticketId = next.escalation?.ticketId ?? action.ticketId ?? null;
        if (!action.ticketId || !ticketId || action.ticketId === ticketId) {
          next = { ...next, escalation: { ticketId, agentName: next.escalation?.agentName ?? null, mode: next.escalation?.mode ?? action.escalationMode } };
        }
      }
      return next;
    }
    case 'typing_timeout':
      return state.typing ? { ...state, typing: null } : state;
    case 'connection_lost': {
      let next = conversationReducer(state, { type: 'outbox_delivery', delivery: 'waiting' });
      next = mapItems(next, (item) => (item.feedbackPending ? { ...item, feedbackPending: undefined } : item));
      next = mapActions(next, (card) => (answering(card) ? { ...card, phase: 'pending' } : card));
      return next.typing ? { ...next, typing: null } : next;
    }
    case 'notice':
      return { ...state, notice: { code: action.code, message: action.message ?? '' } };
    case 'dismiss_notice':
      return state.notice ? { ...state, notice: null } : state;
  }
}

function mapItems(state: ConversationState, fn: (item: ChatItem) => ChatItem): ConversationState {
  let changed = false;
  const items = state.items.map((item) => {
    const next = fn(item);
    if (next !== item) changed = true;
    return next;
  });
  return changed ? { ...state, items } : state;
}

/** The customer answered and the service has not said how it went yet. */
const answering = (card: ActionCard) => card.phase === 'confirming' || card.phase === 'cancelling';

function mapActions(state: ConversationState, fn: (card: ActionCard) => ActionCard): ConversationState {
  let changed = false;
  const actions = state.actions.map((card) => {
    const next = fn(card);
    if (next !== card) changed = true;
    return next;
  });
  return changed ? { ...state, actions } : state;
}

/** Server messages go before the customer's unacknowledged ones, which stay last. */
function insertServerItem(items: ChatItem[], item: ChatItem): ChatItem[] {
  const firstLocal = items.findIndex((existing) => existing.id === null);
  if (firstLocal === -1) return [...items, item];
  return [...items.slice(0, firstLocal), item, ...items.slice(firstLocal)];
}

function hasFinalReplyTo(items: ChatItem[], messageId: string, exceptId?: string): boolean {
  return items.some((item) => item.role !== 'user' && !item.streaming && item.replyToMessageId === messageId && item.id !== exceptId);
}

function fromMessage(message: Message, previous?: ChatItem): ChatItem {
  return {
    key: previous?.key ?? `m:${message.id}`,
    id: message.id,
    ...(message.clientMessageId ? { clientMessageId: message.clientMessageId } : {}),
    role: message.role,
    text: message.text,
    createdAt: message.createdAt,
    citations: message.citations,
    ...(message.kind ? { kind: message.kind } : {}),
    ...(message.authorName ? { authorName: message.authorName } : {}),
    ...(message.replyToMessageId ? { replyToMessageId: message.replyToMessageId } : {}),
    ...(message.rating ? { rating: message.rating } : previous?.rating ? { rating: previous.rating } : {}),
    ...(previous?.feedbackPending && !message.rating ? { feedbackPending: previous.feedbackPending } : {}),
    streaming: false,
    ...(message.role === 'user' ? { delivery: 'sent' as const } : {}),
  };
}

export function applyMessage(state: ConversationState, message: Message): ConversationState {
  let items = state.items;
  let index = items.findIndex((item) => item.id === message.id);
  let isNew = index === -1;
  // Our own message coming back (history or a replay) before its ack: it is the same message.
  if (isNew && message.role === 'user' && message.clientMessageId) {
    const local = items.findIndex((item) => item.id === null && item.clientMessageId === message.clientMessageId);
    if (local !== -1) {
      index = local;
      isNew = false;
    }
  }
  if (isNew) {
    items = insertServerItem(items, fromMessage(message));
  } else {
    const previous = items[index] as ChatItem;
    items = items.map((item, i) => (i === index ? fromMessage(message, previous) : item));
  }
  // The final reply to a customer message ends every other unfinished stream answering it.
  if (message.role !== 'user' && message.replyToMessageId) {
    const replyTo = message.replyToMessageId;
    items = items.filter((item) => !(item.streaming && item.replyToMessageId === replyTo && item.id !== message.id));
  }
  let next: ConversationState = { ...state, items };

  const typing = state.typing;
  if (
    typing &&
    ((message.role === 'assistant' && typing.role === 'assistant') ||
      (message.role === 'agent' && typing.role === 'agent') ||
      message.kind === 'handoff' ||
      (typing.replyToMessageId !== undefined && typing.replyToMessageId === message.replyToMessageId))
  ) {
    next.typing = null;
  }

  // A message seen before changes nothing about who answers: only new ones move the conversation on.
  if (isNew && message.role === 'system') next = applySystemKind(next, message);
  if (isNew && message.role === 'agent' && message.authorName && next.escalation && !next.escalation.agentName) {
    next = { ...next, escalation: { ...next.escalation, agentName: message.authorName } };
  }
  return next;
}

function applySystemKind(state: ConversationState, message: Message): ConversationState {
  switch (message.kind) {
    case 'handoff':
      if (state.status === 'closed') return state;
      return { ...state, status: 'escalated', escalation: state.escalation ?? { ticketId: null, mode: null, agentName: null } };
    case 'agent_joined':
      return {
        ...state,
        status: state.status === 'closed' ? 'closed' : 'escalated',
        escalation: { ticketId: state.escalation?.ticketId ?? null, mode: state.escalation?.mode ?? null, agentName: message.authorName ?? state.escalation?.agentName ?? null },
      };
    case 'resolved':
    case 'handed_back':
      // The assistant answers again; the customer may ask for a person again.
      return { ...state, status: state.status === 'closed' ? 'closed' : 'ai', escalation: null, typing: state.typing?.role === 'agent' ? null : state.typing };
    default:
      return state;
  }
}

function applyDelta(state: ConversationState, event: { messageId: string; delta: string; replyToMessageId?: string }): ConversationState {
  const index = state.items.findIndex((item) => item.id === event.messageId);
  if (index !== -1) {
    const existing = state.items[index] as ChatItem;
    if (!existing.streaming) return state; // the final form is here already
    return { ...state, typing: null, items: state.items.map((item, i) => (i === index ? { ...item, text: item.text + event.delta } : item)) };
  }
  // A stale stream for a message that already has its final reply (written again after a take-over).
  if (event.replyToMessageId && hasFinalReplyTo(state.items, event.replyToMessageId)) return state;
  const item: ChatItem = {
    key: `m:${event.messageId}`,
    id: event.messageId,
    role: 'assistant',
    text: event.delta,
    createdAt: '',
    citations: [],
    streaming: true,
    ...(event.replyToMessageId ? { replyToMessageId: event.replyToMessageId } : {}),
  };
  return { ...state, typing: null, items: insertServerItem(state.items, item) };
}

const ACTION_ERROR_PHASES: Record<string, ActionPhase> = {
  action_expired: 'expired',
  action_already_decided: 'already_decided',
  action_not_found: 'unavailable',
};

function applyError(state: ConversationState, event: Extract<ServerEvent, { type: 'error' }>): ConversationState {
  let next = state;
  const failure = { code: event.code, message: event.message, retryable: event.retryable === true };
  const phase = ACTION_ERROR_PHASES[event.code];
  const { clientMessageId, actionId } = event;
  if (clientMessageId) {
    next = mapItems(next, (item) => (item.id === null && item.clientMessageId === clientMessageId ? { ...item, delivery: 'failed', failure } : item));
  } else if (actionId) {
    // The answer to one card (the service names it): that card alone, unless it has its outcome already.
    next = mapActions(next, (card) => (card.action.id === actionId && (answering(card) || card.phase === 'pending') ? { ...card, phase: phase ?? 'pending' } : card));
  } else {
    // A feedback, escalation or confirmation that failed: the customer may try again.
    next = mapItems(next, (item) => (item.feedbackPending ? { ...item, feedbackPending: undefined } : item));
    next = mapActions(next, (card) => (answering(card) ? { ...card, phase: phase ?? 'pending' } : card));
    if (next.status === 'escalating') next = { ...next, status: 'ai' };
  }
  if (event.code === 'session_closed') next = { ...next, status: 'closed', typing: null };
  if (event.code === 'ai_unavailable') next = { ...next, typing: null };
  if (!SILENT_ERRORS.has(event.code) && !phase) next = { ...next, notice: { code: event.code, message: event.message } };
  return next;
}

/**
 * Where a newly proposed action belongs: after the reply to the customer message the service names; without
 * that (an older service), after the reply being written, else after the message that names its booking.
 */
export function anchorFor(state: ConversationState, action: ProposedAction): Anchor {
  if (action.replyToMessageId) return { replyTo: action.replyToMessageId };
  const items = state.items;
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i] as ChatItem;
    if (item.role === 'user' && item.id !== null) {
      if (!hasFinalReplyTo(items, item.id)) return { replyTo: item.id };
      break;
    }
  }
  let lastId: string | null = null;
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i] as ChatItem;
    if (item.id === null || item.streaming) continue;
    lastId ??= item.id;
    if (item.role === 'assistant' && item.text.includes(action.bookingReference)) return { after: item.id };
  }
  return lastId ? { after: lastId } : null;
}

/**
 * A card as the service describes it (live, again on a reconnect, or in the history): its outcome when it
 * has one, else it waits for an answer (unless this tab's answer is on its way); where the service says
 * it goes wins over a guess (one restored from storage, say).
 */
function applyAction(state: ConversationState, action: ProposedAction): ConversationState {
  const existing = state.actions.find((card) => card.action.id === action.id);
  const outcome = action.status === 'pending' ? undefined : action.status;
  if (!existing) return { ...state, actions: [...state.actions, { action, anchor: anchorFor(state, action), phase: outcome ?? 'pending' }] };
  return mapActions(state, (card) =>
    card === existing
      ? { action, anchor: action.replyToMessageId ? { replyTo: action.replyToMessageId } : card.anchor, phase: outcome ?? (answering(card) ? card.phase : 'pending') }
      : card,
  );
}

export function applyServerEvent(state: ConversationState, event: ServerEvent): ConversationState {
  switch (event.type) {
    case 'ack': {
      const local = state.items.find((item) => item.id === null && item.clientMessageId === event.clientMessageId);
      if (!local) return state;
      // Its echo (a replay) came first: that one stays, the local copy goes.
      if (state.items.some((item) => item.id === event.messageId)) return { ...state, items: state.items.filter((item) => item !== local) };
      // Acknowledged messages take their place among the server's, before the ones still unacknowledged.
      const rest = state.items.filter((item) => item !== local);
      return { ...state, items: insertServerItem(rest, { ...local, id: event.messageId, delivery: 'sent', failure: undefined }) };
    }
    case 'message_delta':
      return applyDelta(state, event);
    case 'message':
      return applyMessage(state, event.message);
    case 'typing': {
      if (event.role !== 'assistant' && event.role !== 'agent') return state;
      if (event.replyToMessageId && hasFinalReplyTo(state.items, event.replyToMessageId)) return state;
      if (event.role === 'assistant' && state.status === 'escalated') return state;
      return { ...state, typing: { role: event.role, ...(event.replyToMessageId ? { replyToMessageId: event.replyToMessageId } : {}) } };
    }
    case 'escalated': {
      const previous = state.escalation;
      const sameTicket = previous && (previous.ticketId === null || previous.ticketId === event.ticketId);
      return {
        ...state,
        status: state.status === 'closed' ? 'closed' : 'escalated',
        typing: state.typing?.role === 'assistant' ? null : state.typing,
        escalation: { ticketId: event.ticketId, mode: event.mode, agentName: sameTicket ? previous.agentName : null },
      };
    }
    case 'agent_joined':
      return {
        ...state,
        status: state.status === 'closed' ? 'closed' : 'escalated',
        escalation: { ticketId: state.escalation?.ticketId ?? null, mode: state.escalation?.mode ?? null, agentName: event.agentName },
      };
    case 'session_state': {
      if (event.status === 'closed') return { ...state, status: 'closed', typing: null };
      if (event.status === 'escalated') {
        const previous = state.escalation;
        const sameTicket = previous && (previous.ticketId === null || previous.ticketId === event.ticketId);
        return {
          ...state,
          status: 'escalated',
          // The service names the mode (an older one does not: then what this tab knew of the same ticket).
          escalation: { ticketId: event.ticketId, mode: event.mode ?? (sameTicket ? previous.mode : null), agentName: sameTicket ? previous.agentName : null },
        };
      }
      if (event.status === 'ai') return state.status === 'ai' ? state : { ...state, status: 'ai', escalation: null };
      return state;
    }
    case 'feedback_recorded':
      return mapItems(state, (item) => (item.id === event.messageId ? { ...item, rating: event.rating, feedbackPending: undefined } : item));
    case 'action_proposed':
      return applyAction(state, event.action);
    case 'action_updated':
      return mapActions(state, (card) => (card.action.id === event.actionId ? { ...card, phase: event.status } : card));
    case 'error':
      return applyError(state, event);
    case 'conversation_rated': {
      // Ours (then it is no longer on its way), or another tab's; a different rating of ours still on its way comes after it.
      const ratingPending = state.ratingPending?.score === event.score ? null : state.ratingPending;
      return { ...state, conversationRating: { score: event.score, at: event.at }, ratingPending };
    }
    case 'consent_recorded': {
      // Ours (then it is no longer on its way), or another tab's; an answer of ours still on its way comes after it.
      const consentPending = state.consentPending === event.training ? null : state.consentPending;
      if (state.trainingConsent === event.training && state.consentPending === consentPending) return state;
      return { ...state, trainingConsent: event.training, consentPending };
    }
  }
}

// ------------------------------------------------------------------ selectors

export type TimelineEntry = { type: 'message'; item: ChatItem } | { type: 'action'; card: ActionCard };

/** Messages in order, each confirmation card right after the message it belongs to. */
export function timeline(state: Pick<ConversationState, 'items' | 'actions'>): TimelineEntry[] {
  const { items, actions } = state;
  let lastServer = -1;
  items.forEach((item, i) => {
    if (item.id !== null) lastServer = i;
  });
  const after = new Map<number, ActionCard[]>();
  for (const card of actions) {
    let index = -1;
    const anchor = card.anchor;
    if (anchor && 'replyTo' in anchor) {
      for (let i = items.length - 1; i >= 0 && index === -1; i -= 1) {
        const item = items[i] as ChatItem;
        if (item.role !== 'user' && item.replyToMessageId === anchor.replyTo) index = i;
      }
      if (index === -1) index = items.findIndex((item) => item.id === anchor.replyTo);
    } else if (anchor) {
      index = items.findIndex((item) => item.id === anchor.after);
    }
    if (index === -1) index = lastServer;
    const list = after.get(index) ?? [];
    list.push(card);
    after.set(index, list);
  }
  const entries: TimelineEntry[] = [];
  for (const card of after.get(-1) ?? []) entries.push({ type: 'action', card });
  items.forEach((item, i) => {
    entries.push({ type: 'message', item });
    for (const card of after.get(i) ?? []) entries.push({ type: 'action', card });
  });
  return entries;
}

/** The newest message the client holds in its final form: where a `resume` starts. */
export function lastSeenMessageId(state: ConversationState): string | null {
  for (let i = state.items.length - 1; i >= 0; i -= 1) {
    const item = state.items[i] as ChatItem;
    if (item.id !== null && !item.streaming) return item.id;
  }
  return null;
}

/** Customer messages that still have to reach the server (resent after a reconnect, kept over a reload). */
export function outbox(state: ConversationState): Array<{ clientMessageId: string; text: string; createdAt: string }> {
  return state.items
    .filter((item) => item.id === null && item.role === 'user' && item.clientMessageId && item.delivery !== 'failed')
    .map((item) => ({ clientMessageId: item.clientMessageId as string, text: item.text, createdAt: item.createdAt }));
}

/** The customer's consent answer as the view shows it: the one on its way, else the service's; null: not answered. */
export function consentAnswer(state: Pick<ConversationState, 'trainingConsent' | 'consentPending'>): boolean | null {
  return state.consentPending ?? state.trainingConsent;
}

/** The consent question is asked once the assistant has answered (a final reply), until it is answered. */
export function asksConsent(state: ConversationState): boolean {
  return consentAnswer(state) === null && state.loaded && state.status !== 'closed' && state.items.some((item) => item.role === 'assistant' && item.id !== null && !item.streaming);
}

/** The rating as the view shows it: the one on its way, else the service's; null: not rated. */
export function ratingScore(state: Pick<ConversationState, 'conversationRating' | 'ratingPending'>): number | null {
  return state.ratingPending?.score ?? state.conversationRating?.score ?? null;
}

/** The conversation may be rated once the assistant or an agent has answered (a final reply). */
export function canRate(state: ConversationState): boolean {
  return state.loaded && state.items.some((item) => (item.role === 'assistant' || item.role === 'agent') && item.id !== null && !item.streaming);
}

/** The handoff notice of the current escalation (for the ticket view): the last one in the transcript. */
export function handoffNotice(state: ConversationState): ChatItem | null {
  for (let i = state.items.length - 1; i >= 0; i -= 1) {
    const item = state.items[i] as ChatItem;
    if (item.role === 'system' && item.kind === 'handoff') return item;
    if (item.role === 'system' && (item.kind === 'resolved' || item.kind === 'handed_back')) return null;
  }
  return null;
}

/** The first agent message after the current handoff notice (the reply to a ticket). */
export function agentReplyAfterHandoff(state: ConversationState): ChatItem | null {
  const notice = handoffNotice(state);
  if (!notice) return null;
  const start = state.items.indexOf(notice);
  return state.items.slice(start + 1).find((item) => item.role === 'agent') ?? null;
}
