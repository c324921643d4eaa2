import { useMemo, type FormEvent } from 'react';
import { HANDOFF_TRIGGERS, type AssistantSettings, type EscalationSettings, type HandoffTrigger, type SettingsVersion } from '../../admin-api.js';
import { Card, FormFoot, isAbout } from './parts.js';
import { useEditor } from './use-draft.js';

const TRIGGER_TEXT: Record<HandoffTrigger, { label: string; hint: string }> = {
  explicit_request: { label: 'The customer asks for a person', hint: 'For example “can I talk to a human?”.' },
  accepted_offer: { label: 'The customer accepts an offer of a person', hint: 'The assistant offered a person and the customer said yes.' },
  negative_sentiment: { label: 'The customer sounds upset', hint: 'Their last messages together score at or below the threshold below.' },
  repeated_failure: { label: 'The assistant cannot answer, again and again', hint: 'After the number of failed replies in a row set below.' },
};

interface RulesDraft {
  triggers: HandoffTrigger[];
  sentimentThreshold: string;
  afterFailedReplies: string;
  businessHours: string;
  timeZone: string;
}

const rulesDraftOf = (escalation: EscalationSettings): RulesDraft => ({
  triggers: HANDOFF_TRIGGERS.filter((trigger) => escalation.triggers.includes(trigger)),
  sentimentThreshold: String(escalation.sentimentThreshold),
  afterFailedReplies: String(escalation.afterFailedReplies),
  businessHours: escalation.businessHours,
  timeZone: escalation.timeZone,
});
const sameRules = (a: RulesDraft, b: RulesDraft) =>
  a.triggers.join() === b.triggers.join() &&
  a.sentimentThreshold.trim() === b.sentimentThreshold.trim() &&
  a.afterFailedReplies.trim() === b.afterFailedReplies.trim() &&
  a.businessHours.trim() === b.businessHours.trim() &&
  a.timeZone === b.timeZone;

/** Every IANA time zone this browser knows, with the one in force (and UTC) even if it does not. */
function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', current, ...known])];
}

function TriggerBoxes(props: { checked: HandoffTrigger[]; onChange: (next: HandoffTrigger[]) => void }) {
  const { checked, onChange } = props;
  return (
    <fieldset className="choice-group" data-testid="handoff-triggers">
      <legend>Hand the conversation to a person when…</legend>
      {HANDOFF_TRIGGERS.map((trigger) => (
        <div className="choice" key={trigger}>
          <input
            id={`trigger-${trigger}`}
            type="checkbox"
            checked={checked.includes(trigger)}
            aria-describedby={`trigger-${trigger}-hint`}
            onChange={(event) => onChange(HANDOFF_TRIGGERS.filter((name) => (name === trigger ? event.target.checked : checked.includes(name))))}
            data-testid={`trigger-${trigger}`}
          />
          <label htmlFor={`trigger-${trigger}`}>{TRIGGER_TEXT[trigger].label}</label>
          <p id={`trigger-${trigger}-hint`} className="hint">
            {TRIGGER_TEXT[trigger].hint}
          </p>
        </div>
      ))}
    </fieldset>
  );
}

/** When the assistant hands over, and when people are there to take it: saved with the whole settings value. */
export function HandoffRulesCard(props: { current: SettingsVersion; save: (value: AssistantSettings) => Promise<void> }) {
  const { current, save } = props;
  const source = useMemo(() => rulesDraftOf(current.value.escalation), [current]);
  const { draft, change, dirty, reset, outcome } = useEditor(source, sameRules);
  const zones = useMemo(() => timeZones(draft.timeZone), [draft.timeZone]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const whole = (text: string) => (/^-?\d+$/.test(text.trim()) ? Number(text.trim()) : null);
    const threshold = whole(draft.sentimentThreshold);
    const failures = whole(draft.afterFailedReplies);
    if (threshold === null) return outcome.refuse('Upset threshold: enter a whole number from −100 to −1.', 'rules-threshold');
    if (failures === null) return outcome.refuse('Failed replies before a handoff: enter a whole number from 0 to 10.', 'rules-failures');
    const escalation = { ...current.value.escalation, triggers: draft.triggers, sentimentThreshold: threshold, afterFailedReplies: failures, businessHours: draft.businessHours.trim(), timeZone: draft.timeZone };
    await outcome.run(() => save({ ...current.value, escalation }), 'Saved. New handoffs follow these rules.');
  }

  const invalid = (field: string) => isAbout(outcome.error, `escalation.${field}`) || undefined;
  return (
    <Card id="handoff-rules" title="Handoff rules" description="When the assistant passes a conversation to your team, and when the team is there." testId="handoff-rules">
      <form className="settings-form" onSubmit={submit} noValidate data-testid="rules-form">
        <TriggerBoxes checked={draft.triggers} onChange={(triggers) => change({ triggers })} />
        <div className="field-row">
          <div className="field">
            <label htmlFor="rules-threshold">Upset threshold</label>
            <input
              id="rules-threshold"
              type="number"
              inputMode="numeric"
              min={-100}
              max={-1}
              step={1}
              value={draft.sentimentThreshold}
              aria-invalid={invalid('sentimentThreshold')}
              aria-describedby="rules-threshold-hint"
              onChange={(event) => change({ sentimentThreshold: event.target.value })}
              data-testid="rules-threshold"
            />
            <p id="rules-threshold-hint" className="hint">
              −100 to −1: the lower, the more upset a customer must sound.
            </p>
          </div>
          <div className="field">
            <label htmlFor="rules-failures">Failed replies before a handoff</label>
            <input
              id="rules-failures"
              type="number"
              inputMode="numeric"
              min={0}
              max={10}
              step={1}
              value={draft.afterFailedReplies}
              aria-invalid={invalid('afterFailedReplies')}
              aria-describedby="rules-failures-hint"
              onChange={(event) => change({ afterFailedReplies: event.target.value })}
              data-testid="rules-failures"
            />
            <p id="rules-failures-hint" className="hint">
              “I don’t know” answers in a row, 0 to 10; 0 never hands over for this.
            </p>
          </div>
        </div>
        <div className="field-row">
          <div className="field field--grow">
            <label htmlFor="rules-hours">Opening hours</label>
            <input
              id="rules-hours"
              type="text"
              maxLength={300}
              value={draft.businessHours}
              aria-invalid={invalid('businessHours')}
              aria-describedby="rules-hours-hint"
              onChange={(event) => change({ businessHours: event.target.value })}
              data-testid="rules-hours"
            />
            <p id="rules-hours-hint" className="hint">
              When people answer chats, e.g. <span className="mono">mon-fri 09:00-18:00; sat 10:00-14:00</span>. Outside these hours a handoff becomes a ticket.
            </p>
          </div>
          <div className="field">
            <label htmlFor="rules-zone">Time zone</label>
            <select id="rules-zone" value={draft.timeZone} aria-invalid={invalid('timeZone')} onChange={(event) => change({ timeZone: event.target.value })} data-testid="rules-zone">
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </div>
        </div>
        <FormFoot outcome={outcome} dirty={dirty} label="Save handoff rules" testId="rules" onDiscard={reset} />
      </form>
    </Card>
  );
}
