/**
 * The browser globals the framework-free core uses, read through one typed
 * accessor: the core (controller, storage, locale choice) compiles without the
 * DOM library (the repository's root tsconfig checks every packages/*\/src .ts
 * file with Node's types only) and runs where a global is missing (tests, SSR).
 */
import type { KeyValueStore } from './storage.js';

export interface SocketCtor {
  new (url: string): unknown;
}

interface EventSource {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface BrowserGlobals {
  location?: { href: string; origin: string };
  WebSocket?: SocketCtor;
  window?: EventSource;
  document?: EventSource & { visibilityState?: string };
  navigator?: { onLine?: boolean; language?: string; languages?: readonly string[] };
  localStorage?: KeyValueStore;
  sessionStorage?: KeyValueStore;
}

export function browser(): BrowserGlobals {
  return globalThis as unknown as BrowserGlobals;
}
