/**
 * Theming: each variable is a CSS custom property on the widget's root
 * (`accent` → `--support-accent`). Values are set through the style object
 * (CSSStyleDeclaration.setProperty), so a value cannot add rules or selectors.
 */
export const themeVariables = {
  accent: '--support-accent',
  accentText: '--support-accent-text',
  bg: '--support-bg',
  surface: '--support-surface',
  text: '--support-text',
  muted: '--support-muted',
  border: '--support-border',
  radius: '--support-radius',
  font: '--support-font',
  fontSize: '--support-font-size',
  agentBg: '--support-agent-bg',
  agentBorder: '--support-agent-border',
  agentText: '--support-agent-text',
  userBg: '--support-user-bg',
  userText: '--support-user-text',
  focus: '--support-focus',
  shadow: '--support-shadow',
  zIndex: '--support-z-index',
} as const;

export type ThemeVariable = keyof typeof themeVariables;
export type Theme = Partial<Record<ThemeVariable, string>>;

/** The style object for a theme; unknown keys and values with characters that end a declaration are dropped. */
export function themeStyle(theme: Theme | undefined): Record<string, string> {
  const style: Record<string, string> = {};
  if (!theme) return style;
  for (const [key, value] of Object.entries(theme)) {
    const property = (themeVariables as Record<string, string>)[key];
    if (!property || typeof value !== 'string') continue;
    const trimmed = value.trim();
    if (trimmed === '' || /[;{}<>]/.test(trimmed)) continue;
    style[property] = trimmed;
  }
  return style;
}
