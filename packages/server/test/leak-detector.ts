import { BOOKING_ACTION_FOLLOW_UP, TICKET_NOTIFICATION } from '../src/conversation/follow-up-jobs.js';
import { DEFAULT_LOCALE, formatDate } from '../src/i18n/format.js';
import type { Queryable } from '../src/storage/database.js';

/**
 * The security suites' leak detector: which of another customer's values
 * (names, emails, amounts, dates, summaries) occur in what reached an
 * attacker — raw websocket frames, stored rows, log lines.
 *
 * It is exact in two ways, and neither weakens what is looked for:
 *
 * 1. Pure metadata is left out of the haystack, not matched loosely. JSON
 *    haystacks (frames, rows as `row_to_json`, pino log lines, and JSON
 *    embedded in a string such as a tool result repeated in a reply) are
 *    walked value by value; a value is skipped only when both its key and its
 *    shape say it is metadata: a timestamp key (`created_at`, `expiresAt`,
 *    `time`, …) holding an ISO timestamp or an epoch number, an id key (`id`,
 *    `session_id`, `messageId`, `idempotency_key`, …) holding an id-shaped
 *    token, a timing key (`latency_ms`, `responseTime`, …) holding a number.
 *    Anything else under those keys (a name in a `createdAt`, a date in a
 *    `messageId`) is still searched, and so are all other values and all keys.
 *    Numbers are compared by their JSON lexeme (`238.00` stays `238.00`), so
 *    a balance sent as a JSON number is found as it was written.
 * 2. A secret matches only on word/number boundaries: one that starts or ends
 *    with a digit must not continue a number (`23.18` is not in `123.18`,
 *    `23.184`, `23.185` or the time `12:23.18`), and one that starts or ends
 *    with a letter must not continue a word. A letter next to a digit is a
 *    boundary, so `€23.18`, `23.18 EUR`, `23.18EUR` and a date written into
 *    text as `2027-01-16T10:00` are all leaks.
 *
 * Matching ignores case and Unicode composition (a lower-cased name is still
 * the name). Text that is not JSON is searched as text: only a JSON object
 * or array inside it gets the metadata rule above.
 */

export interface Haystack {
  /** Where it came from, for the report: `frame #3`, `support_chat_messages`, `log line #12`. */
  source: string;
  text: string;
}

export interface Leak {
  secret: string;
  source: string;
  /** The JSON path of the value the secret was found in ('' for plain text). */
  path: string;
  excerpt: string;
}

// ---------------------------------------------------------------------------
// Boundary-aware matching

const fold = (text: string) => text.normalize('NFC').toLowerCase();
const isDigit = (char: string | undefined) => char !== undefined && /\p{Nd}/u.test(char);
const isWordChar = (char: string | undefined) => char !== undefined && /[\p{L}\p{N}\p{M}]/u.test(char);

function boundedAt(hay: string, start: number, end: number, needle: string): boolean {
  const first = needle[0];
  const last = needle[needle.length - 1];
  const before = hay[start - 1];
  const after = hay[end];
  if (isDigit(first)) {
    // Inside a longer number (123.18), or after a number's decimal point or a time's colon (1.23.18, 12:23.18).
    if (isDigit(before)) return false;
    if ((before === '.' || before === ':') && isDigit(hay[start - 2])) return false;
  } else if (isWordChar(first) && isWordChar(before)) return false;
  if (isDigit(last)) {
    // A longer number (23.184, 23.185, 2027-01-160) or more decimals after a point (23.18.5).
    if (isDigit(after)) return false;
    if (after === '.' && isDigit(hay[end + 1])) return false;
  } else if (isWordChar(last) && isWordChar(after)) return false;
  return true;
}

/** Where `secret` occurs in `text` on word/number boundaries (indices into the folded text). */
export function occurrencesOf(text: string, secret: string): number[] {
  const hay = fold(text);
  const needle = fold(secret);
  const found: number[] = [];
  if (needle.length === 0) return found;
  for (let at = hay.indexOf(needle); at !== -1; at = hay.indexOf(needle, at + 1)) {
    if (boundedAt(hay, at, at + needle.length, needle)) found.push(at);
  }
  return found;
}

export function containsSecret(text: string, secret: string): boolean {
  return occurrencesOf(text, secret).length > 0;
}

// ---------------------------------------------------------------------------
// Metadata: what is skipped, by key and shape together

