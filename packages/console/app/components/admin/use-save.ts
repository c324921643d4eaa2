import { useState } from 'react';
import { failureText } from './parts.js';

/**
 * A form's save: busy while it runs (a second submit is ignored), then the notice it earned or the
 * API's message. `refuse` is a check of the form's own that failed (the field gets the focus);
 * `clear` drops the last outcome once the user edits again.
 */
export function useSave(): {
  busy: boolean;
  error: string | null;
  notice: string | null;
  clear: () => void;
  refuse: (message: string, fieldId?: string) => void;
  run: (action: () => Promise<void>, done: string) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const clear = () => {
    setError(null);
    setNotice(null);
  };
  const refuse = (message: string, fieldId?: string) => {
    setNotice(null);
    setError(message);
    if (fieldId) document.getElementById(fieldId)?.focus();
  };
  async function run(action: () => Promise<void>, done: string) {
    if (busy) return;
    setBusy(true);
    clear();
    try {
      await action();
      setNotice(done);
    } catch (failure) {
      setError(failureText(failure));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, notice, clear, refuse, run };
}
