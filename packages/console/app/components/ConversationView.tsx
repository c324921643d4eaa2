import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, type Agent, type AgentConversation, type AgentNote, type ApiClient, type CannedResponse, type Message, type QueueEntry } from '../api.js';
import { customerName } from '../format.js';
import type { AgentSocket } from '../socket.js';
import { ModeBadge, PriorityBadge } from './Badges.js';
import { CustomerPanel } from './CustomerPanel.js';
import { HandoffPanel } from './HandoffPanel.js';
import { NotesPanel } from './NotesPanel.js';
import { ReplyBox } from './ReplyBox.js';
import { Transcript } from './Transcript.js';

const OPEN_TICKET_STATUSES = new Set(['open', 'pending']);
const RELOAD_DEBOUNCE_MS = 300;
/** Customer messages reach the socket only for the holder: anyone else looking sees them this often. */
const UNHELD_POLL_MS = 15_000;
const CUSTOMER_TYPING_MS = 5_000;

type Action = 'claim' | 'resolve' | 'hand-back';

function describeState(conversation: AgentConversation, me: Agent, entry: QueueEntry | null): string {
  const ticket = conversation.ticket;
  if (!ticket) return 'Not handed over';
  if (!OPEN_TICKET_STATUSES.has(ticket.status)) return ticket.status === 'solved' ? 'Resolved' : 'Back with the AI';
  if (!ticket.assignedTo) return 'Waiting for an agent';
  if (ticket.assignedTo === me.id) return 'With you';
  return `With ${entry?.assignedToName ?? 'another agent'}`;
}

function withMessage(messages: Message[], message: Message): Message[] {
  return messages.some((known) => known.id === message.id) ? messages : [...messages, message];
}

