import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AdminApi, AgentAccount, CreatedAgent } from '../../admin-api.js';
import { failureText, FormMessages, isAbout } from './parts.js';

/** A chat cap as typed: '' is the service's default (null), else a whole number 1..50; undefined when it is neither. */
export function parseChatCap(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value >= 1 && value <= 50 ? value : undefined;
}

const EMPTY = { name: '', email: '', role: 'agent' as AgentAccount['role'], cap: '', password: '' };

/** The generated password, shown this once: to copy and hand over; focus moves here when it appears. */
export function NewPasswordPanel(props: { created: CreatedAgent; onDone: () => void }) {
  const { created, onDone } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  useEffect(() => heading.current?.focus(), [created]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.password ?? '');
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }

  return (
    <div className="password-panel" role="region" aria-labelledby="new-password-heading" data-testid="new-password-panel">
      <h3 id="new-password-heading" tabIndex={-1} ref={heading}>
        Password for {created.agent.name}
      </h3>
      <p className="password-warning">
        <strong>Shown only once.</strong> Copy it now and give it to {created.agent.name} safely: the service keeps only a hash and cannot show it again.
      </p>
      <div className="password-row">
        <code className="password-value" data-testid="new-password">
          {created.password}
        </code>
        <button type="button" onClick={() => void copy()} data-testid="copy-password">
          Copy password
        </button>
      </div>
      <p className="hint" role="status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Copying failed: select the password and copy it by hand.' : ''}
      </p>
      <button type="button" className="ghost" onClick={onDone} data-testid="password-done">
        I have saved it
      </button>
    </div>
  );
}

/** Name, e-mail, role, optional chat cap and password (none: the service generates one, shown once). */
export function AddAgentForm(props: { admin: AdminApi; onCreated: (created: CreatedAgent) => void }) {
  const { admin, onCreated } = props;
  const [draft, setDraft] = useState(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const field = (key: keyof typeof EMPTY) => ({
    value: draft[key],
    onChange: (event: { target: { value: string } }) => {
      setError(null);
      setNotice(null);
      setDraft({ ...draft, [key]: event.target.value });
    },
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setError(null);
    setNotice(null);
    const maxChats = parseChatCap(draft.cap);
    if (maxChats === undefined) {
      setError('Chat cap: enter a whole number from 1 to 50, or leave it empty for the default.');
      document.getElementById('new-agent-cap')?.focus();
      return;
    }
    setBusy(true);
    try {
      const created = await admin.createAgent({
        name: draft.name,
        email: draft.email,
        role: draft.role,
        ...(maxChats === null ? {} : { maxChats }),
        ...(draft.password === '' ? {} : { password: draft.password }),
      });
      setDraft(EMPTY);
      setNotice(created.password ? null : `${created.agent.name} can now sign in with the password you set.`);
      onCreated(created);
    } catch (failure) {
      setError(failureText(failure));
    } finally {
      setBusy(false);
    }
  }

  const invalid = (key: string) => isAbout(error, key) || undefined;
  return (
    <form className="settings-form" onSubmit={submit} noValidate aria-label="Add agent" data-testid="add-agent-form">
      <div className="field-grid field-grid--agent">
        <div className="field">
          <label htmlFor="new-agent-name">Name</label>
          <input id="new-agent-name" type="text" maxLength={100} autoComplete="off" aria-invalid={invalid('name')} {...field('name')} data-testid="new-agent-name" />
        </div>
        <div className="field">
          <label htmlFor="new-agent-email">Work e-mail</label>
          <input id="new-agent-email" type="email" maxLength={320} autoComplete="off" aria-invalid={invalid('email') ?? (/e-mail/i.test(error ?? '') || undefined)} {...field('email')} data-testid="new-agent-email" />
        </div>
        <div className="field">
          <label htmlFor="new-agent-role">Role</label>
          <select id="new-agent-role" {...field('role')} data-testid="new-agent-role">
            <option value="agent">Agent</option>
            <option value="admin">Admin (also sees Analytics and these controls)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="new-agent-cap">Chat cap (optional)</label>
          <input id="new-agent-cap" type="number" inputMode="numeric" min={1} max={50} step={1} placeholder="Default" aria-invalid={invalid('maxChats')} {...field('cap')} data-testid="new-agent-cap" />
        </div>
        <div className="field field--span2">
          <label htmlFor="new-agent-password">Password (optional)</label>
          <input
            id="new-agent-password"
            type="password"
            autoComplete="new-password"
            maxLength={1024}
            aria-invalid={invalid('password')}
            aria-describedby="new-agent-password-hint"
            {...field('password')}
            data-testid="new-agent-password"
          />
          <p id="new-agent-password-hint" className="hint">
            Leave empty and the service makes a strong one, shown once after adding.
          </p>
        </div>
      </div>
      <FormMessages error={error} notice={notice} testId="add-agent" />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || draft.name.trim() === '' || draft.email.trim() === ''} data-testid="add-agent-submit">
          {busy ? 'Adding…' : 'Add agent'}
        </button>
      </div>
    </form>
  );
}
