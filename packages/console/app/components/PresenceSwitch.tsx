import type { PresenceStatus } from '@support/protocol';

const OPTIONS: Array<{ status: PresenceStatus; label: string }> = [
  { status: 'online', label: 'Online' },
  { status: 'away', label: 'Away' },
];

/** Online (live chats may be routed to me) or away: two toggle buttons, the current one pressed. */
export function PresenceSwitch(props: { status: PresenceStatus; disabled: boolean; onChange: (status: PresenceStatus) => void }) {
  return (
    <div className="presence" role="group" aria-label="My availability" data-status={props.status} data-testid="presence-switch">
      {OPTIONS.map((option) => (
        <button
          key={option.status}
          type="button"
          aria-pressed={props.status === option.status}
          disabled={props.disabled}
          onClick={() => {
            if (props.status !== option.status) props.onChange(option.status);
          }}
          data-testid={`presence-${option.status}`}
        >
          <span className="dot" data-status={option.status} aria-hidden="true" />
          {option.label}
        </button>
      ))}
    </div>
  );
}
