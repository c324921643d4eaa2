import { useMemo, type FormEvent, type ReactNode } from 'react';
import type { Agent } from '../../api.js';
import {
  GUARDRAIL_CATEGORIES,
  HOTLINE_LANGUAGES,
  type AdminApi,
  type CategoryPolicy,
  type GuardrailCategory,
  type GuardrailPolicy,
  type HotlineLanguage,
  type HotlineText,
  type PolicyLimits,
} from '../../admin-api.js';
import { formatCount } from '../../format.js';
import { Card, FormFoot, isAbout, PanelStatus, VersionLine } from './parts.js';
import { useEditor } from './use-draft.js';
import { useVersioned } from './use-versioned.js';

/** What each action does, in the words of guardrail-policy.ts on the server. */
const ACTION_TEXT: Record<string, string> = {
  hotline: 'Show the crisis text below',
  safe_reply: 'Decline politely',
  escalate: 'Hand over to a person at once',
  end: 'Close the conversation',
  warn: 'Warn, then act',
  neutralise: 'Drop the offending sentences, answer the rest',
  log: 'Only record it (a trial of the filter)',
};

/** Each category, with the actions the service accepts for it (the first is its default). */
const CATEGORY_TEXT: Record<GuardrailCategory, { label: string; hint: string; actions: string[] }> = {
  self_harm: { label: 'Self-harm or a crisis', hint: 'A customer who may be in danger.', actions: ['hotline', 'escalate', 'safe_reply', 'log'] },
  abuse: { label: 'Abuse', hint: 'Insults and threats against the assistant or your team.', actions: ['warn', 'safe_reply', 'escalate', 'end', 'log'] },
  pii_exposure: { label: 'Someone else’s data', hint: 'Asking for another person’s booking, contact details or whereabouts.', actions: ['safe_reply', 'escalate', 'end', 'log'] },
  injection: { label: 'Prompt injection', hint: 'Attempts to override the assistant’s rules or read its instructions.', actions: ['safe_reply', 'neutralise', 'escalate', 'end', 'log'] },
};

const LANGUAGE_NAMES: Record<HotlineLanguage, string> = { en: 'English', es: 'Spanish', fr: 'French', de: 'German' };

const MODERATION_TEXT: Record<GuardrailPolicy['output']['moderation'], string> = {
  auto: 'The provider’s moderation (OpenAI, Azure), else the local rules',
  local: 'The local rules only',
  off: 'Off: replies are not checked',
};

interface CategoryDraft {
  action: string;
  warnings: string;
  afterWarnings: CategoryPolicy['afterWarnings'];
  thenHuman: boolean;
}
interface RulesDraft {
  input: Record<GuardrailCategory, CategoryDraft>;
  hotline: Record<HotlineLanguage, string>;
  moderation: GuardrailPolicy['output']['moderation'];
  timeoutMs: string;
}

const rulesDraftOf = (policy: GuardrailPolicy): RulesDraft => ({
  input: Object.fromEntries(
    GUARDRAIL_CATEGORIES.map((category) => {
      const rule = policy.input[category];
      return [category, { action: rule.action, warnings: String(rule.warningsBeforeAction), afterWarnings: rule.afterWarnings, thenHuman: rule.thenHuman }];
    }),
  ) as Record<GuardrailCategory, CategoryDraft>,
  hotline: Object.fromEntries(HOTLINE_LANGUAGES.map((language) => [language, policy.hotline[language] ?? ''])) as Record<HotlineLanguage, string>,
  moderation: policy.output.moderation,
  timeoutMs: String(policy.output.timeoutMs),
});
// Whitespace at the ends is not a change: the service trims it.
const sameRules = (a: RulesDraft, b: RulesDraft) => JSON.stringify(a, (_key, value: unknown) => (typeof value === 'string' ? value.trim() : value)) === JSON.stringify(b, (_key, value: unknown) => (typeof value === 'string' ? value.trim() : value));

const wholeNumber = (text: string, min: number, max: number): number | null => {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  return value >= min && value <= max ? value : null;
};

/** The hotline texts as the service takes them: English always; another language only when written (else English is used). */
function hotlineOf(draft: RulesDraft['hotline'], current: HotlineText): HotlineText {
  const rest = Object.fromEntries(Object.entries(current).filter(([key]) => !(HOTLINE_LANGUAGES as readonly string[]).includes(key)));
  const written = Object.fromEntries(HOTLINE_LANGUAGES.filter((language) => draft[language].trim() !== '').map((language) => [language, draft[language].trim()]));
  return { ...rest, ...written, en: draft.en.trim() };
}