const TIMESTAMP_KEY = /^(?:time|timestamp)$|_at$|[a-z]At$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH_NUMBER = /^\d{1,16}(?:\.\d+)?$/;
const ID_KEY = /^(?:id|seq|idempotency_key|token_hash)$|_id$|[a-z]Id$/;
// Letters, digits, '_', ':' and '-', with at least one letter or '_': no spaces, '@', '+' or '.', so no name, email, phone or amount; no bare date.
const ID_SHAPE = /^(?=.*[A-Za-z_])[A-Za-z0-9_:-]{1,200}$/;
const INTEGER = /^\d{1,20}$/;
const TIMING_KEY = /^(?:latency_ms|latencyMs|responseTime|elapsedMs|pid)$/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** True when the value under `key` is pure metadata: a timestamp, an id or a timing. */
export function isMetadata(key: string | undefined, value: string, kind: 'string' | 'number'): boolean {
  if (key === undefined) return false;
  if (TIMESTAMP_KEY.test(key)) return kind === 'number' ? EPOCH_NUMBER.test(value) : ISO_TIMESTAMP.test(value);
  if (ID_KEY.test(key)) return kind === 'number' ? INTEGER.test(value) : ID_SHAPE.test(value);
  if (TIMING_KEY.test(key)) return kind === 'number' && NUMBER.test(value);
  return false;
}

// ---------------------------------------------------------------------------
// A JSON walker that keeps number lexemes and nests into JSON inside strings

interface Leaf {
  path: string;
  value: string;
}

class JsonSyntaxError extends Error {}

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const MAX_NESTING = 6;

function skipSpace(text: string, pos: number): number {
  while (pos < text.length && (text[pos] === ' ' || text[pos] === '\n' || text[pos] === '\r' || text[pos] === '\t')) pos++;
  return pos;
}

function readString(text: string, pos: number): [string, number] {
  if (text[pos] !== '"') throw new JsonSyntaxError('expected a string');
  let end = pos + 1;
  while (end < text.length && text[end] !== '"') {
    if (text[end] === '\\') end++;
    else if (text.charCodeAt(end) < 0x20) throw new JsonSyntaxError('control character in string');
    end++;
  }
  if (end >= text.length) throw new JsonSyntaxError('unterminated string');
  return [JSON.parse(text.slice(pos, end + 1)) as string, end + 1];
}

const join = (path: string, segment: string | number) => (typeof segment === 'number' ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment);

/** Parses one JSON value at `pos`, adding its non-metadata leaves to `out`; returns where it ends. */
function walkValue(text: string, pos: number, path: string, key: string | undefined, out: Leaf[], depth: number): number {
  pos = skipSpace(text, pos);
  const char = text[pos];
  if (char === '{') {
    pos = skipSpace(text, pos + 1);
    if (text[pos] === '}') return pos + 1;
    for (;;) {
      const [name, afterName] = readString(text, skipSpace(text, pos));
      out.push({ path: `${join(path, name)} (key)`, value: name });
      pos = skipSpace(text, afterName);
      if (text[pos] !== ':') throw new JsonSyntaxError('expected a colon');
      pos = skipSpace(text, walkValue(text, pos + 1, join(path, name), name, out, depth));
      if (text[pos] === ',') pos++;
      else if (text[pos] === '}') return pos + 1;
      else throw new JsonSyntaxError('expected , or }');
    }
  }
  if (char === '[') {
    pos = skipSpace(text, pos + 1);
    if (text[pos] === ']') return pos + 1;
    for (let index = 0; ; index++) {
      // Array items inherit the key: a list of timestamps under `*_at` is still metadata.
      pos = skipSpace(text, walkValue(text, pos, join(path, index), key, out, depth));
      if (text[pos] === ',') pos++;
      else if (text[pos] === ']') return pos + 1;
      else throw new JsonSyntaxError('expected , or ]');
    }
  }
  if (char === '"') {
    const [value, end] = readString(text, pos);
    if (!isMetadata(key, value, 'string')) walkText(value, path, out, depth + 1);
    return end;
  }
  NUMBER_TOKEN.lastIndex = pos;
  const number = NUMBER_TOKEN.exec(text);
  if (number) {
    if (!isMetadata(key, number[0], 'number')) out.push({ path, value: number[0] });
    return pos + number[0].length;
  }
  for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, pos)) return pos + literal.length;
  throw new JsonSyntaxError(`unexpected ${char === undefined ? 'end' : JSON.stringify(char)}`);
}

