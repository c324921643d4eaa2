import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type CSSProperties, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { agentReplyAfterHandoff, asksConsent, canRate, consentAnswer, handoffNotice, ratingScore, timeline, type ConversationState } from '../core/conversation.js';
import { MAX_MESSAGE_LENGTH, type ChatController, type WidgetState } from '../core/controller.js';
import { formatDateTime } from '../format.js';
import type { Strings } from '../i18n/index.js';
import { plainText } from '../markdown.js';
import { ActionCardView } from './ActionCardView.js';
import { ConsentNote, ConsentPrompt } from './ConsentView.js';
import { Icon } from './icons.js';
import { authorLabel, errorText, MessageView } from './MessageView.js';
import { RatingNote, RatingPrompt } from './RatingView.js';

export interface Suggestions {
  guest?: readonly string[];
  customer?: readonly string[];
}

export interface ChatPanelProps {
  controller: ChatController;
  strings: Strings;
  locale: string;
  title?: string | undefined;
  style?: CSSProperties | undefined;
  className?: string | undefined;
  id?: string | undefined;
  suggestions?: Suggestions | undefined;
  /** Shows a close button (the launcher's panel). */
  onClose?: (() => void) | undefined;
}

/** Suggestions that fit where the conversation stands: none after a handoff, none needing sign-in for a guest. */
export function suggestionsFor(state: WidgetState, strings: Strings, custom?: Suggestions): readonly string[] {
  const conversation = state.conversation;
  if (conversation.status !== 'ai' || !conversation.loaded) return [];
  if (state.connection.phase === 'expired' || state.connection.phase === 'failed') return [];
  const last = conversation.items[conversation.items.length - 1];
  const fresh = !conversation.items.some((item) => item.role === 'user') || (last?.role === 'system' && (last.kind === 'resolved' || last.kind === 'handed_back'));
  if (!fresh) return [];
  return state.signedIn ? (custom?.customer ?? strings.suggestionsCustomer) : (custom?.guest ?? strings.suggestionsGuest);
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function ChatPanel({ controller, strings, locale, title, style, className, id, suggestions, onClose }: ChatPanelProps) {
  const state = useSyncExternalStore(controller.subscribe, controller.getState, controller.getState);
  const { conversation, connection } = state;
  const [view, setView] = useState<'chat' | 'earlier'>('chat');
  const headingId = useId();
  const statusText = connectionLabel(state, strings);
  const escalation = conversation.escalation;
  const chips = suggestionsFor(state, strings, suggestions);
  /** Set by the transcript: brings the newest message into view (the composer asks when the keyboard opens). */
  const revealNewest = useRef<() => void>(() => undefined);
  // The consent question: asked once the assistant has answered; asked again when the customer wants to change the answer.
  const [reconsidering, setReconsidering] = useState(false);
  const consent = consentAnswer(conversation);
  const asking = reconsidering || asksConsent(conversation);
  const consentGroup = useRef<HTMLDivElement>(null);
  const consentChange = useRef<HTMLButtonElement>(null);
  // Where the focus goes when the control the customer used goes away: the prompt, or the note's button.
  const consentFocus = useRef<'prompt' | 'note' | null>(null);
  useEffect(() => {
    const target = consentFocus.current === 'prompt' ? consentGroup.current : consentFocus.current === 'note' ? consentChange.current : null;
    consentFocus.current = null;
    target?.focus();
  }, [asking]);
  useEffect(() => setReconsidering(false), [state.sessionId]);
  const answerConsent = (training: boolean) => {
    consentFocus.current = 'note';
    setReconsidering(false);
    controller.answerConsent(training);
  };

  // The end-of-chat rating: opened from the footer once someone has answered ('asked'), or offered by itself
  // when an agent resolves the conversation ('offered': only after the consent question is answered).
  const [rating, setRating] = useState<'closed' | 'asked' | 'offered'>('closed');
  const score = ratingScore(conversation);
  const rateable = canRate(conversation);
  const ratingShown = rateable && (rating === 'asked' || (rating === 'offered' && !asking));
  const ratingForm = useRef<HTMLFormElement>(null);
  const ratingButton = useRef<HTMLButtonElement>(null);
  const ratingFocus = useRef<'prompt' | 'note' | null>(null);
  useEffect(() => {
    const target = ratingFocus.current === 'prompt' ? ratingForm.current?.querySelector<HTMLElement>('[role="radio"][tabindex="0"]') : ratingFocus.current === 'note' ? ratingButton.current : null;
    ratingFocus.current = null;
    target?.focus();
  }, [ratingShown]);
  useEffect(() => setRating('closed'), [state.sessionId]);
  useResolvedOffer(conversation, () => {
    if (ratingScore(controller.getState().conversation) === null) setRating((current) => (current === 'closed' ? 'offered' : current));
  });
  const closeRating = () => {
    ratingFocus.current = 'note';
    setRating('closed');
  };

  return (
    <section
      className={`sc-root sc-panel${className ? ` ${className}` : ''}`}
      style={style}
      id={id}
      aria-labelledby={headingId}
      data-status={conversation.status}
      data-connection={connection.phase}
    >
      <header className="sc-head">
        <div className="sc-title">
          <h2 id={headingId}>{title ?? strings.title}</h2>
          <p className="sc-sub">
            <span className="sc-dot" data-state={connection.offline ? 'offline' : connection.phase} aria-hidden="true" />
            <span role="status">{statusText}</span>
          </p>
        </div>
        <div className="sc-head-actions">
          {state.conversations.available && (
            <button
              type="button"
              className="sc-icon-btn"
              aria-pressed={view === 'earlier'}
              aria-label={strings.earlierConversations}
              title={strings.earlierConversations}
              onClick={() => {
                if (view === 'chat') void controller.loadConversations();
                setView(view === 'chat' ? 'earlier' : 'chat');
              }}
            >
              <Icon name="history" />
            </button>
          )}
          <EscalateButton state={state} strings={strings} onEscalate={() => controller.escalate()} />
          {onClose && (
            <button type="button" className="sc-icon-btn" aria-label={strings.closeChat} title={strings.closeChat} onClick={onClose}>
              <Icon name="close" />
            </button>
          )}
        </div>
      </header>

      <ConnectionBanner state={state} strings={strings} controller={controller} />
      {conversation.status === 'escalated' && escalation && <EscalationBanner conversation={conversation} strings={strings} />}

      {view === 'earlier' ? (
        <EarlierConversations
          state={state}
          strings={strings}
          locale={locale}
          onOpen={(sessionId) => {
            setView('chat');
            void controller.openConversation(sessionId);
          }}
          onNew={() => {
            setView('chat');
            void controller.startNewConversation();
          }}
          onBack={() => setView('chat')}
        />
      ) : (
        <>
          <Transcript state={state} strings={strings} locale={locale} controller={controller} revealNewest={revealNewest} />
          {conversation.notice && (
            <div className="sc-notice" role="alert">
              <p>{errorText(conversation.notice.code, conversation.notice.message, strings)}</p>
              <button type="button" className="sc-link-btn" onClick={() => controller.dismissNotice()}>
                {strings.dismiss}
              </button>
            </div>
          )}
          {chips.length > 0 && (
            <div className="sc-chips" role="group" aria-label={strings.suggestionsLabel}>
              {chips.map((text) => (
                <button key={text} type="button" className="sc-chip" onClick={() => controller.send(text)}>
                  {text}
                </button>
              ))}
            </div>
          )}
          <ConsentPrompt show={asking} strings={strings} groupRef={consentGroup} onAnswer={answerConsent} />
          <RatingPrompt
            show={ratingShown}
            strings={strings}
            initialScore={score}
            initialComment={conversation.ratingComment ?? ''}
            formRef={ratingForm}
            onSend={(chosen, comment) => {
              controller.rateConversation(chosen, comment);
              closeRating();
            }}
            onDismiss={closeRating}
          />
          <Composer
            state={state}
            strings={strings}
            controller={controller}
            onFocus={() => revealNewest.current()}
            note={
              <>
                {rateable && !ratingShown && (
                  <RatingNote
                    score={score}
                    strings={strings}
                    buttonRef={ratingButton}
                    onOpen={() => {
                      ratingFocus.current = 'prompt';
                      setRating('asked');
                    }}
                  />
                )}
                {consent !== null && !asking && (
                  <ConsentNote
                    allowed={consent}
                    strings={strings}
                    buttonRef={consentChange}
                    onChange={() => {
                      consentFocus.current = 'prompt';
                      setReconsidering(true);
                    }}
                  />
                )}
              </>
            }
          />
        </>
      )}
      <LiveRegion conversation={conversation} strings={strings} />
    </section>
  );
}

/**
 * Calls `offer` when an agent resolves the conversation while the customer looks on: a `resolved` notice
 * that arrives after the history was loaded (not those in it, nor their replays after a reconnect).
 */
function useResolvedOffer(conversation: ConversationState, offer: () => void): void {
  const seen = useRef<Set<string> | null>(null);
  const latest = useRef(offer);
  latest.current = offer;
  useEffect(() => {
    if (!conversation.loaded) {
      seen.current = null;
      return;
    }
    const resolved = conversation.items.filter((item) => item.role === 'system' && item.kind === 'resolved' && item.id !== null).map((item) => item.id as string);
    if (seen.current === null) {
      seen.current = new Set(resolved);
      return;
    }
    const known = seen.current;
    const fresh = resolved.filter((id) => !known.has(id));
    for (const id of fresh) known.add(id);
    if (fresh.length > 0) latest.current();
  }, [conversation.items, conversation.loaded]);
}

function connectionLabel(state: WidgetState, strings: Strings): string {
  const { connection } = state;
  if (connection.offline) return strings.statusOffline;
  switch (connection.phase) {
    case 'online':
      return strings.statusOnline;
    case 'reconnecting':
      return strings.statusReconnecting;
    case 'expired':
      return strings.statusExpired;
    case 'failed':
      return strings.statusFailed;
    default:
      return strings.statusConnecting;
  }
}

function EscalateButton({ state, strings, onEscalate }: { state: WidgetState; strings: Strings; onEscalate: () => void }) {
  const status = state.conversation.status;
  const label = status === 'escalating' ? strings.escalating : status === 'escalated' ? strings.escalated : strings.escalate;
  const enabled = status === 'ai' && state.connection.phase === 'online';
  return (
    <button type="button" className="sc-btn" data-escalate={status} disabled={!enabled} onClick={onEscalate}>
      {label}
    </button>
  );
}

function ConnectionBanner({ state, strings, controller }: { state: WidgetState; strings: Strings; controller: ChatController }) {
  const { connection } = state;
  const waiting = connection.phase === 'reconnecting' && connection.retryAt !== null;
  const now = useNow(waiting);
  if (state.conversation.status === 'closed') {
    return (
      <div className="sc-banner sc-banner-error" role="status">
        <p>{strings.closed}</p>
        <button type="button" className="sc-btn" onClick={() => void controller.startNewConversation()}>
          {strings.startNew}
        </button>
      </div>
    );
  }
  switch (connection.phase) {
    case 'expired':
      return (
        <div className="sc-banner sc-banner-error" role="alert">
          <p>{strings.expired}</p>
          <button type="button" className="sc-btn" onClick={() => void controller.startNewConversation()}>
            {strings.startNew}
          </button>
        </div>
      );
    case 'failed':
      return (
        <div className="sc-banner sc-banner-error" role="alert">
          <p>{strings.startFailed}</p>
          <button type="button" className="sc-btn" onClick={() => controller.reconnectNow()}>
            {strings.tryAgain}
          </button>
        </div>
      );
    default:
      break;
  }
  if (connection.offline) {
    return (
      <div className="sc-banner sc-banner-warn" role="status">
        <p>{strings.offline}</p>
      </div>
    );
  }
  if (waiting) {
    const seconds = Math.max(1, Math.ceil(((connection.retryAt as number) - now) / 1000));
    return (
      <div className="sc-banner sc-banner-warn" role="status">
        <p>{strings.reconnectingIn(seconds)}</p>
        <button type="button" className="sc-link-btn" onClick={() => controller.reconnectNow()}>
          {strings.retryNow}
        </button>
      </div>
    );
  }
  return null;
}

function EscalationBanner({ conversation, strings }: { conversation: ConversationState; strings: Strings }) {
  const escalation = conversation.escalation;
  if (!escalation) return null;
  if (escalation.mode === 'ticket') {
    const notice = handoffNotice(conversation);
    const reply = agentReplyAfterHandoff(conversation);
    return (
      <section className="sc-ticket" aria-label={escalation.ticketId ? strings.ticketTitle(escalation.ticketId) : strings.escalated} data-testid="ticket">
        {escalation.ticketId && <h3>{strings.ticketTitle(escalation.ticketId)}</h3>}
        {notice && <p>{notice.text}</p>}
        <p className="sc-ticket-status">{reply ? strings.ticketReplied(reply.authorName ?? escalation.agentName ?? strings.agentFallback) : strings.ticketWaiting}</p>
      </section>
    );
  }
  return (
    <div className="sc-banner sc-banner-agent" role="status">
      {escalation.agentName ? (
        <p>
          <strong>{strings.agentWithYou(escalation.agentName)}</strong>
        </p>
      ) : (
        <p>{strings.waitingForAgent}</p>
      )}
      {escalation.ticketId && <span>{strings.ticketTitle(escalation.ticketId)}</span>}
    </div>
  );
}

function Transcript({
  state,
  strings,
  locale,
  controller,
  revealNewest,
}: {
  state: WidgetState;
  strings: Strings;
  locale: string;
  controller: ChatController;
  revealNewest: { current: () => void };
}) {
  const conversation = state.conversation;
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const entries = useMemo(() => timeline(conversation), [conversation]);
  const last = conversation.items[conversation.items.length - 1];
  const typing = conversation.typing;

  const scrollToEnd = () => {
    const node = ref.current;
    if (node) node.scrollTop = node.scrollHeight;
  };
  revealNewest.current = () => {
    if (stick.current) scrollToEnd();
  };
  // The newest message stays in view while the customer is at the bottom (also after a reload).
  useLayoutEffect(() => {
    if (stick.current) scrollToEnd();
  }, [entries.length, last?.text.length, last?.key, typing, conversation.loaded]);
  useLayoutEffect(() => {
    stick.current = true;
    scrollToEnd();
  }, [conversation.loaded]);
  // Anything that changes the transcript's height (a card, a late layout, the on-screen keyboard shrinking
  // the viewport) keeps the newest message in view while the customer is at the bottom.
  const log = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onResize = () => {
      if (stick.current) scrollToEnd();
    };
    const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(onResize) : null;
    if (log.current) observer?.observe(log.current);
    if (ref.current) observer?.observe(ref.current);
    const viewport = typeof window !== 'undefined' ? window.visualViewport : null;
    viewport?.addEventListener('resize', onResize);
    return () => {
      observer?.disconnect();
      viewport?.removeEventListener('resize', onResize);
    };
  }, []);

  return (
    <div
      className="sc-transcript"
      ref={ref}
      tabIndex={0}
      role="region"
      aria-label={strings.transcriptLabel}
      onScroll={() => {
        const node = ref.current;
        if (node) stick.current = node.scrollHeight - node.scrollTop - node.clientHeight < 120;
      }}
    >
      {!conversation.loaded && conversation.items.length === 0 && <p className="sc-empty">{strings.loading}</p>}
      {conversation.loaded && conversation.items.length === 0 && <p className="sc-empty">{strings.empty}</p>}
      <div className="sc-log" ref={log}>
        {entries.map((entry) =>
          entry.type === 'message' ? (
            <MessageView
              key={entry.item.key}
              item={entry.item}
              strings={strings}
              locale={locale}
              onFeedback={(messageId, rating) => controller.feedback(messageId, rating)}
              onRetry={(clientMessageId) => controller.retry(clientMessageId)}
            />
          ) : (
            <ActionCardView key={`a:${entry.card.action.id}`} card={entry.card} strings={strings} locale={locale} onAnswer={(actionId, answer) => controller.answerAction(actionId, answer)} />
          ),
        )}
        {typing && (
          <div className="sc-typing" data-role={typing.role}>
            <span className="sc-dots" aria-hidden="true">
              <span />
              <span />
              <span />
            </span>
            <span>{typing.role === 'agent' ? strings.typingAgent : strings.typingAssistant}</span>
          </div>
        )}
      </div>
    </div>
  );
}

