import { redactText } from '../guardrails/redaction.js';

/** How much of the customer's first message a conversation list shows. */
export const CONVERSATION_PREVIEW_CHARS = 120;

/** The first message as a list shows it (the customer's, or an admin's): redacted, on one line, clipped. */
export function conversationPreview(text: string | null): string | null {
  if (text === null) return null;
  const line = redactText(text).replace(/\s+/g, ' ').trim();
  const chars = Array.from(line); // by code point: an emoji is not cut in half
  return chars.length <= CONVERSATION_PREVIEW_CHARS ? line : `${chars.slice(0, CONVERSATION_PREVIEW_CHARS - 1).join('').trimEnd()}…`;
}