function CategoryRule(props: { category: GuardrailCategory; draft: CategoryDraft; onChange: (next: Partial<CategoryDraft>) => void }) {
  const { category, draft, onChange } = props;
  const text = CATEGORY_TEXT[category];
  const id = `rule-${category}`;
  return (
    <fieldset className="rule" data-testid={id}>
      <legend>{text.label}</legend>
      <p className="hint">{text.hint}</p>
      <div className="field">
        <label htmlFor={`${id}-action`}>Then</label>
        <select id={`${id}-action`} value={draft.action} onChange={(event) => onChange({ action: event.target.value })} data-testid={`${id}-action`}>
          {text.actions.map((action) => (
            <option key={action} value={action}>
              {ACTION_TEXT[action] ?? action}
            </option>
          ))}
        </select>
      </div>
      {draft.action === 'warn' ? (
        <div className="field-pair">
          <div className="field">
            <label htmlFor={`${id}-warnings`}>Warnings first</label>
            <input
              id={`${id}-warnings`}
              type="number"
              inputMode="numeric"
              min={0}
              max={10}
              step={1}
              value={draft.warnings}
              onChange={(event) => onChange({ warnings: event.target.value })}
              data-testid={`${id}-warnings`}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-after`}>After them</label>
            <select id={`${id}-after`} value={draft.afterWarnings} onChange={(event) => onChange({ afterWarnings: event.target.value as CategoryDraft['afterWarnings'] })} data-testid={`${id}-after`}>
              <option value="escalate">Hand over to a person</option>
              <option value="end">{ACTION_TEXT.end}</option>
            </select>
          </div>
        </div>
      ) : null}
      {draft.action === 'hotline' ? (
        <div className="choice">
          <input id={`${id}-human`} type="checkbox" checked={draft.thenHuman} onChange={(event) => onChange({ thenHuman: event.target.checked })} data-testid={`${id}-human`} />
          <label htmlFor={`${id}-human`}>Then hand the conversation to a person, at top priority</label>
        </div>
      ) : null}
    </fieldset>
  );
}

/** The input rules per category, the crisis texts and the output moderation: the limits and unknown keys go back as they came. */
function RulesForm(props: { current: GuardrailPolicy; save: (value: GuardrailPolicy) => Promise<void> }) {
  const { current, save } = props;
  const source = useMemo(() => rulesDraftOf(current), [current]);
  const { draft, change, dirty, reset, outcome } = useEditor(source, sameRules);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input = { ...current.input };
    for (const category of GUARDRAIL_CATEGORIES) {
      const rule = draft.input[category];
      const warnings = wholeNumber(rule.warnings, 0, 10);
      if (warnings === null) return outcome.refuse(`${CATEGORY_TEXT[category].label}, warnings first: enter a whole number from 0 to 10.`, `rule-${category}-warnings`);
      input[category] = { ...current.input[category], action: rule.action, warningsBeforeAction: warnings, afterWarnings: rule.afterWarnings, thenHuman: rule.thenHuman };
    }
    if (draft.hotline.en.trim() === '') return outcome.refuse('Crisis text in English: it is needed (it is shown when no text in the customer’s language is written).', 'hotline-en');
    const timeoutMs = wholeNumber(draft.timeoutMs, 100, 10_000);
    if (timeoutMs === null) return outcome.refuse('Moderation time limit: enter a whole number of milliseconds from 100 to 10000.', 'moderation-timeout');
    const value: GuardrailPolicy = { ...current, input, hotline: hotlineOf(draft.hotline, current.hotline), output: { ...current.output, moderation: draft.moderation, timeoutMs } };
    await outcome.run(() => save(value), 'Saved. The rules apply from the next message, on every node.');
  }

  return (
    <form className="settings-form" onSubmit={submit} noValidate data-testid="guardrail-rules-form">
      <div className="rules">
        {GUARDRAIL_CATEGORIES.map((category) => (
          <CategoryRule key={category} category={category} draft={draft.input[category]} onChange={(next) => change({ input: { ...draft.input, [category]: { ...draft.input[category], ...next } } })} />
        ))}
      </div>
      <fieldset className="choice-group" data-testid="hotline-texts">
        <legend>Crisis text</legend>
        <p className="hint">Shown to a customer who may be in danger: name the helplines of the countries you serve. A language left empty gets the English text.</p>
        {HOTLINE_LANGUAGES.map((language) => (
          <div className="field" key={language}>
            <label htmlFor={`hotline-${language}`}>
              {LANGUAGE_NAMES[language]}
              {language === 'en' ? '' : ' (optional)'}
            </label>
            <textarea
              id={`hotline-${language}`}
              rows={language === 'en' ? 4 : 2}
              maxLength={1000}
              lang={language}
              value={draft.hotline[language]}
              aria-invalid={isAbout(outcome.error, `hotline.${language}`) || (language === 'en' && outcome.error?.startsWith('Crisis text')) || undefined}
              onChange={(event) => change({ hotline: { ...draft.hotline, [language]: event.target.value } })}
              data-testid={`hotline-${language}`}
            />
          </div>
        ))}
      </fieldset>
      <div className="field-row">
        <div className="field">
          <label htmlFor="moderation-mode">Replies checked by</label>
          <select id="moderation-mode" value={draft.moderation} onChange={(event) => change({ moderation: event.target.value as RulesDraft['moderation'] })} data-testid="moderation-mode">
            {Object.entries(MODERATION_TEXT).map(([mode, label]) => (
              <option key={mode} value={mode}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="moderation-timeout">Moderation time limit (ms)</label>
          <input
            id="moderation-timeout"
            type="number"
            inputMode="numeric"
            min={100}
            max={10_000}
            step={100}
            value={draft.timeoutMs}
            aria-describedby="moderation-timeout-hint"
            aria-invalid={isAbout(outcome.error, 'output.timeoutMs') || undefined}
            onChange={(event) => change({ timeoutMs: event.target.value })}
            data-testid="moderation-timeout"
          />
          <p id="moderation-timeout-hint" className="hint">
            Past it, the local rules decide.
          </p>
        </div>
      </div>
      <FormFoot outcome={outcome} dirty={dirty} label="Save guardrail rules" testId="guardrail-rules" onDiscard={reset} />
    </form>
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
const sameLimits = (a: LimitDraft, b: LimitDraft) => LIMIT_FIELDS.every(({ key }) => a[key].trim() === b[key].trim());

/** The policy's limits: the rest of the policy goes back exactly as it came. */
function LimitsForm(props: { current: GuardrailPolicy; save: (value: GuardrailPolicy) => Promise<void> }) {
  const { current, save } = props;
  const source = useMemo(() => limitDraftOf(current.limits), [current]);
  const { draft, change, dirty, outcome } = useEditor(source, sameLimits);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const limits: Partial<Record<LimitKey, number>> = {};
    for (const { key, label, max } of LIMIT_FIELDS) {
      const value = wholeNumber(draft[key], 0, max);
      if (value === null) return outcome.refuse(`${label}: enter a whole number (0 for no limit).`, `limit-${key}`);
      limits[key] = value;
    }
    await outcome.run(() => save({ ...current, limits: { ...current.limits, ...limits } }), 'Saved. The limits apply from the next message.');
  }

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
              onChange={(event) => change({ [key]: event.target.value })}
              data-testid={`limit-${key}`}
            />
            <p id={`limit-${key}-hint`} className="hint">
              {hint} Now {formatCount(current.limits[key])}; 0 means no limit.
            </p>
          </div>
        ))}
      </div>
      <FormFoot outcome={outcome} dirty={dirty} label="Save limits" testId="limits" />
    </form>
  );
}

type PolicyState = ReturnType<typeof useGuardrailPolicy>;

/** The guardrail policy, one versioned document shared by its two cards: a save in one is the other's new version. */
export function useGuardrailPolicy(admin: AdminApi, me: Agent) {
  return useVersioned(() => admin.policy(), (value: GuardrailPolicy, basedOn) => admin.savePolicy(value, basedOn), { key: 'policy', me });
}

/** One card of the policy: its version and its form, or why it is not there yet. */
function PolicyCard(props: {
  policy: PolicyState;
  me: Agent;
  id: string;
  title: string;
  description: string;
  testId: string;
  versionTestId: string;
  form: (current: GuardrailPolicy, save: (value: GuardrailPolicy) => Promise<void>) => ReactNode;
}) {
  const { loaded, current, save } = props.policy;
  return (
    <Card id={props.id} title={props.title} description={props.description} testId={props.testId}>
      <PanelStatus loading={loaded.state === 'loading'} error={current ? null : loaded.error} />
      {current ? (
        <>
          <VersionLine version={current} me={props.me} testId={props.versionTestId} />
          {props.form(current.value, save)}
        </>
      ) : null}
    </Card>
  );
}

export function LimitsCard(props: { policy: PolicyState; me: Agent }) {
  return (
    <PolicyCard
      {...props}
      id="limits"
      title="Limits and token caps"
      description="From the guardrail policy; its other rules stay as they are."
      testId="policy-limits"
      versionTestId="policy-version"
      form={(current, save) => <LimitsForm current={current} save={save} />}
    />
  );
}

export function GuardrailRulesCard(props: { policy: PolicyState; me: Agent }) {
  return (
    <PolicyCard
      {...props}
      id="guardrail-rules"
      title="Harmful messages"
      description="What the assistant does when a message is about self-harm, abuse, someone else’s data or an injection, and how its replies are checked."
      testId="guardrail-rules"
      versionTestId="guardrail-rules-version"
      form={(current, save) => <RulesForm current={current} save={save} />}
    />
  );
}