function Composer({ state, strings, controller, onFocus, note }: { state: WidgetState; strings: Strings; controller: ChatController; onFocus: () => void; note: ReactNode }) {
  const [text, setText] = useState('');
  const inputId = useId();
  const hintId = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const closed = state.conversation.status === 'closed';

  const grow = () => {
    const node = ref.current;
    if (!node) return;
    node.style.height = 'auto';
    node.style.height = `${Math.min(node.scrollHeight + 2, 140)}px`;
  };
  useLayoutEffect(grow, [text]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (controller.send(text)) setText('');
    ref.current?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };
  const near = text.length > MAX_MESSAGE_LENGTH * 0.8;
  return (
    <>
      <form className="sc-composer" onSubmit={submit} noValidate>
        <label htmlFor={inputId} className="sc-vh">
          {strings.composerLabel}
        </label>
        <textarea
          id={inputId}
          ref={ref}
          rows={1}
          maxLength={MAX_MESSAGE_LENGTH}
          placeholder={strings.composerPlaceholder}
          aria-describedby={hintId}
          disabled={closed}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          onFocus={() => {
            // The on-screen keyboard takes a moment to open (and shrinks the visual viewport): then the newest message goes back into view.
            setTimeout(onFocus, 350);
          }}
        />
        <button type="submit" className="sc-btn sc-btn-primary" disabled={closed || text.trim() === ''}>
          {strings.send}
        </button>
      </form>
      <div className="sc-foot">
        <span id={hintId} className="sc-hint">
          {strings.composerHint}
        </span>
        <span data-near={String(text.length >= MAX_MESSAGE_LENGTH)}>{near ? strings.charCount(text.length, MAX_MESSAGE_LENGTH) : ''}</span>
        {note}
      </div>
    </>
  );
}

