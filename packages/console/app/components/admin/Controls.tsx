import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Agent } from '../../api.js';
import type { AdminApi, AssistantSettings, GuardrailPolicy, PolicyLimits, PolicyVersion, SettingsVersion } from '../../admin-api.js';
import { actorLabel, formatCount, messageTime } from '../../format.js';
import { useLoaded } from '../../use-loaded.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { HandoffRulesCard } from './HandoffRules.js';
import { ModelCard } from './ModelChoice.js';
import { Card, failureText, PanelStatus, SaveActions } from './parts.js';
import { SettingsHistoryCard } from './SettingsHistory.js';

/** "Version 3 · saved by Sam Rivera (you) · 5 May, 14:03", or that the configured defaults are in force. */
function VersionLine(props: { version: { version: number; updatedBy: string; updatedAt: string }; me: Agent; testId: string }) {
  const { version, me, testId } = props;
  return (
    <p className="version-line" data-testid={testId} data-version={version.version}>
      {version.version === 0 ? (
        'The service’s configured defaults: never changed here.'
      ) : (
        <>
          Version {version.version} · saved by {actorLabel(version.updatedBy, me)} · <time dateTime={version.updatedAt}>{messageTime(version.updatedAt)}</time>
        </>
      )}
    </p>
  );
}

