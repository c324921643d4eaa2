import { useEffect, useMemo, useRef, useState } from 'react';
import { ChatController, type ControllerOptions, type EscalationInfo } from './core/controller.js';
import { browserLanguages, resolveLocale } from './i18n/index.js';
import css from './styles.css?inline';
import { themeStyle, type Theme } from './theme.js';
import { ChatPanel, type Suggestions } from './ui/ChatPanel.js';

export interface SupportChatProps {
  /** Base URL of the support service, e.g. "https://support.example.com"; "" for the page's own origin. */
  serviceUrl: string;
  /**
   * The host application's sign-in: resolves to a host-signed JWT for the
   * customer, or null for a guest. Called when a session is created or
   * resumed, never stored. Keep it stable (useCallback); to switch customers,
   * remount (e.g. `key={userId}`).
   */
  getCustomerToken?: () => Promise<string | null>;
  /** 'en', 'es' or any BCP 47 tag ("es-MX"); default: the browser's languages; unknown ones fall back to English. */
  locale?: 'en' | 'es' | (string & {});
  /** CSS custom properties: `{ accent: '#6b21a8' }` sets `--support-accent`. */
  theme?: Theme;
  /** Called once per ticket when the conversation is handed to people (live agent or ticket). */
  onEscalated?: (info: EscalationInfo) => void;
  /** A signed-in customer's earlier conversation to reopen (resumeSessionId). */
  initialOpenSessionId?: string;
  /** Suggestion chips instead of the locale's defaults (guests are never offered the customer ones). */
  suggestions?: Suggestions;
  /** Heading of the panel (default: the locale's "Customer support"). */
  title?: string;
  /** Shows a close button that calls this. */
  onClose?: () => void;
  className?: string;
  id?: string;
  /** Render the widget's stylesheet with the component (default true; the script-tag bundle puts it in its shadow root). */
  injectStyles?: boolean;
  /** For tests and unusual hosts: overrides of what the controller uses (fetch, WebSocket, storage, ...). */
  controllerOverrides?: Partial<Omit<ControllerOptions, 'serviceUrl' | 'locale' | 'getCustomerToken' | 'initialOpenSessionId' | 'onEscalated'>>;
}

/** The chat panel, embedded where it is rendered (it fills its container; give it a height). */
export function SupportChat(props: SupportChatProps) {
  const { serviceUrl, locale: requested, theme, injectStyles = true } = props;
  const locale = useMemo(() => resolveLocale(requested, browserLanguages()), [requested]);
  // The latest callbacks, without restarting the conversation when a host passes new closures.
  const latest = useRef(props);
  latest.current = props;
  const [controller, setController] = useState<ChatController | null>(null);

  useEffect(() => {
    const created = new ChatController({
      ...latest.current.controllerOverrides,
      serviceUrl,
      locale: locale.tag,
      getCustomerToken: latest.current.getCustomerToken ? () => (latest.current.getCustomerToken as () => Promise<string | null>)() : undefined,
      initialOpenSessionId: latest.current.initialOpenSessionId,
      onEscalated: (info) => latest.current.onEscalated?.(info),
    });
    setController(created);
    void created.start();
    return () => created.stop();
  }, [serviceUrl, locale.tag]);

  const style = useMemo(() => themeStyle(theme), [theme]);
  return (
    <>
      {injectStyles && <style>{css}</style>}
      {controller && (
        <ChatPanel
          controller={controller}
          strings={locale.strings}
          locale={locale.tag}
          title={props.title}
          style={style}
          className={props.className}
          id={props.id}
          suggestions={props.suggestions}
          onClose={props.onClose}
        />
      )}
    </>
  );
}
