/**
 * The script-tag entry (dist/widget.js). Built with react/react-dom aliased
 * to preact/compat, it runs on load:
 *
 *   <script src="https://support.example.com/widget/v1/widget.js"
 *           data-service-url="https://support.example.com" data-locale="es"
 *           data-token-endpoint="/my-app/support-token"
 *           data-mode="launcher|inline|manual" data-target="#support"></script>
 *
 * Everything renders inside a shadow root on a host element of its own, with
 * the stylesheet injected there: the page's CSS cannot style the widget and
 * the widget's cannot leak out. `window.SupportWidget` lets the page mount
 * panels, open/close the launcher and provide the customer's token.
 */
import { useEffect, useId, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { EscalationInfo } from './core/controller.js';
import { normalizeServiceUrl } from './core/urls.js';
import { browserLanguages, resolveLocale } from './i18n/index.js';
import { SupportChat } from './SupportChat.js';
import css from './styles.css?inline';
import { themeStyle, themeVariables, type Theme } from './theme.js';
import { Icon } from './ui/icons.js';

export type TokenProvider = () => Promise<string | null>;

export interface MountOptions {
  serviceUrl?: string;
  locale?: string;
  theme?: Theme;
  /** The customer's host-signed JWT (null: guest). SupportWidget.setCustomerTokenProvider() replaces it for every panel. */
  getCustomerToken?: TokenProvider;
  /** Same-origin URL POSTed with the page's cookies (credentials: 'include'); answers `{ customerToken }`. */
  tokenEndpoint?: string;
  onEscalated?: (info: EscalationInfo) => void;
  initialOpenSessionId?: string;
  title?: string;
}

export interface SupportWidgetApi {
  /** Mounts an embedded panel into `element` (inside a shadow root); returns how to take it away again. */
  mount(element: Element | string, options?: MountOptions): { unmount(): void };
  /** Opens / closes the floating launcher's panel (adding the launcher first if needed). */
  open(): void;
  close(): void;
  /** The host's sign-in for every panel; the conversation restarts for the new customer. Null: guest. */
  setCustomerTokenProvider(provider: TokenProvider | null): void;
  readonly version: string;
}

declare global {
  interface Window {
    SupportWidget?: SupportWidgetApi;
  }
}

const VERSION = '1';
// Read while the script runs: afterwards document.currentScript is null.
const currentScript = typeof document !== 'undefined' ? (document.currentScript as HTMLScriptElement | null) : null;

/** The service's address: data-service-url, else the origin the script itself was loaded from. */
export function defaultServiceUrl(script: HTMLScriptElement | null, pageHref: string): string {
  const explicit = script?.dataset.serviceUrl;
  if (explicit !== undefined) return normalizeServiceUrl(explicit);
  if (script?.src) {
    try {
      return new URL(script.src, pageHref).origin;
    } catch {
      // fall through
    }
  }
  return '';
}

/**
 * The data-token-endpoint provider: POSTs to a URL of the page's own origin
 * with the page's credentials (its login cookie) and reads `{ customerToken }`.
 * The host's login never goes into the script URL; another origin is refused.
 */
export function tokenEndpointProvider(endpoint: string, pageHref: string, fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init)): TokenProvider | null {
  let url: URL;
  try {
    url = new URL(endpoint, pageHref);
  } catch {
    return null;
  }
  if (url.origin !== new URL(pageHref).origin) {
    console.warn('[support-widget] data-token-endpoint must be on the page’s own origin; ignored:', endpoint);
    return null;
  }
  return async () => {
    const response = await fetchImpl(url.href, { method: 'POST', credentials: 'include', headers: { accept: 'application/json' } });
    if (!response.ok) return null; // signed out (401) or no token: a guest
    const body = (await response.json().catch(() => null)) as { customerToken?: unknown } | null;
    return typeof body?.customerToken === 'string' && body.customerToken !== '' ? body.customerToken : null;
  };
}

/** `data-theme-accent="#6b21a8"` and friends. */
export function themeFromDataset(dataset: DOMStringMap | undefined): Theme {
  const theme: Theme = {};
  if (!dataset) return theme;
  for (const key of Object.keys(themeVariables) as Array<keyof typeof themeVariables>) {
    const value = dataset[`theme${key[0]?.toUpperCase()}${key.slice(1)}`];
    if (value) theme[key] = value;
  }
  return theme;
}

// ------------------------------------------------------------------ shared state of every panel on the page