/** Announces each new reply, notice or agent message once (politely); streaming text is not read out piece by piece. */
function LiveRegion({ conversation, strings }: { conversation: ConversationState; strings: Strings }) {
  const seen = useRef<Set<string> | null>(null);
  const [announcement, setAnnouncement] = useState('');
  useEffect(() => {
    if (!conversation.loaded) return;
    const finals = conversation.items.filter((item) => item.id !== null && !item.streaming && item.role !== 'user');
    if (seen.current === null) {
      seen.current = new Set(finals.map((item) => item.id as string));
      return;
    }
    const known = seen.current;
    const fresh = finals.filter((item) => !known.has(item.id as string));
    for (const item of fresh) known.add(item.id as string);
    const newest = fresh[fresh.length - 1];
    if (newest) {
      const text = plainText(newest.text);
      setAnnouncement(strings.announce(authorLabel(newest, strings), text.length > 400 ? `${text.slice(0, 400)}…` : text));
    }
  }, [conversation.items, conversation.loaded, strings]);
  // A new conversation starts its own record.
  useEffect(() => {
    if (!conversation.loaded) seen.current = null;
  }, [conversation.loaded]);
  return (
    <div className="sc-vh" aria-live="polite" aria-atomic="true" data-testid="live-region">
      {announcement}
    </div>
  );
}