/** One handed-over conversation: transcript, reply, handoff details, customer, internal notes, and the actions. */
export function ConversationView(props: {
  sessionId: string;
  api: ApiClient;
  socket: AgentSocket;
  me: Agent;
  entry: QueueEntry | null;
  canned: CannedResponse[];
  onQueueChanged: () => void;
}) {
  const { sessionId, api, socket, me, entry, canned, onQueueChanged } = props;
  const [conversation, setConversation] = useState<AgentConversation | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [actionNotice, setActionNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<Action | null>(null);
  const [customerTyping, setCustomerTyping] = useState(false);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latestLoad = useRef(0);

  const load = useCallback(async () => {
    const request = ++latestLoad.current;
    try {
      const next = await api.conversation(sessionId);
      if (request !== latestLoad.current) return;
      setConversation(next);
      setLoadError(null);
    } catch (failure) {
      if (request !== latestLoad.current || (failure instanceof ApiError && failure.status === 401)) return;
      setLoadError(failure instanceof ApiError ? failure.message : 'The conversation could not be loaded.');
    }
  }, [api, sessionId]);

  const scheduleReload = useCallback(() => {
    clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => void load(), RELOAD_DEBOUNCE_MS);
  }, [load]);

  useEffect(() => {
    void load();
    let typingTimer: ReturnType<typeof setTimeout> | undefined;
    const offEvent = socket.subscribe((event) => {
      if (event.type === 'message' && event.sessionId === sessionId) {
        const message = event.message;
        setConversation((current) => (current ? { ...current, messages: withMessage(current.messages, message) } : current));
        if (message.role === 'user') setCustomerTyping(false);
      } else if (event.type === 'queue_updated') {
        if (!event.entry && !event.removedSessionId) scheduleReload();
        else if (event.entry?.sessionId === sessionId || event.removedSessionId === sessionId) scheduleReload();
      } else if (event.type === 'typing' && event.sessionId === sessionId && event.role === 'user') {
        setCustomerTyping(true);
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => setCustomerTyping(false), CUSTOMER_TYPING_MS);
      }
    });
    const offState = socket.onState((state) => {
      if (state === 'online') scheduleReload();
    });
    return () => {
      offEvent();
      offState();
      clearTimeout(typingTimer);
      clearTimeout(reloadTimer.current);
    };
  }, [socket, sessionId, load, scheduleReload]);

  const ticket = conversation?.ticket ?? null;
  const active = ticket !== null && OPEN_TICKET_STATUSES.has(ticket.status);
  const heldByMe = active && ticket.assignedTo === me.id;
  const claimable = active && ticket.assignedTo === null;

  useEffect(() => {
    if (!conversation || !active || heldByMe) return;
    const poll = setInterval(() => void load(), UNHELD_POLL_MS);
    return () => clearInterval(poll);
  }, [conversation, active, heldByMe, load]);

  async function act(action: Action) {
    if (busy) return;
    setBusy(action);
    setActionError(null);
    setActionNotice(null);
    try {
      if (action === 'claim') await api.claim(sessionId);
      else if (action === 'resolve') await api.resolve(sessionId);
      else await api.handBack(sessionId);
      setActionNotice(
        action === 'claim'
          ? 'You hold this conversation: the customer was told that you joined.'
          : action === 'resolve'
            ? 'Resolved. The AI assistant answers this customer again.'
            : 'Handed back: the AI assistant answers the next message.',
      );
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'already_claimed') setActionError('Another agent already claimed this conversation.');
      else setActionError(failure instanceof ApiError ? failure.message : 'That did not work. Please try again.');
    } finally {
      setBusy(null);
      onQueueChanged();
      await load();
    }
  }

  async function send(text: string): Promise<boolean> {
    setActionError(null);
    try {
      const message = await api.sendMessage(sessionId, text);
      setConversation((current) => (current ? { ...current, messages: withMessage(current.messages, message) } : current));
      return true;
    } catch (failure) {
      setActionError(failure instanceof ApiError ? `Not sent: ${failure.message}` : 'Not sent. Please try again.');
      return false;
    }
  }

  async function addNote(text: string): Promise<string | null> {
    try {
      const note: AgentNote = await api.addNote(sessionId, text);
      setConversation((current) => (current && !current.notes.some((known) => known.id === note.id) ? { ...current, notes: [...current.notes, note] } : current));
      return null;
    } catch (failure) {
      return failure instanceof ApiError ? failure.message : 'The note was not saved. Please try again.';
    }
  }

  if (!conversation) {
    return (
      <section className="conversation conversation--loading" aria-labelledby="conversation-heading" data-testid="conversation" data-state="loading">
        <h2 id="conversation-heading">{loadError ? 'Conversation unavailable' : 'Loading conversation…'}</h2>
        {loadError ? (
          <p className="error" role="alert">
            {loadError}
          </p>
        ) : null}
      </section>
    );
  }

  const name = customerName(conversation.customer);
  const stateText = describeState(conversation, me, entry);
  return (
    <section
      className="conversation"
      aria-labelledby="conversation-heading"
      data-testid="conversation"
      data-session-id={sessionId}
      data-held={heldByMe ? 'true' : 'false'}
      data-ticket-status={ticket?.status ?? 'none'}
    >
      <header className="conversation-header">
        <div className="conversation-title">
          <h2 id="conversation-heading">{name}</h2>
          <p className="conversation-subject">{ticket?.subject ?? 'No ticket'}</p>
          <p className="conversation-badges">
            {ticket ? <PriorityBadge priority={ticket.priority} /> : null}
            {ticket ? <ModeBadge mode={ticket.mode} /> : null}
            <span className="badge state" data-testid="conversation-state" data-held={heldByMe ? 'true' : 'false'}>
              {stateText}
            </span>
            {ticket ? <span className="ticket-id">{ticket.id}</span> : null}
          </p>
        </div>
        <div className="conversation-actions" role="group" aria-label="Conversation actions">
          <button type="button" className="primary" disabled={!claimable || busy !== null} onClick={() => void act('claim')} data-testid="claim-button">
            {busy === 'claim' ? 'Claiming…' : 'Claim'}
          </button>
          <button type="button" disabled={!heldByMe || busy !== null} onClick={() => void act('resolve')} data-testid="resolve-button">
            {busy === 'resolve' ? 'Resolving…' : 'Resolve'}
          </button>
          <button type="button" disabled={!heldByMe || busy !== null} onClick={() => void act('hand-back')} data-testid="handback-button">
            {busy === 'hand-back' ? 'Handing back…' : 'Hand back to AI'}
          </button>
        </div>
      </header>
      {actionError ? (
        <p className="error banner-error" role="alert" data-testid="action-error">
          {actionError}
        </p>
      ) : null}
      {actionNotice && !actionError ? (
        <p className="notice banner-notice" role="status" data-testid="action-notice">
          {actionNotice}
        </p>
      ) : null}
      <div className="conversation-body">
        <div className="conversation-main">
          <Transcript messages={conversation.messages} customerName={name} me={me} />
          {customerTyping ? (
            <p className="typing" role="status">
              {name} is typing…
            </p>
          ) : null}
          <ReplyBox
            enabled={heldByMe}
            disabledReason={!active ? 'This conversation is no longer with the team.' : claimable ? 'Claim this conversation to reply.' : heldByMe ? null : 'Another agent holds this conversation.'}
            canned={canned}
            onSend={send}
            onTyping={() => socket.send({ type: 'typing', sessionId })}
          />
        </div>
        <aside className="conversation-side" aria-label="Details">
          <HandoffPanel conversation={conversation} entry={entry} />
          <CustomerPanel customer={conversation.customer} bookings={conversation.bookings} />
          <NotesPanel notes={conversation.notes} canAdd={heldByMe} onAdd={addNote} />
        </aside>
      </div>
    </section>
  );
}
