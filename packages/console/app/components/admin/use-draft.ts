import { useEffect, useRef, useState } from 'react';

/**
 * A form's draft of `source` (what the API holds): when a new source arrives (another card's
 * save, a reload), the draft takes it in unless it holds unsaved edits. `dirty` compares with
 * the source's own draft through `same`.
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
    setDraft((shown) => (same(shown, previous) ? source : shown));
    // `same` is a pure comparison; only a new source matters.
  }, [source]);

  return { draft, setDraft, base, dirty: !same(draft, base), reset: () => setDraft(base) };
}