/** The kill switch: applied at once (a PUT of the settings in force with only aiEnabled changed); switching off asks first. */
function KillSwitch(props: { current: SettingsVersion; save: (value: AssistantSettings) => Promise<void> }) {
  const { current, save } = props;
  const on = current.value.aiEnabled;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function apply(next: boolean) {
    setBusy(true);
    setError(null);
    try {
      await save({ ...current.value, aiEnabled: next });
    } catch (failure) {
      setError(failureText(failure));
    } finally {
      setBusy(false);
    }
  }

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
          disabled={busy}
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
      {error ? (
        <p className="error" role="alert">
          {error}
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
  const [base, setBase] = useState(() => draftOf(current.value));
  const [draft, setDraft] = useState(base);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const dirty = !sameDraft(draft, base);

  // A new version (the kill switch, a save): taken in unless the form holds unsaved edits.
  const baseRef = useRef(base);
  useEffect(() => {
    const previous = baseRef.current;
    const next = draftOf(current.value);
    baseRef.current = next;
    setBase(next);
    setDraft((shown) => (sameDraft(shown, previous) ? next : shown));
  }, [current]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await save({ ...current.value, ...draft });
      setNotice('Saved. The next reply uses these settings.');
    } catch (failure) {
      setError(failureText(failure));
    } finally {
      setBusy(false);
    }
  }

  const field = (key: keyof SettingsDraft) => ({
    value: draft[key],
    onChange: (event: { target: { value: string } }) => {
      setNotice(null);
      setError(null);
      setDraft({ ...draft, [key]: event.target.value });
    },
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
      {error ? (
        <p className="error" role="alert" data-testid="settings-error">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p className="notice" role="status" data-testid="settings-notice">
          {notice}
        </p>
      ) : null}
      <SaveActions
        busy={busy}
        dirty={dirty}
        label="Save settings"
        testId="settings-save"
        onDiscard={() => {
          setDraft(base);
          setError(null);
        }}
      />
    </form>
  );
}

/** The settings in force: loaded once, then each card's save (the whole value, a new version) replaces them for every card. */
function useSettings(admin: AdminApi) {
  const loaded = useLoaded(() => admin.settings(), 'settings');
  const [saved, setSaved] = useState<SettingsVersion | null>(null);
  const current = saved ?? loaded.data;
  async function save(value: AssistantSettings) {
    setSaved(await admin.saveSettings(value));
  }
  return { loaded, current, save };
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

const LIMIT_FIELDS: Array<{ key: keyof Pick<PolicyLimits, 'maxTurnsPerConversation' | 'dailyTokensPerCustomer' | 'dailyTokensPerGuestIp'>; label: string; hint: string; max: number }> = [
  { key: 'maxTurnsPerConversation', label: 'Turns per conversation', hint: 'Customer messages the AI answers in one conversation, then it offers a person.', max: 10_000 },
  { key: 'dailyTokensPerCustomer', label: 'Daily tokens per signed-in customer', hint: 'Prompt and completion tokens per customer per UTC day.', max: 100_000_000 },
  { key: 'dailyTokensPerGuestIp', label: 'Daily tokens per guest IP address', hint: 'The same for guests, counted per client IP address.', max: 100_000_000 },
];
type LimitKey = (typeof LIMIT_FIELDS)[number]['key'];
type LimitDraft = Record<LimitKey, string>;
const limitDraftOf = (limits: PolicyLimits): LimitDraft => ({
  maxTurnsPerConversation: String(limits.maxTurnsPerConversation),
  dailyTokensPerCustomer: String(limits.dailyTokensPerCustomer),
  dailyTokensPerGuestIp: String(limits.dailyTokensPerGuestIp),
});

/** The guardrail policy's limits: the rest of the policy goes back exactly as it came. */
function LimitsForm(props: { current: PolicyVersion; save: (value: GuardrailPolicy) => Promise<void> }) {
  const { current, save } = props;
  const [draft, setDraft] = useState(() => limitDraftOf(current.value.limits));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setError(null);
    setNotice(null);
    const limits: Partial<Record<LimitKey, number>> = {};
    for (const { key, label } of LIMIT_FIELDS) {
      const text = draft[key].trim();
      if (!/^\d+$/.test(text)) {
        setError(`${label}: enter a whole number (0 for no limit).`);
        document.getElementById(`limit-${key}`)?.focus();
        return;
      }
      limits[key] = Number(text);
    }
    setBusy(true);
    try {
      await save({ ...current.value, limits: { ...current.value.limits, ...limits } });
      setNotice('Saved. The limits apply from the next message.');
    } catch (failure) {
      setError(failureText(failure));
    } finally {
      setBusy(false);
    }
  }

  const dirty = LIMIT_FIELDS.some(({ key }) => draft[key].trim() !== String(current.value.limits[key]));
  return (
    <form className="settings-form" onSubmit={submit} noValidate data-testid="limits-form">
      <div className="limit-fields">
        {LIMIT_FIELDS.map(({ key, label, hint, max }) => (
          <div className="field" key={key}>
            <label htmlFor={`limit-${key}`}>{label}</label>
            <input
              id={`limit-${key}`}
              type="number"
              inputMode="numeric"
              min={0}
              max={max}
              step={1}
              value={draft[key]}
              aria-describedby={`limit-${key}-hint`}
              onChange={(event) => {
                setNotice(null);
                setError(null);
                setDraft({ ...draft, [key]: event.target.value });
              }}
              data-testid={`limit-${key}`}
            />
            <p id={`limit-${key}-hint`} className="hint">
              {hint} Now {formatCount(current.value.limits[key])}; 0 means no limit.
            </p>
          </div>
        ))}
      </div>
      {error ? (
        <p className="error" role="alert" data-testid="limits-error">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p className="notice" role="status" data-testid="limits-notice">
          {notice}
        </p>
      ) : null}
      <SaveActions busy={busy} dirty={dirty} label="Save limits" testId="limits-save" />
    </form>
  );
}

function LimitsCard(props: { admin: AdminApi; me: Agent }) {
  const { admin, me } = props;
  const loaded = useLoaded(() => admin.policy(), 'policy');
  const [saved, setSaved] = useState<PolicyVersion | null>(null);
  const current = saved ?? loaded.data;

  async function save(value: GuardrailPolicy) {
    setSaved(await admin.savePolicy(value));
  }

  return (
    <Card id="limits" title="Limits and token caps" description="From the guardrail policy; its other rules stay as they are." testId="policy-limits">
      <PanelStatus loading={loaded.state === 'loading'} error={current ? null : loaded.error} />
      {current ? (
        <>
          <VersionLine version={current} me={me} testId="policy-version" />
          <LimitsForm current={current} save={save} />
        </>
      ) : null}
    </Card>
  );
}

/**
 * The admin controls: the assistant's settings with the kill switch, its handoff rules and model
 * (all one settings document, one version per save), the history of those versions, and the
 * policy's limits.
 */
export function Controls(props: { admin: AdminApi; me: Agent }) {
  const { admin, me } = props;
  const { loaded, current, save } = useSettings(admin);
  const status = { loading: loaded.state === 'loading', error: loaded.error };
  return (
    <div className="controls-grid" data-testid="admin-controls">
      <div className="controls-column">
        <AssistantSettingsCard me={me} current={current} status={status} save={save} />
        {current ? <HandoffRulesCard current={current} save={save} /> : null}
      </div>
      <div className="controls-column">
        {current ? <ModelCard current={current} save={save} /> : null}
        <LimitsCard admin={admin} me={me} />
        {current ? <SettingsHistoryCard admin={admin} me={me} current={current} /> : null}
      </div>
    </div>
  );
}
