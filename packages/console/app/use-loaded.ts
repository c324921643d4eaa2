import { useEffect, useState } from 'react';
import { ApiError } from './api.js';

export type Loaded<T> = { state: 'loading'; data: T | null; error: null } | { state: 'ready'; data: T; error: null } | { state: 'error'; data: T | null; error: string };

/**
 * The answer of `load` (re-run whenever `key` changes), with the last data kept while the next
 * one loads; an answer to an older key is dropped. A 401 is the App's to handle (it signs out).
 */
export function useLoaded<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading', data: null, error: null });

  useEffect(() => {
    let current = true;
    setResult((previous) => ({ state: 'loading', data: previous.data, error: null }));
    load().then(
      (data) => {
        if (current) setResult({ state: 'ready', data, error: null });
      },
      (failure: unknown) => {
        if (!current) return;
        const message = failure instanceof ApiError ? failure.message : 'This could not be loaded. Please try again.';
        setResult((previous) => ({ state: 'error', data: previous.data, error: message }));
      },
    );
    return () => {
      current = false;
    };
    // `load` is re-created on every render; `key` says when it asks for something else.
  }, [key]);

  return result;
}
