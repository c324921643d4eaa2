import { useState, type FormEvent } from 'react';
import type { AgentNote } from '../api.js';
import { messageTime } from '../format.js';

/** Internal notes: for agents only, never shown to the customer, and marked so. */
export function NotesPanel(props: { notes: AgentNote[]; canAdd: boolean; onAdd: (text: string) => Promise<string | null> }) {
  const { notes, canAdd, onAdd } = props;
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setError(null);
    const failure = await onAdd(body);
    setBusy(false);
    if (failure) setError(failure);
    else setText('');
  }

  return (
    <section className="panel notes" aria-labelledby="notes-heading" data-testid="notes">
      <h3 id="notes-heading">
        Internal notes <span className="internal-tag">Internal — not visible to the customer</span>
      </h3>
      {notes.length === 0 ? <p className="muted">No notes yet.</p> : null}
      <ul className="notes-list">
        {notes.map((note) => (
          <li key={note.id} className="note" data-testid="note">
            <p className="note-meta">
              <span>{note.agent.name}</span> <time dateTime={note.createdAt}>{messageTime(note.createdAt)}</time>
            </p>
            <p className="note-text">{note.text}</p>
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="note-form">
        <label htmlFor="note-input">Add an internal note</label>
        <textarea id="note-input" rows={2} maxLength={4000} value={text} disabled={!canAdd} onChange={(event) => setText(event.target.value)} data-testid="note-input" />
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={!canAdd || busy || text.trim() === ''} data-testid="note-add">
          {busy ? 'Saving…' : 'Add note'}
        </button>
        {!canAdd ? <p className="hint">Only the agent holding the conversation can add notes.</p> : null}
      </form>
    </section>
  );
}
