import { useEffect, useRef } from 'react';
import type { AdminApi, TranscriptView } from '../../admin-api.js';
import type { Message } from '../../api.js';
import { capitalise, messageTime, triggerLabel, wordsOf } from '../../format.js';
import { useLoaded } from '../../use-loaded.js';
import { followLink, pathOf } from '../../use-route.js';
import { Card, EmptyRow, PanelStatus, TableHead } from './parts.js';

const ROLE_TAG: Record<Message['role'], string> = { user: 'Customer', assistant: 'AI assistant', agent: 'Agent', system: 'System' };

const SESSION_STATUS: Record<string, string> = { ai: 'With the assistant', escalated: 'With the support team', closed: 'Closed' };

function authorOf(message: Message, customer: string): string {
  if (message.role === 'user') return customer;
  if (message.role === 'assistant') return 'Skyway assistant';
  if (message.role === 'agent') return message.authorName ?? 'Support agent';
  return 'System';
}

function Messages(props: { messages: Message[]; flagged: Set<string>; customer: string }) {
  const { messages, flagged, customer } = props;
  return (
    <ol className="transcript transcript--static" aria-label="Messages" data-testid="admin-transcript-messages">
      {messages.length === 0 ? <li className="transcript-empty">No messages.</li> : null}
      {messages.map((message) => (
        <li key={message.id} className={`msg msg--${message.role}`} data-role={message.role} data-testid="admin-message">
          {message.role === 'system' ? (
            <p className="msg-system">
              <span className="visually-hidden">System: </span>
              {message.text} <time dateTime={message.createdAt}>{messageTime(message.createdAt)}</time>
            </p>
          ) : (
            <>
              <p className="msg-meta">
                <span className="msg-author">{authorOf(message, customer)}</span>
                <span className="msg-tag">{ROLE_TAG[message.role]}</span>
                <time dateTime={message.createdAt}>{messageTime(message.createdAt)}</time>
                {message.rating ? (
                  <span className={`vote vote--${message.rating}`} data-testid="message-rating">
                    Rated {message.rating}
                  </span>
                ) : null}
                {flagged.has(message.id) ? <span className="badge flagged">Guardrail</span> : null}
              </p>
              <div className="msg-bubble" data-testid="admin-message-text">
                {message.text}
              </div>
              {message.citations.length > 0 ? (
                <ul className="msg-citations" aria-label="Sources">
                  {message.citations.map((citation, index) => (
                    <li key={`${citation.articleId}-${index}`}>
                      [{citation.ref ?? index + 1}] {citation.title}
                    </li>
                  ))}
                </ul>
              ) : null}
            </>
          )}
        </li>
      ))}
    </ol>
  );
}

function Tickets(props: { tickets: TranscriptView['tickets'] }) {
  if (props.tickets.length === 0) return <p className="muted">Never handed to a person.</p>;
  return (
    <ul className="ticket-list">
      {props.tickets.map((ticket) => (
        <li key={ticket.id} className="booking" data-testid="admin-ticket" data-source={ticket.source}>
          <span className="booking-top">
            <span className="ticket-id">{ticket.id}</span>
            <span className="badge">{capitalise(ticket.status)}</span>
          </span>
          <span className="ticket-subject">{ticket.subject}</span>
          <dl className="facts">
            <dt>Trigger</dt>
            <dd>{triggerLabel(ticket.source)}</dd>
            <dt>Priority</dt>
            <dd>{capitalise(ticket.priority)}</dd>
            <dt>Outcome</dt>
            <dd>{ticket.resolution ? wordsOf(ticket.resolution) : 'Open'}</dd>
            <dt>Opened</dt>
            <dd>
              <time dateTime={ticket.createdAt}>{messageTime(ticket.createdAt)}</time>
            </dd>
          </dl>
          {ticket.summary ? <p className="summary ticket-summary">{ticket.summary}</p> : null}
        </li>
      ))}
    </ul>
  );
}

function Guardrails(props: { decisions: TranscriptView['guardrails'] }) {
  return (
    <table className="data-table" data-testid="admin-guardrails">
      <TableHead columns={['Stage', 'Category', 'Action']} />
      <tbody>
        {props.decisions.length === 0 ? <EmptyRow columns={3}>None.</EmptyRow> : null}
        {props.decisions.map((decision, index) => (
          <tr key={`${decision.at}-${index}`}>
            <td>{wordsOf(decision.stage)}</td>
            <td>{wordsOf(decision.category)}</td>
            <td>{wordsOf(decision.action)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One conversation as the admin API gives it: every text redacted, with its tickets and guardrail decisions. */
export function AdminTranscript(props: { admin: AdminApi; sessionId: string }) {
  const { admin, sessionId } = props;
  const transcript = useLoaded(() => admin.transcript(sessionId), sessionId);
  const data = transcript.state === 'ready' ? transcript.data : null;
  const heading = useRef<HTMLHeadingElement>(null);

  // Opened from the list: the reader lands on the transcript's heading.
  useEffect(() => heading.current?.focus(), []);

  const flagged = new Set((data?.guardrails ?? []).flatMap((decision) => (decision.messageId ? [decision.messageId] : [])));
  return (
    <div className="transcript-page" data-testid="admin-transcript" data-session-id={sessionId} data-state={transcript.state}>
      <p>
        <a href={pathOf({ view: 'admin', section: 'conversations', sessionId: null })} onClick={followLink} className="back-link" data-testid="transcript-back">
          ← All conversations
        </a>
      </p>
      <div className="transcript-layout">
        <section className="card transcript-card" aria-labelledby="transcript-heading">
          <div className="card-head">
            <div>
              <h2 id="transcript-heading" ref={heading} tabIndex={-1}>
                Transcript
              </h2>
              <p className="card-description">
                <span className="mono">{sessionId}</span>
                {data ? (
                  <>
                    {' '}
                    · {data.customerId ? <span className="mono">{data.customerId}</span> : 'Guest'} · started <time dateTime={data.startedAt}>{messageTime(data.startedAt)}</time> · {SESSION_STATUS[data.status] ?? capitalise(data.status)}
                  </>
                ) : null}
              </p>
            </div>
            <span className="badge redacted-badge">Redacted</span>
          </div>
          <PanelStatus loading={transcript.state === 'loading'} error={transcript.error} />
          {data ? <Messages messages={data.messages} flagged={flagged} customer={data.customerId ?? 'Guest'} /> : null}
        </section>
        <div className="transcript-side">
          <Card id="transcript-tickets" title="Tickets">
            {data ? <Tickets tickets={data.tickets} /> : null}
          </Card>
          <Card id="transcript-guardrails" title="Guardrail decisions">
            {data ? <Guardrails decisions={data.guardrails} /> : null}
          </Card>
        </div>
      </div>
    </div>
  );
}
