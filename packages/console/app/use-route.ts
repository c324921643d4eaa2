import { useCallback, useEffect, useState } from 'react';

/** Client routes under /console/ (the service answers every one with index.html). */
const BASE = '/console/';
const CONVERSATION_PREFIX = `${BASE}conversations/`;

function selectedFromLocation(): string | null {
  const path = location.pathname;
  if (!path.startsWith(CONVERSATION_PREFIX)) return null;
  const id = path.slice(CONVERSATION_PREFIX.length).split('/')[0] ?? '';
  try {
    return id ? decodeURIComponent(id) : null;
  } catch {
    return null;
  }
}

/** The open conversation, kept in the address (/console/conversations/<sessionId>) so that reload and back work. */
export function useSelectedConversation(): [string | null, (sessionId: string | null) => void] {
  const [selected, setSelected] = useState<string | null>(selectedFromLocation);

  useEffect(() => {
    const onPop = () => setSelected(selectedFromLocation());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const select = useCallback((sessionId: string | null) => {
    const path = sessionId ? `${CONVERSATION_PREFIX}${encodeURIComponent(sessionId)}` : BASE;
    if (location.pathname !== path) history.pushState(null, '', path);
    setSelected(sessionId);
  }, []);

  return [selected, select];
}
