import { randomBytes, randomUUID } from 'node:crypto';

// Prefixed ids tell at a glance what a log line refers to.
export const newSessionId = () => `ses_${randomUUID().replace(/-/g, '')}`;
export const newMessageId = () => `msg_${randomUUID().replace(/-/g, '')}`;
export const newInteractionId = () => `aii_${randomUUID().replace(/-/g, '')}`;

// Short enough to read out on the phone; no 0/O or 1/I to confuse.
const TICKET_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function newTicketId(): string {
  const bytes = randomBytes(8);
  let id = '';
  for (const byte of bytes) id += TICKET_ALPHABET[byte % TICKET_ALPHABET.length];
  return `TKT-${id}`;
}