interface EmbedState {
  provider: TokenProvider | null;
  /** Bumped when the provider changes: panels remount for the new customer. */
  identity: number;
  open: boolean;
}

let embedState: EmbedState = { provider: null, identity: 0, open: false };
const listeners = new Set<() => void>();
const store = {
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  get: () => embedState,
  set(patch: Partial<EmbedState>) {
    embedState = { ...embedState, ...patch };
    for (const listener of [...listeners]) listener();
  },
};

function useEmbedState(): EmbedState {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

function resolveOptions(options: MountOptions, state: EmbedState, pageHref: string) {
  const provider = state.provider ?? options.getCustomerToken ?? (options.tokenEndpoint ? tokenEndpointProvider(options.tokenEndpoint, pageHref) : null) ?? undefined;
  return { provider, serviceUrl: normalizeServiceUrl(options.serviceUrl ?? defaultServiceUrl(currentScript, pageHref)) };
}

/**
 * The stylesheet into a shadow root: a constructed stylesheet where the browser has them (no inline <style>,
 * so a host page's CSP needs no 'unsafe-inline' for styles), else a <style> element.
 */
function adoptStyles(root: ShadowRoot): () => void {
  if (typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype && Array.isArray(root.adoptedStyleSheets)) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return () => {
        root.adoptedStyleSheets = root.adoptedStyleSheets.filter((existing) => existing !== sheet);
      };
    } catch {
      // fall back to a <style> element
    }
  }
  const style = document.createElement('style');
  style.textContent = css;
  root.prepend(style);
  return () => style.remove();
}

/** A shadow root on a host element: the page's CSS stays out, ours stays in. */
function shadowContainer(host: Element, className: string): { container: HTMLElement; cleanup: () => void } {
  let shadowHost: Element = host;
  let created: HTMLElement | null = null;
  if (host.shadowRoot || !('attachShadow' in host)) {
    created = document.createElement('div');
    host.appendChild(created);
    shadowHost = created;
  }
  const root = shadowHost.shadowRoot ?? (shadowHost as HTMLElement).attachShadow({ mode: 'open' });
  const container = document.createElement('div');
  container.className = className;
  root.append(container);
  const removeStyles = adoptStyles(root);
  return {
    container,
    cleanup: () => {
      removeStyles();
      container.remove();
      created?.remove();
    },
  };
}

/** What every mounted panel gets from the embed options (styles come from the shadow root, not the component). */
function chatProps(options: MountOptions, serviceUrl: string, provider: ReturnType<typeof resolveOptions>['provider']) {
  return {
    serviceUrl,
    getCustomerToken: provider,
    locale: options.locale,
    theme: options.theme,
    onEscalated: options.onEscalated,
    initialOpenSessionId: options.initialOpenSessionId,
    title: options.title,
    injectStyles: false,
  };
}

function InlinePanel({ options }: { options: MountOptions }) {
  const state = useEmbedState();
  const pageHref = location.href;
  const { provider, serviceUrl } = resolveOptions(options, state, pageHref);
  return <SupportChat key={state.identity} {...chatProps(options, serviceUrl, provider)} />;
}

function Launcher({ options }: { options: MountOptions }) {
  const state = useEmbedState();
  const strings = resolveLocale(options.locale, browserLanguages()).strings;
  const panelId = useId();
  const launcher = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const [started, setStarted] = useState(false);
  const wasOpen = useRef(false);
  const { provider, serviceUrl } = resolveOptions(options, state, location.href);

  useEffect(() => {
    const wasOpenBefore = wasOpen.current;
    wasOpen.current = state.open;
    if (!state.open) {
      // Closing (Escape, the close button, SupportWidget.close()) returns focus to the launcher.
      if (wasOpenBefore) launcher.current?.focus();
      return;
    }
    setStarted(true);
    // Focus moves into the panel, to the composer, as soon as it is rendered (the first open mounts it).
    let frames = 0;
    let handle = 0;
    const focusComposer = () => {
      const textarea = panel.current?.querySelector<HTMLTextAreaElement>('textarea');
      if (textarea) textarea.focus();
      else if (frames++ < 120) handle = requestAnimationFrame(focusComposer);
    };
    handle = requestAnimationFrame(focusComposer);
    return () => cancelAnimationFrame(handle);
  }, [state.open]);

  // Full screen on a phone: the panel follows the visual viewport (the on-screen keyboard shrinks it).
  useEffect(() => {
    const viewport = window.visualViewport;
    if (!viewport) return;
    const apply = () => panel.current?.style.setProperty('--sc-viewport-height', `${Math.round(viewport.height)}px`);
    apply();
    viewport.addEventListener('resize', apply);
    return () => viewport.removeEventListener('resize', apply);
  }, []);

  const close = () => store.set({ open: false });
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  };

  return (
    <div className="sc-embed" style={themeStyle(options.theme)}>
      <div
        id={panelId}
        ref={panel}
        className="sc-float"
        role="dialog"
        aria-modal="false"
        aria-label={options.title ?? strings.title}
        hidden={!state.open}
        onKeyDown={onKeyDown}
      >
        {started && (
          <SupportChat key={state.identity} {...chatProps(options, serviceUrl, provider)} onClose={close} />
        )}
      </div>
      <button
        ref={launcher}
        type="button"
        className="sc-launcher"
        aria-expanded={state.open}
        aria-controls={panelId}
        aria-label={state.open ? strings.launcherClose : strings.launcherOpen}
        title={state.open ? strings.launcherClose : strings.launcherOpen}
        onClick={() => store.set({ open: !state.open })}
      >
        <Icon name={state.open ? 'close' : 'chat'} />
      </button>
    </div>
  );
}

