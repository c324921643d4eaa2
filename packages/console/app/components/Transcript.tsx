import { useLayoutEffect, useRef } from 'react';
import type { Agent, Message } from '../api.js';
import { messageTime } from '../format.js';

const ROLE_TAG: Record<Message['role'], string> = {
  user: 'Customer',
  assistant: 'AI assistant',
  agent: 'Agent',
  system: 'System',
};

function author(message: Message, customerName: string, me: Agent): string {
  if (message.role === 'user') return customerName;
  if (message.role === 'assistant') return 'Skyway assistant';
  if (message.role === 'agent') return message.authorName === me.name ? `${me.name} (you)` : (message.authorName ?? 'Support agent');
  return 'System';
}

/** Only web links: a citation URL is shown as a link when it is http(s), as plain text otherwise. */
function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The conversation so far: customer, AI assistant, agents and system notices look different; each has its time. */
export function Transcript(props: { messages: Message[]; customerName: string; me: Agent }) {
  const { messages, customerName, me } = props;
  const list = useRef<HTMLOListElement>(null);
  const stick = useRef(true);

  // Follow new messages while the reader is at the bottom; leave them alone while they scroll back.
  useLayoutEffect(() => {
    const node = list.current;
    if (node && stick.current) node.scrollTop = node.scrollHeight;
  }, [messages.length]);

  return (
    <ol
      className="transcript"
      ref={list}
      role="log"
      aria-label="Transcript"
      aria-live="polite"
      tabIndex={0}
      data-testid="transcript"
      onScroll={(event) => {
        const node = event.currentTarget;
        stick.current = node.scrollHeight - node.scrollTop - node.clientHeight < 60;
      }}
    >
      {messages.length === 0 ? <li className="transcript-empty">No messages yet.</li> : null}
      {messages.map((message) => (
        <li key={message.id} className={`msg msg--${message.role}`} data-role={message.role} data-message-id={message.id} data-testid="transcript-message">
          {message.role === 'system' ? (
            <p className="msg-system">
              <span className="visually-hidden">System: </span>
              {message.text} <time dateTime={message.createdAt}>{messageTime(message.createdAt)}</time>
            </p>
          ) : (
            <>
              <p className="msg-meta">
                <span className="msg-author">{author(message, customerName, me)}</span>
                <span className="msg-tag">{ROLE_TAG[message.role]}</span>
                <time dateTime={message.createdAt}>{messageTime(message.createdAt)}</time>
              </p>
              <div className="msg-bubble" data-testid="message-text">
                {message.text}
              </div>
              {message.citations.length > 0 ? (
                <ul className="msg-citations" aria-label="Sources">
                  {message.citations.map((citation, index) => {
                    const href = safeHref(citation.url);
                    return (
                      <li key={`${citation.articleId}-${index}`}>
                        <span className="citation-ref">[{citation.ref ?? index + 1}]</span>{' '}
                        {href ? (
                          <a href={href} target="_blank" rel="noopener noreferrer">
                            {citation.title}
                          </a>
                        ) : (
                          citation.title
                        )}
                      </li>
                    );
                  })}
                </ul>
              ) : null}
            </>
          )}
        </li>
      ))}
    </ol>
  );
}
