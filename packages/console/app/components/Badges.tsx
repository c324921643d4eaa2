import { modeLabel, priorityLabel, triggerLabel } from '../format.js';
import type { QueueEntry } from '../api.js';

export function PriorityBadge(props: { priority: string }) {
  return (
    <span className="badge priority" data-priority={props.priority} data-testid="priority-badge">
      <span className="visually-hidden">Priority: </span>
      {priorityLabel(props.priority)}
    </span>
  );
}

export function ModeBadge(props: { mode: QueueEntry['mode'] }) {
  return (
    <span className="badge mode" data-mode={props.mode ?? 'unknown'}>
      {modeLabel(props.mode)}
    </span>
  );
}

export function TriggerText(props: { trigger: string | undefined | null }) {
  return <span className="trigger">{triggerLabel(props.trigger)}</span>;
}
