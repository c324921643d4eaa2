import type { ChatItem, Rating } from '../core/conversation.js';
import { safeHref } from '../core/urls.js';
import { formatMessageTime } from '../format.js';
import type { Strings } from '../i18n/index.js';
import { Markdown } from '../markdown.js';
import { Icon } from './icons.js';

export function authorLabel(item: Pick<ChatItem, 'role' | 'authorName'>, strings: Strings): string {
  switch (item.role) {
    case 'user':
      return strings.you;
    case 'assistant':
      return strings.assistantName;
    case 'agent':
      return item.authorName ?? strings.agentFallback;
    default:
      return strings.supportTeam;
  }
}

interface MessageViewProps {
  item: ChatItem;
  strings: Strings;
  locale: string;
  onFeedback: (messageId: string, rating: Rating) => void;
  onRetry: (clientMessageId: string) => void;
}

export function MessageView({ item, strings, locale, onFeedback, onRetry }: MessageViewProps) {
  const formatted = item.role === 'assistant' || item.role === 'agent';
  return (
    <article
      className="sc-msg"
      data-role={item.role}
      data-kind={item.kind}
      data-message-id={item.id ?? undefined}
      data-streaming={item.streaming ? 'true' : undefined}
      data-delivery={item.delivery}
      aria-busy={item.streaming ? true : undefined}
    >
      {item.role !== 'system' && (
        <div className="sc-who">
          <span>{authorLabel(item, strings)}</span>
          {item.role === 'agent' && <span className="sc-badge">{strings.supportTeam}</span>}
        </div>
      )}
      <div className="sc-bubble">{formatted ? <Markdown text={item.text} /> : <p className="sc-plain">{item.text}</p>}</div>
      {item.citations.length > 0 && !item.streaming && <Citations item={item} strings={strings} />}
      <div className="sc-meta">
        {item.createdAt && <time dateTime={item.createdAt}>{formatMessageTime(item.createdAt, locale)}</time>}
        {item.role === 'user' && <Delivery item={item} strings={strings} onRetry={onRetry} />}
        {formatted && !item.streaming && item.id && <Feedback item={item} strings={strings} onFeedback={onFeedback} />}
      </div>
    </article>
  );
}

function Citations({ item, strings }: { item: ChatItem; strings: Strings }) {
  return (
    <section className="sc-citations" aria-label={strings.sources}>
      <h4 aria-hidden="true">{strings.sources}</h4>
      <ol>
        {item.citations.map((citation, index) => {
          const ref = citation.ref ?? index + 1;
          const href = safeHref(citation.url);
          const title = citation.title || citation.url || `${ref}`;
          return (
            <li key={`${citation.articleId}-${index}`}>
              <span className="sc-cite-n">[{ref}]</span>
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer nofollow">
                  {title}
                </a>
              ) : (
                <span>{title}</span>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function Delivery({ item, strings, onRetry }: { item: ChatItem; strings: Strings; onRetry: (clientMessageId: string) => void }) {
  const label =
    item.delivery === 'sending' ? strings.deliverySending : item.delivery === 'waiting' ? strings.deliveryWaiting : item.delivery === 'failed' ? strings.deliveryFailed : strings.deliverySent;
  const reason = item.delivery === 'failed' && item.failure ? errorText(item.failure.code, item.failure.message, strings) : null;
  return (
    <span className="sc-delivery">
      {item.delivery === 'sent' ? `✓ ${label}` : label}
      {reason && ` — ${reason}`}
      {item.delivery === 'failed' && item.failure?.retryable && item.clientMessageId && (
        <>
          {' '}
          <button type="button" className="sc-link-btn" onClick={() => onRetry(item.clientMessageId as string)}>
            {strings.retrySend}
          </button>
        </>
      )}
    </span>
  );
}

function Feedback({ item, strings, onFeedback }: { item: ChatItem; strings: Strings; onFeedback: (messageId: string, rating: Rating) => void }) {
  const id = item.id as string;
  const pending = item.feedbackPending;
  const button = (rating: Rating, label: string) => (
    <button
      type="button"
      data-rating={rating}
      aria-pressed={item.rating === rating}
      aria-label={label}
      title={label}
      disabled={pending !== undefined}
      onClick={() => {
        if (item.rating !== rating) onFeedback(id, rating);
      }}
    >
      <Icon name="thumb" />
    </button>
  );
  return (
    <span className="sc-feedback" role="group" aria-label={strings.feedbackGroup}>
      {button('up', strings.helpful)}
      {button('down', strings.notHelpful)}
      <span className="sc-feedback-status">{pending ? strings.feedbackSaving : item.rating ? strings.feedbackThanks : ''}</span>
    </span>
  );
}

/** The customer-facing text of an error code. */
export function errorText(code: string, message: string, strings: Strings): string {
  const errors = strings.errors;
  switch (code) {
    case 'too_long':
      return errors.too_long(4000);
    case 'invalid_message':
    case 'rate_limited':
    case 'quota_exceeded':
    case 'conversation_limit':
    case 'session_closed':
    case 'ai_unavailable':
    case 'unavailable':
    case 'not_connected':
      return errors[code];
    default:
      return message || errors.generic;
  }
}
