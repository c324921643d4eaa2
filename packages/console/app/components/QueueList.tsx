import type { Agent, QueueEntry } from '../api.js';
import { customerName, waitTime } from '../format.js';
import { useNow } from '../use-now.js';
import { ModeBadge, PriorityBadge, TriggerText } from './Badges.js';

function statusText(entry: QueueEntry, me: Agent): string {
  if (entry.status === 'waiting') return 'Waiting';
  if (entry.assignedTo === me.id) return 'With you';
  return `With ${entry.assignedToName ?? 'another agent'}`;
}

/** The live queue, in the server's order (highest priority, then longest waiting). Each entry is a button. */
export function QueueList(props: {
  entries: QueueEntry[];
  loaded: boolean;
  error: string | null;
  selected: string | null;
  me: Agent;
  serverNow: () => number;
  onSelect: (sessionId: string) => void;
}) {
  const { entries, loaded, error, selected, me, onSelect } = props;
  useNow(1000);
  const now = props.serverNow();
  const waiting = entries.filter((entry) => entry.status === 'waiting').length;

  return (
    <section className="queue" aria-labelledby="queue-heading" data-testid="queue">
      <div className="queue-head">
        <h2 id="queue-heading">Queue</h2>
        <span className="queue-count" data-testid="queue-count">
          {waiting} waiting · {entries.length} open
        </span>
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {loaded && entries.length === 0 ? <p className="queue-empty">Nobody is waiting. New handoffs appear here as they happen.</p> : null}
      {!loaded && !error ? <p className="queue-empty">Loading the queue…</p> : null}
      <ul className="queue-list" aria-label="Open conversations">
        {entries.map((entry) => {
          const isSelected = entry.sessionId === selected;
          const mine = entry.assignedTo === me.id;
          return (
            <li key={entry.sessionId}>
              <button
                type="button"
                className="queue-entry"
                aria-current={isSelected ? 'true' : undefined}
                data-status={entry.status}
                data-mine={mine ? 'true' : undefined}
                data-session-id={entry.sessionId}
                data-testid="queue-entry"
                onClick={() => onSelect(entry.sessionId)}
              >
                <span className="entry-top">
                  <span className="entry-name">{customerName(entry.customer)}</span>
                  <PriorityBadge priority={entry.priority} />
                </span>
                <span className="entry-subject">{entry.subject ?? entry.summary}</span>
                {entry.summary && entry.summary !== entry.subject ? <span className="entry-summary">{entry.summary}</span> : null}
                <span className="entry-meta">
                  <TriggerText trigger={entry.trigger} />
                  <ModeBadge mode={entry.mode} />
                </span>
                <span className="entry-foot">
                  <span className="entry-status" data-status={entry.status} data-testid="entry-status">
                    {statusText(entry, me)}
                  </span>
                  <span className="entry-wait" data-testid="entry-wait">
                    <span className="visually-hidden">Waiting for </span>
                    <time dateTime={entry.waitingSince}>{waitTime(entry.waitingSince, now)}</time>
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