function EarlierConversations({
  state,
  strings,
  locale,
  onOpen,
  onNew,
  onBack,
}: {
  state: WidgetState;
  strings: Strings;
  locale: string;
  onOpen: (sessionId: string) => void;
  onNew: () => void;
  onBack: () => void;
}) {
  const headingId = useId();
  const { list } = state.conversations;
  return (
    <section className="sc-history" aria-labelledby={headingId}>
      <div className="sc-history-head">
        <h3 id={headingId}>{strings.earlierConversations}</h3>
        <span>
          <button type="button" className="sc-btn" onClick={onNew}>
            {strings.newConversation}
          </button>{' '}
          <button type="button" className="sc-link-btn" onClick={onBack}>
            {strings.backToChat}
          </button>
        </span>
      </div>
      {list.length === 0 ? (
        <p className="sc-empty">{state.conversations.loading ? strings.loading : strings.noEarlierConversations}</p>
      ) : (
        <ul>
          {list.map((entry) => {
            const current = entry.sessionId === state.sessionId;
            return (
              <li key={entry.sessionId}>
                <button type="button" className="sc-history-item" aria-current={current ? 'true' : undefined} onClick={() => (current ? onBack() : onOpen(entry.sessionId))}>
                  <span className="sc-history-preview">{entry.preview || strings.untitledConversation}</span>
                  <span className="sc-history-meta">
                    {formatDateTime(entry.lastMessageAt ?? entry.startedAt, locale)} · {current ? strings.currentConversation : strings.conversationStatus(entry.status)}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
