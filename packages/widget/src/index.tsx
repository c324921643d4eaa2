/** `@support/widget`: the customer chat panel as a React component, and the pieces under it. */
export { SupportChat, type SupportChatProps } from './SupportChat.js';
export { ChatController, type ControllerOptions, type WidgetState, type ConnectionState, type EscalationInfo, type SocketLike } from './core/controller.js';
export type { ConversationState, ChatItem, ActionCard } from './core/conversation.js';
export { themeVariables, type Theme, type ThemeVariable } from './theme.js';
export { locales, resolveLocale, type Strings, type SupportedLocale } from './i18n/index.js';
export type { Suggestions } from './ui/ChatPanel.js';
/** The widget's stylesheet, for hosts that render <SupportChat injectStyles={false} /> and add it themselves (e.g. with a CSP nonce). */
export { default as supportChatCss } from './styles.css?inline';
