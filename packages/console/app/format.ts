/** How the console words and formats what the API sends. */
import type { QueueEntry } from './api.js';

const TRIGGERS: Record<string, string> = {
  customer_button: 'Pressed “Talk to a human”',
  explicit_request: 'Asked for a person',
  ai_tool: 'Handed over by the AI',
  repeated_failure: 'AI could not answer',
  negative_sentiment: 'Customer upset',
  accepted_offer: 'Accepted the offer of a person',
  safety: 'Safety guardrail',
  ai_disabled: 'Assistant switched off',
};

/** Every handoff trigger (ticket source) the service records, for the transcript browser's filter. */
export const TRIGGER_SOURCES = Object.keys(TRIGGERS);

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

// ---------------------------------------------------------------- numbers (the Analytics pages)

const integerFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const smallMoney = new Intl.NumberFormat(undefined, { minimumFractionDigits: 4, maximumFractionDigits: 6 });
const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const seconds = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 2 });

/** An em dash stands for "nothing to compute from" (a null rate or percentile), never for zero. */
export const NONE = '—';

export function formatCount(value: number): string {
  return integerFormat.format(value);
}

/** A rate in 0..1 as a percentage ("60%", "66.7%"); null (nothing to divide by) as an em dash. */
export function formatRate(value: number | null): string {
  return value === null ? NONE : percentFormat.format(value);
}

/** US dollars: at least four decimals below a dollar (model calls cost fractions of a cent), two from a dollar. */
export function formatUsd(value: number): string {
  return `US$${(Math.abs(value) < 1 ? smallMoney : money).format(value)}`;
}

/** Milliseconds as "840 ms" or "1.25 s"; null as an em dash. */
export function formatMs(value: number | null): string {
  if (value === null) return NONE;
  return value < 1000 ? `${integerFormat.format(value)} ms` : `${seconds.format(value / 1000)} s`;
}

const OUTCOME_LABELS: Record<string, string> = { contained: 'Contained', escalated: 'Escalated', abandoned: 'Abandoned' };

export function outcomeLabel(outcome: string): string {
  return OUTCOME_LABELS[outcome] ?? capitalise(outcome);
}

/** A machine word from the API ("pii_exposure", "safe_reply") as text: "Pii exposure", "Safe reply". */
export function wordsOf(value: string): string {
  return capitalise(value.replace(/_/g, ' '));
}

/**
 * Who stored a settings version: the signed-in admin, another admin agent (by name when `names`,
 * agent id to name, knows the id), the API key, or the configuration.
 */
export function actorLabel(updatedBy: string, me: { id: string; name: string }, names?: ReadonlyMap<string, string>): string {
  if (updatedBy === `agent:${me.id}`) return `${me.name} (you)`;
  if (updatedBy.startsWith('agent:')) {
    const id = updatedBy.slice('agent:'.length);
    const name = names?.get(id);
    // An id no account has (deleted, or the list not loaded): shown as stored.
    return name ?? (names ? updatedBy : `Agent ${id}`);
  }
  if (updatedBy === 'admin-api-key') return 'The admin API key';
  if (updatedBy === 'configuration') return 'The service configuration';
  return updatedBy;
}

/** Where a knowledge-base article came from: written in the console or the admin API (source "admin"), or its importer's source. */
export function kbSourceLabel(source: string): string {
  return source === 'admin' ? 'Written here' : source;
}

/** The same inside a sentence ("saved by the admin API key"): a leading "The" of a thing lower-cased, names kept. */
export function actorInSentence(updatedBy: string, me: { id: string; name: string }): string {
  const label = actorLabel(updatedBy, me);
  return label.startsWith('The ') ? `the ${label.slice(4)}` : label;
}
