/** How the console words and formats what the API sends. */
import type { QueueEntry } from './api.js';

const TRIGGERS: Record<string, string> = {
  customer_button: 'Pressed “Talk to a human”',
  explicit_request: 'Asked for a person',
  ai_tool: 'Handed over by the AI',
  repeated_failure: 'AI could not answer',
  negative_sentiment: 'Customer upset',
  accepted_offer: 'Accepted the offer of a person',
};

export function triggerLabel(trigger: string | undefined | null): string {
  if (!trigger) return 'Handoff';
  return TRIGGERS[trigger] ?? capitalise(trigger.replace(/_/g, ' '));
}

export function modeLabel(mode: QueueEntry['mode'] | undefined): string {
  return mode === 'live_agent' ? 'Live chat' : mode === 'ticket' ? 'Ticket' : 'Unknown mode';
}

export function priorityLabel(priority: string): string {
  return capitalise(priority);
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "45s", "3m 05s", "2h 07m", "3d 4h": how long since `sinceIso` at `nowMs` (both server time). */
export function waitTime(sinceIso: string, nowMs: number): string {
  const since = Date.parse(sinceIso);
  if (!Number.isFinite(since)) return '—';
  const seconds = Math.max(0, Math.floor((nowMs - since) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

/** A message time: the clock time today, with the day otherwise. */
export function messageTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toDateString() === now.toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
}

export function calendarDate(isoOrDate: string): string {
  const date = new Date(isoOrDate);
  return Number.isNaN(date.getTime()) ? isoOrDate : dateFormat.format(date);
}

export function customerName(customer: { name: string } | null | undefined): string {
  return customer?.name?.trim() || 'Guest';
}