// ------------------------------------------------------------------ the API and the auto-start

let launcherRoot: { root: Root; cleanup: () => void } | null = null;
let launcherOptions: MountOptions = {};

function ensureLauncher(options: MountOptions = launcherOptions): void {
  if (launcherRoot) return;
  launcherOptions = options;
  const host = document.createElement('div');
  host.setAttribute('data-support-widget', 'launcher');
  document.body.appendChild(host);
  const { container, cleanup } = shadowContainer(host, 'sc-launcher-host');
  const root = createRoot(container);
  root.render(<Launcher options={options} />);
  launcherRoot = {
    root,
    cleanup: () => {
      cleanup();
      host.remove();
    },
  };
}

function mountInline(target: Element | string, options: MountOptions = {}): { unmount(): void } {
  const element = typeof target === 'string' ? document.querySelector(target) : target;
  if (!element) throw new Error(`SupportWidget.mount: no element matches ${String(target)}`);
  const { container, cleanup } = shadowContainer(element, 'sc-inline');
  const root = createRoot(container);
  root.render(<InlinePanel options={options} />);
  return {
    unmount() {
      root.unmount();
      cleanup();
    },
  };
}

export const SupportWidget: SupportWidgetApi = {
  mount: mountInline,
  open() {
    ensureLauncher();
    store.set({ open: true });
  },
  close() {
    store.set({ open: false });
  },
  setCustomerTokenProvider(provider) {
    if (provider !== null && typeof provider !== 'function') throw new TypeError('setCustomerTokenProvider expects a function returning Promise<string | null>');
    store.set({ provider, identity: embedState.identity + 1 });
  },
  version: VERSION,
};

/** The options a script tag's data-* attributes give. */
export function optionsFromScript(script: HTMLScriptElement | null, pageHref: string): MountOptions & { mode: string; target: string | null } {
  const data = script?.dataset ?? {};
  const theme = themeFromDataset(script?.dataset);
  return {
    serviceUrl: defaultServiceUrl(script, pageHref),
    ...(data.locale ? { locale: data.locale } : {}),
    ...(data.tokenEndpoint ? { tokenEndpoint: data.tokenEndpoint } : {}),
    ...(Object.keys(theme).length > 0 ? { theme } : {}),
    ...(data.title ? { title: data.title } : {}),
    mode: data.mode ?? 'launcher',
    target: data.target ?? null,
  };
}

function autoStart(): void {
  if (typeof window === 'undefined' || typeof document === 'undefined') return;
  // Loaded twice: the first copy stays in charge.
  if (window.SupportWidget) return;
  window.SupportWidget = SupportWidget;
  const { mode, target, ...options } = optionsFromScript(currentScript, location.href);
  launcherOptions = options;
  const run = () => {
    if (mode === 'manual') return;
    if (mode === 'inline') {
      if (!target) return console.warn('[support-widget] data-mode="inline" needs data-target');
      const element = document.querySelector(target);
      if (!element) return console.warn(`[support-widget] no element matches data-target="${target}"`);
      mountInline(element, options);
      return;
    }
    ensureLauncher(options);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run, { once: true });
  else run();
}

autoStart();
