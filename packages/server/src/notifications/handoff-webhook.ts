import { createHmac, timingSafeEqual } from 'node:crypto';
import { ticketPrioritySchema, type TicketPriority } from '@support/protocol';
import { z } from 'zod';
import type { JobQueue } from '../bus/job-queue.js';
import { AppError } from '../errors/app-error.js';
import type { EscalationSource } from '../escalation/escalation-service.js';
import { redactText } from '../guardrails/redaction.js';
import type { Queryable } from '../storage/database.js';

/**
 * An optional outgoing webhook for new handoffs: one POST per new ticket, in
 * the shape of a Slack incoming webhook (`text` and `blocks`; Mattermost and
 * other Slack-compatible receivers take it too), plus a `handoff` object with
 * the raw fields for any other receiver. A background job sends it (the job
 * queue retries with backoff) and reads the ticket as it stands at send time.
 *
 * What leaves: the ticket and session ids, priority, mode, trigger, creation
 * time, and the subject and summary after redactText (e-mail addresses, card
 * numbers, phone numbers, tokens become [EMAIL], [CARD], ...), clipped. Not
 * the customer's name, e-mail or id: the console link shows them to agents
 * who have signed in.
 *
 * Delivery is at least once (a receiver that timed out may have acted):
 * dedupe on `handoff.ticketId`, also sent as `x-skyway-delivery`.
 *
 * Signature, when a secret is configured (Slack's request-signing scheme):
 *
 *   x-skyway-timestamp: <unix seconds when this attempt was sent>
 *   x-skyway-signature: v1=<hex HMAC-SHA256(secret, "v1:" + timestamp + ":" + body)>
 *
 * To verify, a receiver takes the raw request body exactly as received
 * (before any JSON parsing), refuses the request when the timestamp is more
 * than 5 minutes from its own clock (a replay), computes the HMAC over
 * `v1:<timestamp header as sent>:<raw body>` and compares it with the hex
 * after `v1=` in constant time. verifyWebhookSignature below does all of
 * that. Each retry is signed again with its own timestamp. Without a secret
 * the headers are absent; a Slack URL carries its own secret in its path.
 */

export const HANDOFF_WEBHOOK = 'handoff-webhook';
export const WEBHOOK_SIGNATURE_HEADER = 'x-skyway-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-skyway-timestamp';
export const WEBHOOK_DELIVERY_HEADER = 'x-skyway-delivery';
export const WEBHOOK_USER_AGENT = 'skyway-support-webhook/1';
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

export interface HandoffWebhookConfig {
  /** Where to POST; a Slack incoming-webhook URL works as is. Its path may hold a secret: only its origin is ever logged. */
  url: string;
  /** HMAC key for x-skyway-signature; null sends no signature headers. */
  secret: string | null;
  timeoutMs: number;
  /** The service's public address (e.g. https://support.example.com): the payload links to the conversation in the console. */
  consoleBaseUrl: string | null;
}

/** The ticket as the webhook describes it. */
export interface HandoffTicket {
  ticketId: string;
  sessionId: string;
  subject: string;
  source: string;
  mode: 'live_agent' | 'ticket';
  priority: TicketPriority;
  summary: string | null;
  createdAt: Date;
}

interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
}

export type SlackBlock = { type: 'section'; text: MrkdwnText } | { type: 'section'; fields: MrkdwnText[] };

export interface HandoffWebhookPayload {
  /** One line: Slack's notification text and the fallback where blocks are not shown. */
  text: string;
  blocks: SlackBlock[];
  /** The raw (redacted, clipped, not escaped) fields, for receivers that are not Slack. */
  handoff: {
    ticketId: string;
    sessionId: string;
    priority: TicketPriority;
    mode: 'live_agent' | 'ticket';
    source: string;
    subject: string;
    summary: string | null;
    createdAt: string;
    consoleUrl: string | null;
  };
}

// Ticket subjects are stored clipped to 200; the summary quotes a few lines. Slack allows 3000 characters per section text.
const SUBJECT_MAX = 200;
const FALLBACK_SUBJECT_MAX = 150;
const SUMMARY_MAX = 1500;
const SECTION_TEXT_MAX = 2900;
const DETAIL_MAX = 200;

const TRIGGERS: Record<EscalationSource, string> = {
  customer_button: 'Customer pressed "Talk to a human"',
  explicit_request: 'Customer asked for a person',
  accepted_offer: "Customer accepted the assistant's offer of a person",
  ai_tool: 'The assistant opened a ticket',
  repeated_failure: 'The assistant could not answer several times in a row',
  negative_sentiment: 'Customer seems upset',
  safety: 'A safety rule asked for a person',
  ai_disabled: 'The assistant is switched off',
};

