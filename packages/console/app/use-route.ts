import { useCallback, useEffect, useState, type MouseEvent } from 'react';

/** Client routes under /console/ (the service answers every one with index.html). */
const BASE = '/console/';
const CONVERSATION_PREFIX = `${BASE}conversations/`;
const ADMIN = `${BASE}admin`;

export type AdminSection = 'overview' | 'conversations' | 'controls' | 'team' | 'kb';

/** The admin sections with a page of their own and nothing after it in the path. */
const PLAIN_SECTIONS = ['controls', 'team', 'kb'] as const;

/**
 * Where the console is:
 * - /console/ and /console/conversations/<sessionId>: the desk (the queue, a conversation);
 * - /console/admin, /console/admin/conversations[/<sessionId>], /console/admin/controls,
 *   /console/admin/team, /console/admin/kb: Analytics (admins).
 */
export type ConsoleRoute = { view: 'desk'; sessionId: string | null } | { view: 'admin'; section: AdminSection; sessionId: string | null };

function decodeSegment(segment: string | undefined): string | null {
  if (!segment) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function routeFromPath(path: string): ConsoleRoute {
  if (path === ADMIN || path.startsWith(`${ADMIN}/`)) {
    const [section, id] = path.slice(ADMIN.length + 1).split('/');
    if (section === 'conversations') return { view: 'admin', section: 'conversations', sessionId: decodeSegment(id) };
    const plain = PLAIN_SECTIONS.find((name) => name === section);
    if (plain) return { view: 'admin', section: plain, sessionId: null };
    return { view: 'admin', section: 'overview', sessionId: null };
  }
  if (path.startsWith(CONVERSATION_PREFIX)) return { view: 'desk', sessionId: decodeSegment(path.slice(CONVERSATION_PREFIX.length).split('/')[0]) };
  return { view: 'desk', sessionId: null };
}

export function pathOf(route: ConsoleRoute): string {
  if (route.view === 'desk') return route.sessionId ? `${CONVERSATION_PREFIX}${encodeURIComponent(route.sessionId)}` : BASE;
  if (route.section === 'overview') return ADMIN;
  if (route.section !== 'conversations') return `${ADMIN}/${route.section}`;
  return route.sessionId ? `${ADMIN}/conversations/${encodeURIComponent(route.sessionId)}` : `${ADMIN}/conversations`;
}

/** Told when navigate() changes the address (history.pushState fires no popstate). */
const NAVIGATED = 'console:navigated';

export function navigate(path: string): void {
  if (location.pathname !== path) history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** The route in the address bar, kept current on navigate(), back and forward. */
export function useRoute(): ConsoleRoute {
  const [route, setRoute] = useState<ConsoleRoute>(() => routeFromPath(location.pathname));
  useEffect(() => {
    const update = () =>
      setRoute((current) => {
        const next = routeFromPath(location.pathname);
        return pathOf(next) === pathOf(current) ? current : next;
      });
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return route;
}

/** The open conversation, kept in the address (/console/conversations/<sessionId>) so that reload and back work. */
export function useSelectedConversation(): [string | null, (sessionId: string | null) => void] {
  const route = useRoute();
  const select = useCallback((sessionId: string | null) => navigate(pathOf({ view: 'desk', sessionId })), []);
  return [route.view === 'desk' ? route.sessionId : null, select];
}

/**
 * An onClick for a same-console link: navigates without a reload; a click with a modifier
 * key (new tab, new window) is left to the browser.
 */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.pathname);
}
