import { useEffect, useRef, useState } from 'react';
import { useSave } from './use-save.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const sameData = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A three-way merge of plain data: what the user edited (shown differs from the previous source)
 * stays, field by field; everything else takes the new source. So another admin's change to one
 * field does not undo this one's edit of another, and this one's edit survives theirs.
 */
export function mergeDraft<T>(shown: T, previous: T, next: T): T {
  if (isRecord(shown) && isRecord(previous) && isRecord(next)) {
    const merged: Record<string, unknown> = { ...next };
    for (const key of Object.keys(next)) merged[key] = mergeDraft(shown[key], previous[key], next[key]);
    return merged as T;
  }
  return sameData(shown, previous) ? next : shown;
}

/**
 * A form's draft of `source` (what the API holds): when a new source arrives (another card's
 * save, another admin's version after a conflict), the draft takes it in except for the fields
 * with unsaved edits (mergeDraft). `dirty` compares with the source's own draft through `same`.
 */
export function useDraft<T>(source: T, same: (a: T, b: T) => boolean): { draft: T; setDraft: (next: T) => void; base: T; dirty: boolean; reset: () => void } {
  const [base, setBase] = useState(source);
  const [draft, setDraft] = useState(source);
  const baseRef = useRef(source);

  useEffect(() => {
    const previous = baseRef.current;
    if (same(previous, source)) return;
    baseRef.current = source;
    setBase(source);
    setDraft((shown) => mergeDraft(shown, previous, source));
    // `same` is a pure comparison; only a new source matters.
  }, [source]);

  return { draft, setDraft, base, dirty: !same(draft, base), reset: () => setDraft(base) };
}

/**
 * An editing form: its draft of `source` (useDraft) and the outcome of its saves (useSave);
 * `change` applies an edit and clears the last outcome, which the edit makes stale.
 */
export function useEditor<T extends object>(source: T, same: (a: T, b: T) => boolean) {
  const { draft, setDraft, dirty, reset } = useDraft(source, same);
  const outcome = useSave();
  const change = (next: Partial<T>) => {
    outcome.clear();
    setDraft({ ...draft, ...next });
  };
  return { draft, change, dirty, reset, outcome };
}