/**
 * Free text: every JSON object or array inside it (a tool result a model
 * repeated, a serialised payload in a log message) is walked like any JSON,
 * and what is left is searched as text.
 */
function walkText(text: string, path: string, out: Leaf[], depth: number): void {
  if (depth > MAX_NESTING || !/[{[]/.test(text)) {
    out.push({ path, value: text });
    return;
  }
  let rest = '';
  let copied = 0;
  for (let at = 0; at < text.length; at++) {
    if (text[at] !== '{' && text[at] !== '[') continue;
    const inner: Leaf[] = [];
    let end: number;
    try {
      end = walkValue(text, at, `${path}<json@${at}>`, undefined, inner, depth);
    } catch (error) {
      if (error instanceof JsonSyntaxError || error instanceof SyntaxError) continue;
      throw error;
    }
    out.push(...inner);
    rest += `${text.slice(copied, at)} `;
    copied = end;
    at = end - 1;
  }
  rest += text.slice(copied);
  if (rest.trim() !== '') out.push({ path, value: rest });
}

/** The values of a haystack that are searched: JSON walked without metadata, anything else as text (JSON inside it walked). */
export function searchableValues(text: string): Leaf[] {
  const out: Leaf[] = [];
  try {
    const end = skipSpace(text, walkValue(text, 0, '', undefined, out, 0));
    if (end === text.length) return out;
  } catch (error) {
    if (!(error instanceof JsonSyntaxError || error instanceof SyntaxError)) throw error;
  }
  const whole: Leaf[] = [];
  walkText(text, '', whole, 0);
  return whole;
}

// ---------------------------------------------------------------------------
// The detector

/** Every occurrence of every secret, with where it was found. */
export function findLeaks(secrets: readonly string[], haystacks: readonly Haystack[]): Leak[] {
  const leaks: Leak[] = [];
  for (const haystack of haystacks) {
    for (const leaf of searchableValues(haystack.text)) {
      for (const secret of secrets) {
        const at = occurrencesOf(leaf.value, secret)[0];
        if (at === undefined) continue;
        const folded = fold(leaf.value);
        leaks.push({ secret, source: haystack.source, path: leaf.path, excerpt: folded.slice(Math.max(0, at - 40), at + secret.length + 40) });
      }
    }
  }
  return leaks;
}

/** The secrets found anywhere, each once, in the order given. */
export function leakedSecrets(secrets: readonly string[], haystacks: readonly Haystack[]): string[] {
  const found = new Set(findLeaks(secrets, haystacks).map((leak) => leak.secret));
  return secrets.filter((secret) => found.has(secret));
}

/**
 * The values to watch for: 4+ characters (shorter ones match by chance) and
 * not also part of the attacker's own data (`own`: their records as JSON and
 * any formatted values of theirs), which may rightly reach them.
 */
export function watchedSecrets(values: readonly string[], own: readonly string[]): string[] {
  return [...new Set(values)].filter((value) => value.length >= 4 && !own.some((text) => containsSecret(text, value)));
}

/**
 * A date as the data carries it (`2027-01-16`) and as the service writes it
 * into replies for the default locale (`16 Jan 2027`, src/i18n/format.ts):
 * a leaked date is found in either form.
 */
export function dateForms(date: string): string[] {
  const written = formatDate(date, DEFAULT_LOCALE);
  return written === date ? [date] : [date, written];
}

/** An amount as the demo data formats it (`1124.60`), and with thousands separators when it has them (`1,124.60`). */
export function amountForms(amount: number): string[] {
  const plain = amount.toFixed(2);
  const grouped = amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return grouped === plain ? [plain] : [plain, grouped];
}

// ---------------------------------------------------------------------------
// Haystacks

/**
 * Raw websocket frames, each as received, plus each streamed reply's deltas
 * joined per message (a value split across two deltas is in neither frame).
 */
export function frameHaystacks(frames: readonly string[], label = 'frame'): Haystack[] {
  const haystacks = frames.map((text, index) => ({ source: `${label} #${index}`, text }));
  const streamed = new Map<string, string>();
  for (const text of frames) {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      continue;
    }
    if (typeof event !== 'object' || event === null) continue;
    const { type, messageId, delta } = event as Record<string, unknown>;
    if (type !== 'message_delta' || typeof delta !== 'string') continue;
    const id = String(messageId);
    streamed.set(id, (streamed.get(id) ?? '') + delta);
  }
  for (const [id, text] of streamed) haystacks.push({ source: `${label}s: message_delta of ${id} joined`, text });
  return haystacks;
}

export function logHaystacks(lines: readonly string[]): Haystack[] {
  return lines.map((text, index) => ({ source: `log line #${index}`, text }));
}

export interface StoredRows {
  haystacks: Haystack[];
  /** Rows read per table, so a suite can check that the scoping found what it should. */
  counts: Record<string, number>;
}

/**
 * Every stored row that belongs to the attacker's conversation, as JSON: the
 * session, its transcript, AI interactions, tool audit, pending actions and
 * tickets, and the outbox entries written for it — booking follow-ups are
 * keyed by the pending action and carry the customer id, ticket notifications
 * are keyed by the ticket (see conversation/follow-up-jobs.ts). Rows of other
 * sessions are not read: they are not the attacker's to see.
 *
 * Interaction rows hold the redacted last user turn and the model's output
 * (ai/interaction-log.ts: `prompt` is the question), not the system prompt,
 * so today its "Today is <date>" line is not in them; the model requests that
 * do carry it go through {@link withoutTodayLine}, and so do these rows, so
 * that storing the prompt one day cannot pass for a leak on the days a
 * victim's booking starts today.
 */
export async function storedRowsOf(db: Queryable, scope: { sessionId: string; customerId: string | null }): Promise<StoredRows> {
  const bySession = 'session_id = $1';
  const bySessionOrCustomer = 'session_id = $1 OR customer_id = $2';
  const tables: Array<[string, string]> = [
    ['support_chat_sessions', 'id = $1'],
    ['support_chat_messages', bySession],
    ['support_ai_interactions', bySession],
    ['support_tool_audit', bySessionOrCustomer],
    ['support_pending_actions', bySessionOrCustomer],
    ['support_tickets', bySessionOrCustomer],
    [
      'support_outbox',
      `customer_id = $2
       OR idempotency_key IN (SELECT '${BOOKING_ACTION_FOLLOW_UP}:' || id FROM support_pending_actions WHERE session_id = $1)
       OR idempotency_key IN (SELECT '${TICKET_NOTIFICATION}:' || id FROM support_tickets WHERE session_id = $1)`,
    ],
  ];
  const haystacks: Haystack[] = [];
  const counts: Record<string, number> = {};
  for (const [table, where] of tables) {
    const params = where.includes('$2') ? [scope.sessionId, scope.customerId] : [scope.sessionId];
    const { rows } = await db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t WHERE ${where}`, params);
    counts[table] = rows.length;
    rows.forEach((row, index) => haystacks.push({ source: `${table} row #${index}`, text: table === 'support_ai_interactions' ? withoutTodayLine(row.row) : row.row }));
  }
  return { haystacks, counts };
}

const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/**
 * The system prompt's "Today is <date>." line (ai/prompts/system-prompt.ts)
 * with the date blanked, when it is the date of the clock the test runs on
 * (a day either side, for a run across midnight). Safe: that date comes from
 * the server's clock, never from a customer's data, and on any other day the
 * same slot holding a booking date is still searched, as is the rest of the
 * prompt.
 */
export function withoutTodayLine(text: string, now = Date.now()): string {
  const days = new Set([isoDay(now - 86_400_000), isoDay(now), isoDay(now + 86_400_000)]);
  return text.replace(/\bToday is (\d{4}-\d{2}-\d{2})\./g, (line, day: string) => (days.has(day) ? 'Today is [the current date].' : line));
}

/** What a hosted model was sent (the fake server's recorded bodies), with the system prompt's date line blanked. */
export function modelRequestHaystacks(bodies: readonly unknown[], now = Date.now()): Haystack[] {
  return bodies.map((body, index) => {
    const messages = (body as { messages?: unknown } | undefined)?.messages;
    const scrubbed = Array.isArray(messages)
      ? {
          ...(body as object),
          messages: messages.map((message: unknown) => {
            const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
            return role === 'system' && typeof content === 'string' ? { ...(message as object), content: withoutTodayLine(content, now) } : message;
          }),
        }
      : body;
    return { source: `model request #${index}`, text: JSON.stringify(scrubbed) ?? 'undefined' };
  });
}
