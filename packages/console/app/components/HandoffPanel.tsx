import type { AgentConversation, QueueEntry } from '../api.js';
import { capitalise, messageTime, triggerLabel } from '../format.js';

/** Why the AI handed over, and its summary of the conversation so far. */
export function HandoffPanel(props: { conversation: AgentConversation; entry: QueueEntry | null }) {
  const { conversation, entry } = props;
  const ticket = conversation.ticket;
  return (
    <section className="panel handoff" aria-labelledby="handoff-heading" data-testid="handoff-panel">
      <h3 id="handoff-heading">Handoff</h3>
      <p className="summary-label">AI summary</p>
      <p className="summary" data-testid="ai-summary">
        {conversation.summary || 'No summary.'}
      </p>
      {ticket ? (
        <dl className="facts">
          <dt>Trigger</dt>
          <dd data-testid="handoff-trigger">{triggerLabel(entry?.trigger ?? ticket.source)}</dd>
          {ticket.reason ? (
            <>
              <dt>Reason</dt>
              <dd>{ticket.reason}</dd>
            </>
          ) : null}
          {ticket.category ? (
            <>
              <dt>Category</dt>
              <dd>{capitalise(ticket.category.replace(/_/g, ' '))}</dd>
            </>
          ) : null}
          <dt>Opened</dt>
          <dd>
            <time dateTime={ticket.createdAt}>{messageTime(ticket.createdAt)}</time>
          </dd>
        </dl>
      ) : null}
    </section>
  );
}
