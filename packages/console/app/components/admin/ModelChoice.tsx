import { useMemo, type FormEvent } from 'react';
import type { AssistantSettings, ModelChoice, SettingsVersion } from '../../admin-api.js';
import { Card, FormFoot, isAbout } from './parts.js';
import { useEditor } from './use-draft.js';

interface ModelDraft {
  use: ModelChoice['use'];
  name: string;
}
const modelDraftOf = (model: ModelChoice): ModelDraft => ({ use: model.use, name: model.name ?? '' });
const sameModel = (a: ModelDraft, b: ModelDraft) => a.use === b.use && a.name.trim() === b.name.trim();

const OPTIONS: Array<{ use: ModelChoice['use']; label: string; hint: string }> = [
  { use: 'configured', label: 'The configured provider', hint: 'The AI provider set up on the server, with its model or the one named below.' },
  { use: 'local', label: 'Local model (offline fallback)', hint: 'A simple model inside the service: no provider is called. For outages and tests; answers are plainer.' },
];

/** Which model answers: the configured provider (optionally another of its models by name) or the local fallback. */
export function ModelCard(props: { current: SettingsVersion; save: (value: AssistantSettings) => Promise<void> }) {
  const { current, save } = props;
  const source = useMemo(() => modelDraftOf(current.value.model), [current]);
  const { draft, change, dirty, reset, outcome } = useEditor(source, sameModel);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const model = { ...current.value.model, use: draft.use, name: draft.name.trim() || null };
    await outcome.run(() => save({ ...current.value, model }), draft.use === 'local' ? 'Saved. The next reply comes from the local model.' : 'Saved. The next reply comes from the configured provider.');
  }

  return (
    <Card id="model" title="Model" description="API keys stay on the server: this console never sees or sends them." testId="model-choice">
      <form className="settings-form" onSubmit={submit} noValidate data-testid="model-form">
        <fieldset className="choice-group">
          <legend>Which model answers customers</legend>
          {OPTIONS.map((option) => (
            <div className="choice" key={option.use}>
              <input
                id={`model-${option.use}`}
                type="radio"
                name="model-use"
                value={option.use}
                checked={draft.use === option.use}
                aria-describedby={`model-${option.use}-hint`}
                onChange={() => change({ use: option.use })}
                data-testid={`model-${option.use}`}
              />
              <label htmlFor={`model-${option.use}`}>{option.label}</label>
              <p id={`model-${option.use}-hint`} className="hint">
                {option.hint}
              </p>
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="model-name">Model name (optional)</label>
          <input
            id="model-name"
            type="text"
            maxLength={200}
            spellCheck={false}
            autoComplete="off"
            placeholder="The provider’s configured model"
            value={draft.name}
            disabled={draft.use !== 'configured'}
            aria-invalid={isAbout(outcome.error, 'model.name') || undefined}
            aria-describedby="model-name-hint"
            onChange={(event) => change({ name: event.target.value })}
            data-testid="model-name"
          />
          <p id="model-name-hint" className="hint">
            For the configured provider only, e.g. <span className="mono">gpt-4.1-mini</span>. Leave empty to use the model set on the server.
          </p>
        </div>
        <FormFoot outcome={outcome} dirty={dirty} label="Save model choice" testId="model" onDiscard={reset} />
      </form>
    </Card>
  );
}
