import { useRef, useState, type ChangeEvent, type KeyboardEvent } from 'react';
import type { CannedResponse } from '../api.js';

const TYPING_EVERY_MS = 2000;
const MAX_CHARS = 4000;

/** Enter sends, Shift+Enter is a new line; typing is announced at most every 2 s; canned responses insert at the cursor. */
export function ReplyBox(props: { enabled: boolean; disabledReason: string | null; canned: CannedResponse[]; onSend: (text: string) => Promise<boolean>; onTyping: () => void }) {
  const { enabled, disabledReason, canned, onSend, onTyping } = props;
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);

  function noteTyping() {
    const now = Date.now();
    if (now - lastTyping.current >= TYPING_EVERY_MS) {
      lastTyping.current = now;
      onTyping();
    }
  }

  async function send() {
    const body = text.trim();
    if (!enabled || sending || body === '') return;
    setSending(true);
    const sent = await onSend(body);
    setSending(false);
    if (sent) {
      setText('');
      lastTyping.current = 0;
    }
    input.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  function onChange(event: ChangeEvent<HTMLTextAreaElement>) {
    setText(event.target.value);
    if (event.target.value.trim() !== '') noteTyping();
  }

  function insertCanned(event: ChangeEvent<HTMLSelectElement>) {
    const chosen = canned.find((response) => response.id === event.target.value);
    event.target.value = '';
    if (!chosen) return;
    const node = input.current;
    const start = node?.selectionStart ?? text.length;
    const end = node?.selectionEnd ?? text.length;
    const next = `${text.slice(0, start)}${chosen.text}${text.slice(end)}`.slice(0, MAX_CHARS);
    setText(next);
    const caret = Math.min(start + chosen.text.length, next.length);
    requestAnimationFrame(() => {
      node?.focus();
      node?.setSelectionRange(caret, caret);
    });
  }

  return (
    <form
      className="reply"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
      data-testid="reply-form"
    >
      <div className="reply-head">
        <label htmlFor="reply-input">Reply to the customer</label>
        <span className="reply-canned">
          <label htmlFor="canned-select" className="visually-hidden">
            Insert a canned response
          </label>
          <select id="canned-select" defaultValue="" onChange={insertCanned} disabled={!enabled || canned.length === 0} data-testid="canned-select">
            <option value="">Canned responses…</option>
            {canned.map((response) => (
              <option key={response.id} value={response.id}>
                {response.title}
              </option>
            ))}
          </select>
        </span>
      </div>
      <textarea
        id="reply-input"
        ref={input}
        rows={3}
        maxLength={MAX_CHARS}
        value={text}
        disabled={!enabled}
        onChange={onChange}
        onKeyDown={onKeyDown}
        aria-describedby="reply-hint"
        placeholder={enabled ? 'Write a reply…' : ''}
        data-testid="reply-input"
      />
      <div className="reply-foot">
        <span id="reply-hint" className="hint">
          {enabled ? 'Enter sends · Shift+Enter adds a line' : disabledReason}
        </span>
        <button type="submit" className="primary" disabled={!enabled || sending || text.trim() === ''} data-testid="reply-send">
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
