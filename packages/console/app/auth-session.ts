/**
 * The signed-in agent, kept in sessionStorage: it survives a reload of this
 * tab, never reaches another tab, and is gone when the tab closes.
 */
import { z } from 'zod';
import { agentSchema, type Agent } from '@support/protocol';

const STORAGE_KEY = 'skyway.console.session';

export interface AuthSession {
  token: string;
  /** When the token runs out, in this browser's clock (the server's expiresAt, corrected for clock skew). */
  expiresAtMs: number;
  agent: Agent;
}

const storedSchema = z.object({ token: z.string().min(1), expiresAtMs: z.number(), agent: agentSchema });

export function loadSession(): AuthSession | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = storedSchema.safeParse(JSON.parse(raw));
    if (!parsed.success || parsed.data.expiresAtMs <= Date.now()) {
      sessionStorage.removeItem(STORAGE_KEY);
      return null;
    }
    return parsed.data;
  } catch {
    return null; // storage disabled or corrupt: sign in again
  }
}

export function saveSession(session: AuthSession): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Storage full or disabled: the session still works until a reload.
  }
}

export function clearSession(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing to clear
  }
}

/**
 * When to refresh a token that runs out in `remainingMs`: a minute and a half
 * before (a quarter of the time left for short-lived tokens), never in the past.
 */
export function refreshDelayMs(remainingMs: number): number {
  const lead = Math.min(90_000, remainingMs / 4);
  return Math.max(0, remainingMs - lead);
}