const PRIORITY_LABELS: Record<TicketPriority, string> = { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' };
const MODE_LABELS = { live_agent: 'Live chat', ticket: 'Ticket' } as const;

/** Slack's three mrkdwn control characters; escaped, a customer cannot ping @channel, forge a link or break the layout. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** At most `max` characters (code points), with an ellipsis when cut. */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Escaped, and at most `max` characters once escaped, never cutting an entity in half. */
function mrkdwn(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const char of text) {
    const piece = escapeMrkdwn(char);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/** Redacted before clipped: a clipped e-mail address would no longer look like one, and would leak its first half. */
const userText = (text: string, max: number) => clip(redactText(text).replace(/\s+/g, ' ').trim(), max);

function triggerLabel(source: string): string {
  return Object.hasOwn(TRIGGERS, source) ? TRIGGERS[source as EscalationSource] : source;
}

function consoleUrlOf(consoleBaseUrl: string | null, sessionId: string): string | null {
  if (!consoleBaseUrl) return null;
  const root = new URL(consoleBaseUrl.endsWith('/') ? consoleBaseUrl : `${consoleBaseUrl}/`);
  return new URL(`console/conversations/${encodeURIComponent(sessionId)}`, root).toString();
}

/** The webhook's JSON body: a Slack message, and the raw fields beside it. */
export function buildHandoffPayload(ticket: HandoffTicket, consoleBaseUrl: string | null): HandoffWebhookPayload {
  const subject = userText(ticket.subject, SUBJECT_MAX);
  const summary = ticket.summary === null ? null : userText(ticket.summary, SUMMARY_MAX);
  const consoleUrl = consoleUrlOf(consoleBaseUrl, ticket.sessionId);
  const priority = PRIORITY_LABELS[ticket.priority];
  const mode = MODE_LABELS[ticket.mode];
  const icon = ticket.priority === 'high' || ticket.priority === 'urgent' ? ':rotating_light:' : ':speech_balloon:';
  const headline = `New ${ticket.mode === 'live_agent' ? 'live chat' : 'ticket'} handoff ${escapeMrkdwn(ticket.ticketId)}`;

  const blocks: SlackBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${icon} *${headline}*\n*Subject:* ${mrkdwn(subject, SECTION_TEXT_MAX - 100)}` } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Priority*\n${priority}` },
        { type: 'mrkdwn', text: `*Mode*\n${mode}` },
        { type: 'mrkdwn', text: `*Trigger*\n${mrkdwn(triggerLabel(ticket.source), 500)}` },
        { type: 'mrkdwn', text: `*Ticket*\n${escapeMrkdwn(ticket.ticketId)}` },
      ],
    },
  ];
  if (summary) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Summary*\n${mrkdwn(summary, SECTION_TEXT_MAX)}` } });
  if (consoleUrl) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${escapeMrkdwn(consoleUrl).replace(/\|/g, '%7C')}|Open the conversation in the agent console>` } });
  }

  return {
    text: `${icon} ${headline} (${priority}): ${mrkdwn(clip(subject, FALLBACK_SUBJECT_MAX), FALLBACK_SUBJECT_MAX * 5)}`,
    blocks,
    handoff: {
      ticketId: ticket.ticketId,
      sessionId: ticket.sessionId,
      priority: ticket.priority,
      mode: ticket.mode,
      source: ticket.source,
      subject,
      summary,
      createdAt: ticket.createdAt.toISOString(),
      consoleUrl,
    },
  };
}

function mac(secret: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`v1:${timestamp}:`).update(body).digest();
}

/** `v1=<hex HMAC-SHA256 of "v1:<timestamp>:<body>">`, the value of x-skyway-signature. */
export function signWebhook(secret: string, timestampSeconds: number, body: string | Uint8Array): string {
  return `v1=${mac(secret, String(timestampSeconds), body).toString('hex')}`;
}

/**
 * For receivers: whether `signature` (x-skyway-signature) is the sender's for
 * this raw body and `timestamp` (x-skyway-timestamp, as sent), and the
 * timestamp is within `toleranceSeconds` of now (older ones are replays).
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number | undefined,
  body: string | Uint8Array,
  signature: string | undefined,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  toleranceSeconds: number = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  const stamp = typeof timestamp === 'number' ? String(timestamp) : (timestamp ?? '');
  if (!/^\d{1,12}$/.test(stamp)) return false;
  if (Math.abs(nowSeconds - Number(stamp)) > toleranceSeconds) return false;
  const given = /^v1=([0-9a-f]{64})$/.exec(signature ?? '')?.[1];
  if (!given) return false;
  const expected = mac(secret, stamp, body);
  const actual = Buffer.from(given, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The receiver did not take it this time (timeout, network error, 408, 429, 5xx): the job queue tries again. */
export class HandoffWebhookError extends AppError {
  readonly upstreamStatus: number | undefined;

  constructor(message: string, options: { status?: number } = {}) {
    super('handoff_webhook_failed', message, { status: 502, retryable: true });
    this.name = 'HandoffWebhookError';
    this.upstreamStatus = options.status;
  }
}

/** What the job logs through; a pino logger fits. */
export interface HandoffWebhookLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

const silent: HandoffWebhookLogger = { info: () => {}, warn: () => {} };

const jobPayload = z.object({ ticketId: z.string().min(1) });

