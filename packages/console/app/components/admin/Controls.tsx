import { useMemo, useState, type FormEvent } from 'react';
import type { Agent } from '../../api.js';
import type { AdminApi, AssistantSettings, SettingsVersion } from '../../admin-api.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { GuardrailRulesCard, LimitsCard, useGuardrailPolicy } from './GuardrailPolicy.js';
import { HandoffRulesCard } from './HandoffRules.js';
import { ModelCard } from './ModelChoice.js';
import { Card, FormFoot, PanelStatus, VersionLine } from './parts.js';
import { SettingsHistoryCard } from './SettingsHistory.js';
import { useEditor } from './use-draft.js';
import { useSave } from './use-save.js';
import { useVersioned } from './use-versioned.js';

/** The kill switch: applied at once (a PUT of the settings in force with only aiEnabled changed); switching off asks first. */
function KillSwitch(props: { current: SettingsVersion; save: (value: AssistantSettings) => Promise<void> }) {
  const { current, save } = props;
  const on = current.value.aiEnabled;
  const [confirming, setConfirming] = useState(false);
  const outcome = useSave();
  const apply = (next: boolean) => outcome.run(() => save({ ...current.value, aiEnabled: next }), next ? 'Switched on.' : 'Switched off.');

  return (
    <div className="kill-switch" data-on={on} data-testid="kill-switch-panel">
      <div className="switch-row">
        <span id="ai-switch-label" className="switch-label">
          AI answers customers
        </span>
        <button
          type="button"
          role="switch"
          className="switch"
          aria-checked={on}
          aria-labelledby="ai-switch-label"
          aria-describedby="ai-switch-hint"
          disabled={outcome.busy}
          onClick={() => (on ? setConfirming(true) : void apply(true))}
          data-testid="kill-switch"
        >
          <span className="switch-track" aria-hidden="true">
            <span className="switch-thumb" />
          </span>
          <span className="switch-state" aria-hidden="true">
            {on ? 'On' : 'Off'}
          </span>
        </button>
      </div>
      <p id="ai-switch-hint" className={on ? 'hint' : 'error'} data-testid="kill-switch-state">
        {on
          ? 'The assistant answers customers and hands over to a person when it should. Takes effect at once.'
          : 'Switched off: every customer message goes to a person (or becomes a ticket), and no model is called.'}
      </p>
      {outcome.error ? (
        <p className="error" role="alert" data-testid="kill-switch-error">
          {outcome.error}
        </p>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Switch off AI answers?"
        confirmLabel="Switch off AI answers"
        testId="kill-switch-dialog"
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          void apply(false);
        }}
      >
        <p>From the next message on, the assistant answers no customer: every message goes to your team (or becomes a ticket) until it is switched back on.</p>
      </ConfirmDialog>
    </div>
  );
}

type SettingsDraft = Pick<AssistantSettings, 'companyName' | 'persona' | 'instructions'>;
const draftOf = (value: AssistantSettings): SettingsDraft => ({ companyName: value.companyName, persona: value.persona, instructions: value.instructions });
const sameDraft = (a: SettingsDraft, b: SettingsDraft) => a.companyName === b.companyName && a.persona === b.persona && a.instructions === b.instructions;

/** Company name, persona and the team's instructions: saved together, as a new version, validated by the API. */
function SettingsForm(props: { current: SettingsVersion; save: (value: AssistantSettings) => Promise<void> }) {
  const { current, save } = props;
  const source = useMemo(() => draftOf(current.value), [current]);
  const { draft, change, dirty, reset, outcome } = useEditor(source, sameDraft);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await outcome.run(() => save({ ...current.value, ...draft }), 'Saved. The next reply uses these settings.');
  }

  const field = (key: keyof SettingsDraft) => ({
    value: draft[key],
    onChange: (event: { target: { value: string } }) => change({ [key]: event.target.value }),
  });

  return (
    <form className="settings-form" onSubmit={submit} noValidate data-testid="settings-form">
      <div className="field">
        <label htmlFor="settings-company">Company name</label>
        <input id="settings-company" type="text" maxLength={80} autoComplete="organization" {...field('companyName')} data-testid="settings-company" />
      </div>
      <div className="field">
        <label htmlFor="settings-persona">Persona</label>
        <textarea id="settings-persona" rows={2} maxLength={500} aria-describedby="settings-persona-hint" {...field('persona')} data-testid="settings-persona" />
        <p id="settings-persona-hint" className="hint">
          How the assistant speaks: the tone line of its prompt.
        </p>
      </div>
      <div className="field">
        <label htmlFor="settings-instructions">Instructions</label>
        <textarea id="settings-instructions" rows={6} maxLength={4000} aria-describedby="settings-instructions-hint" {...field('instructions')} data-testid="settings-instructions" />
        <p id="settings-instructions-hint" className="hint">
          Your team’s guidance (products, phrasing, what to avoid). The assistant’s own honesty and security rules always come first.
        </p>
      </div>
      <FormFoot outcome={outcome} dirty={dirty} label="Save settings" testId="settings" onDiscard={reset} />
    </form>
  );
}

function AssistantSettingsCard(props: { me: Agent; current: SettingsVersion | null; status: { loading: boolean; error: string | null }; save: (value: AssistantSettings) => Promise<void> }) {
  const { me, current, status, save } = props;
  return (
    <Card id="assistant" title="Assistant" description="Changes apply to the next reply, on every node, without a restart." testId="assistant-settings">
      <PanelStatus loading={status.loading} error={current ? null : status.error} />
      {current ? (
        <>
          <VersionLine version={current} me={me} testId="settings-version" />
          <KillSwitch current={current} save={save} />
          <SettingsForm current={current} save={save} />
        </>
      ) : null}
    </Card>
  );
}

/**
 * The admin controls: the assistant's settings with the kill switch, its handoff rules and model
 * (all one settings document, one version per save), the history of those versions, and the
 * guardrail policy (its limits, and its rules for harmful messages).
 */
export function Controls(props: { admin: AdminApi; me: Agent }) {
  const { admin, me } = props;
  const { loaded, current, save } = useVersioned(() => admin.settings(), (value: AssistantSettings, basedOn) => admin.saveSettings(value, basedOn), { key: 'settings', me });
  const policy = useGuardrailPolicy(admin, me);
  const status = { loading: loaded.state === 'loading', error: loaded.error };
  return (
    <div className="controls-grid" data-testid="admin-controls">
      <div className="controls-column">
        <AssistantSettingsCard me={me} current={current} status={status} save={save} />
        {current ? <HandoffRulesCard current={current} save={save} /> : null}
        <GuardrailRulesCard policy={policy} me={me} />
      </div>
      <div className="controls-column">
        {current ? <ModelCard current={current} save={save} /> : null}
        {current ? <SettingsHistoryCard admin={admin} me={me} current={current} /> : null}
        <LimitsCard policy={policy} me={me} />
      </div>
    </div>
  );
}
