import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, type ApiClient, type QueueEntry } from './api.js';
import type { AgentSocket } from './socket.js';

const REFETCH_DEBOUNCE_MS = 250;
/** A safety net under the socket: the queue is reloaded this often even without events. */
const POLL_MS = 60_000;

/** Applies one queue_updated event to the list until the refetch it triggers returns. */
export function patchQueue(entries: QueueEntry[], event: { entry?: QueueEntry | undefined; removedSessionId?: string | undefined }): QueueEntry[] {
  let next = entries;
  if (event.removedSessionId) next = next.filter((entry) => entry.sessionId !== event.removedSessionId);
  const changed = event.entry;
  if (changed) {
    const index = next.findIndex((entry) => entry.sessionId === changed.sessionId);
    next = index === -1 ? [...next, changed] : next.map((entry, i) => (i === index ? changed : entry));
  }
  return next;
}

/** The live queue: loaded once, patched and refetched (debounced) on every queue_updated, and after a reconnect. */
export function useQueue(api: ApiClient, socket: AgentSocket) {
  const [entries, setEntries] = useState<QueueEntry[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const refetch = useCallback(async () => {
    const request = ++latest.current;
    try {
      const list = await api.queue();
      if (request !== latest.current) return; // a newer load is on its way
      setEntries(list);
      setError(null);
    } catch (failure) {
      if (request !== latest.current || (failure instanceof ApiError && failure.status === 401)) return;
      setError(failure instanceof ApiError ? failure.message : 'The queue could not be loaded.');
    } finally {
      if (request === latest.current) setLoaded(true);
    }
  }, [api]);

  const scheduleRefetch = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void refetch(), REFETCH_DEBOUNCE_MS);
  }, [refetch]);

  useEffect(() => {
    void refetch();
    const poll = setInterval(() => void refetch(), POLL_MS);
    const offEvent = socket.subscribe((event) => {
      if (event.type !== 'queue_updated') return;
      setEntries((current) => patchQueue(current, event));
      scheduleRefetch();
    });
    // Events may have been missed while the socket was down.
    const offState = socket.onState((state) => {
      if (state === 'online') scheduleRefetch();
    });
    return () => {
      clearInterval(poll);
      clearTimeout(timer.current);
      offEvent();
      offState();
    };
  }, [socket, refetch, scheduleRefetch]);

  return { entries, loaded, error, refetch: scheduleRefetch };
}