/** The configured URL, and the only part of it that may be logged. */
function webhookTarget(url: string): { url: URL; origin: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not the URL's own error: it would carry the whole URL, path secret included.
    throw new Error('handoff webhook: the URL is not a valid absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('handoff webhook: the URL must be http(s)');
  return { url: parsed, origin: parsed.origin };
}

/** A network error's code (ECONNREFUSED, ENOTFOUND, ...), never its message. */
function failureCode(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.name : 'unknown';
}

/** The first bytes of a refusal (Slack answers e.g. `invalid_payload`, `channel_not_found`), redacted, on one line. */
async function refusalDetail(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  try {
    const { value } = await reader.read();
    return clip(redactText(new TextDecoder().decode(value ?? new Uint8Array()).slice(0, DETAIL_MAX * 2)).replace(/\s+/g, ' ').trim(), DETAIL_MAX);
  } catch {
    return '';
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * Registers the job that POSTs the handoff webhook. A 2xx is done; a
 * timeout, network error, 408, 429 or 5xx throws HandoffWebhookError and the
 * queue retries with backoff; any other answer (4xx, or a 3xx: redirects are
 * not followed, the signed body goes where it was configured to) is logged
 * and dropped, as retrying would not change it.
 */
export function registerHandoffWebhookJob(
  queue: JobQueue,
  options: {
    config: HandoffWebhookConfig;
    loadTicket: (ticketId: string) => Promise<HandoffTicket | null>;
    fetch?: typeof fetch;
    logger?: HandoffWebhookLogger;
  },
): void {
  const { config, loadTicket } = options;
  const target = webhookTarget(config.url);
  const fetchImpl = options.fetch ?? fetch;
  const logger = options.logger ?? silent;

  queue.register(HANDOFF_WEBHOOK, async (raw, { attempt, idempotencyKey }) => {
    const { ticketId } = jobPayload.parse(raw);
    const ticket = await loadTicket(ticketId);
    if (!ticket) {
      logger.warn({ ticketId, target: target.origin }, 'handoff webhook: the ticket no longer exists; nothing sent');
      return;
    }
    const body = JSON.stringify(buildHandoffPayload(ticket, config.consoleBaseUrl));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      [WEBHOOK_DELIVERY_HEADER]: idempotencyKey,
    };
    if (config.secret) {
      const timestamp = Math.floor(Date.now() / 1000);
      headers[WEBHOOK_TIMESTAMP_HEADER] = String(timestamp);
      headers[WEBHOOK_SIGNATURE_HEADER] = signWebhook(config.secret, timestamp, body);
    }

    let response: Response;
    try {
      response = await fetchImpl(target.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(config.timeoutMs) });
    } catch (error) {
      const code = failureCode(error);
      logger.warn({ ticketId, target: target.origin, attempt, failure: code }, 'handoff webhook failed; it will be retried');
      throw new HandoffWebhookError(
        code === 'timeout' ? `handoff webhook: ${target.origin} did not answer within ${config.timeoutMs} ms` : `handoff webhook: could not reach ${target.origin} (${code})`,
      );
    }

    const { status } = response;
    if (status >= 200 && status < 300) {
      await response.body?.cancel().catch(() => {});
      logger.info({ ticketId, target: target.origin, attempt, status }, 'handoff webhook delivered');
      return;
    }
    if (status === 408 || status === 429 || status >= 500) {
      await response.body?.cancel().catch(() => {});
      logger.warn({ ticketId, target: target.origin, attempt, status }, 'handoff webhook failed; it will be retried');
      throw new HandoffWebhookError(`handoff webhook: ${target.origin} answered ${status}`, { status });
    }
    const detail = await refusalDetail(response);
    logger.warn({ ticketId, target: target.origin, attempt, status, detail }, 'handoff webhook refused; not retried (check the webhook URL and the receiver)');
  });
}

/** After a new ticket is stored; a second enqueue for the same ticket is a no-op. */
export function enqueueHandoffWebhook(queue: JobQueue, ticketId: string): Promise<void> {
  return queue.enqueue(HANDOFF_WEBHOOK, { ticketId }, { idempotencyKey: `${HANDOFF_WEBHOOK}:${ticketId}` });
}

const ticketRow = z.object({
  id: z.string(),
  session_id: z.string(),
  source: z.string(),
  subject: z.string(),
  summary: z.string().nullable(),
  mode: z.enum(['live_agent', 'ticket']),
  priority: ticketPrioritySchema,
  created_at: z.coerce.date(),
});

/** Reads a ticket for the webhook, as it stands when the job runs; null when it is gone. */
export function loadTicketForWebhook(db: Queryable): (ticketId: string) => Promise<HandoffTicket | null> {
  return async (ticketId) => {
    const { rows } = await db.query('SELECT id, session_id, source, subject, summary, mode, priority, created_at FROM support_tickets WHERE id = $1', [ticketId]);
    if (!rows[0]) return null;
    const row = ticketRow.parse(rows[0]);
    return {
      ticketId: row.id,
      sessionId: row.session_id,
      subject: row.subject,
      source: row.source,
      mode: row.mode,
      priority: row.priority,
      summary: row.summary,
      createdAt: row.created_at,
    };
  };
}
