import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiClient, ApiError, type Agent } from '../api.js';
import { clearSession, loadSession, refreshDelayMs, saveSession, type AuthSession } from '../auth-session.js';
import { Desk } from './Desk.js';
import { LoginScreen } from './LoginScreen.js';

/** Signed in or not; keeps the token fresh (refreshed ahead of expiresAt) and drops it on any 401. */
export function App() {
  const [session, setSessionState] = useState<AuthSession | null>(() => loadSession());
  const [notice, setNotice] = useState<string | null>(null);
  // Read by the API client and the socket on every call: always the newest token.
  const sessionRef = useRef(session);

  const setSession = useCallback((next: AuthSession | null) => {
    sessionRef.current = next;
    if (next) saveSession(next);
    else clearSession();
    setSessionState(next);
  }, []);

  const signOut = useCallback(
    (message: string | null) => {
      setSession(null);
      setNotice(message);
    },
    [setSession],
  );

  const getToken = useCallback(() => sessionRef.current?.token ?? null, []);
  const onUnauthorized = useCallback(() => {
    if (sessionRef.current) signOut('Your session has ended. Please sign in again.');
  }, [signOut]);
  const api = useMemo(() => new ApiClient({ getToken, onUnauthorized }), [getToken, onUnauthorized]);

  // A session restored from storage after a reload: check that the token still works (a 401 signs out).
  useEffect(() => {
    const restored = sessionRef.current;
    if (!restored) return;
    api.me().then(
      (agent) => {
        if (sessionRef.current?.token === restored.token) setSession({ ...restored, agent });
      },
      () => undefined,
    );
  }, [api, setSession]);

  // Refresh ahead of expiry; on a failure other than 401, try again until the token runs out.
  const token = session?.token;
  useEffect(() => {
    const current = sessionRef.current;
    if (!token || !current) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const refreshed = await api.refresh();
        if (cancelled || !sessionRef.current) return;
        setSession({ ...sessionRef.current, token: refreshed.token, expiresAtMs: Date.parse(refreshed.expiresAt) - api.clockOffsetMs });
      } catch (error) {
        if (cancelled || (error instanceof ApiError && error.status === 401)) return; // signed out already
        const remaining = current.expiresAtMs - Date.now();
        if (remaining <= 1000) signOut('Your session expired. Please sign in again.');
        else timer = setTimeout(() => void run(), Math.min(10_000, remaining / 2));
      }
    };
    timer = setTimeout(() => void run(), refreshDelayMs(current.expiresAtMs - Date.now()));
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, token, setSession, signOut]);

  const onLoggedIn = useCallback(
    (result: { token: string; expiresAt: string; agent: Agent }) => {
      setNotice(null);
      setSession({ token: result.token, expiresAtMs: Date.parse(result.expiresAt) - api.clockOffsetMs, agent: result.agent });
    },
    [api, setSession],
  );

  const onSignOut = useCallback(() => {
    void api.logout().catch(() => undefined);
    signOut('You are signed out.');
  }, [api, signOut]);

  if (!session) return <LoginScreen api={api} notice={notice} onLoggedIn={onLoggedIn} />;
  return <Desk api={api} agent={session.agent} getToken={getToken} onUnauthorized={onUnauthorized} onSignOut={onSignOut} />;
}
