/**
 * Secret scrubbing for everything that is logged. Upstreams echo keys in
 * their error bodies ("Incorrect API key provided: sk-live-…"), clients put
 * keys in query strings (?api_key=…), and errors carry both in their
 * messages, stacks, causes and response bodies. The logger (logger.ts) runs
 * every logged string through one of these.
 *
 * Two kinds of secret are replaced by [REDACTED]: the configured ones, by
 * value (whatever they appear in), and anything shaped like a credential
 * (Bearer tokens, `sk-…` keys, JWTs, `api_key=…`, `authorization: …`,
 * passwords in URLs). PII is another concern: see redaction.ts.
 */
import type { AppConfig } from '../config.js';

export const REDACTED = '[REDACTED]';

/** Shorter configured values are not scrubbed by value: they would match ordinary words. */
const MIN_SECRET_LENGTH = 8;
/** Longest string logged whole; longer ones are cut (before scrubbing, so the cost per string is bounded). */
export const MAX_TEXT_LENGTH = 8192;
/** Nesting followed in logged values; deeper parts are replaced, not logged unscrubbed. */
const MAX_DEPTH = 8;

// A value that is already [REDACTED] is left alone, so that scrubbing twice changes nothing.
const NOT_REDACTED = '(?!\\[REDACTED\\])';

const PATTERNS: Array<{ pattern: RegExp; replacement: string | ((match: string, ...groups: string[]) => string) }> = [
  // A password in a URL: postgres://user:secret@host, redis://:secret@host.
  // Every open-ended run is bounded: an unbounded prefix restarted at each word boundary made a
  // crafted 16 KB string cost seconds (quadratic), and request URLs from anyone are scrubbed.
  { pattern: /(\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/?#@"'<>]{0,256}:)[^\s/?#@"'<>]{1,1024}@/gi, replacement: `$1${REDACTED}@` },
  // An authorization header written out: "authorization: Bearer …", "Authorization=Basic …", '"authorization":"…"'.
  {
    pattern: new RegExp(`(\\b(?:proxy-)?authorization\\b["']?\\s*[:=]\\s*["']?)${NOT_REDACTED}(?:(?:Bearer|Basic|Token|Digest)\\s+)?[^\\s"',;}&]+`, 'gi'),
    replacement: `$1${REDACTED}`,
  },
  { pattern: new RegExp(`\\b(Bearer\\s+)${NOT_REDACTED}[A-Za-z0-9._~+/=-]{8,}`, 'gi'), replacement: `$1${REDACTED}` },
  // OpenAI-style keys (also as OpenAI echoes them, partly masked with *), and Stripe-style sk_live_….
  { pattern: /\b(?:sk|pk|rk)[-_][A-Za-z0-9_*-]{8,}/g, replacement: REDACTED },
  { pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, replacement: REDACTED },
  // name=value and name: value for names that say "secret": api_key=…, token=…, "password": "…", customerToken: ….
  // A quoted value is replaced whole, quotes kept; a bare one up to the next separator.
  {
    pattern: new RegExp(
      `(\\b(?:[A-Za-z0-9]{1,32}[_.-]){0,4}[A-Za-z0-9]{0,32}?(?:api[-_]?key|apikey|access[-_]?key|secret|token|password|passwd|signature)["']?\\s{0,8}[=:]\\s{0,8})(?:"${NOT_REDACTED}[^"]{0,4096}"|'${NOT_REDACTED}[^']{0,4096}'|${NOT_REDACTED}[^\\s"'&,;}\\])<>]{1,4096})`,
      'gi',
    ),
    replacement: (match: string, name: string) => {
      const quote = match.charAt(name.length);
      return quote === '"' || quote === "'" ? `${name}${quote}${REDACTED}${quote}` : `${name}${REDACTED}`;
    },
  },
];

/** Query parameters whose values are secrets: ?key=, ?api_key=, ?token=, ?access_token=, ?sig=, ?password=… */
const SECRET_PARAM = /(?:key|token|secret|passw(?:or)?d|pwd|signature|sig|auth|authorization|credentials?|jwt)$/i;
/** Object fields whose string values are secrets, whatever they look like. */
const SECRET_FIELD = /^(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)$|(?:api[-_]?key|apikey|token|secret|password|passwd|credentials?)$/i;

export interface SecretScrubber {
  /** A string with every known secret and every credential-shaped part replaced by [REDACTED]. */
  text(value: string): string;
  /** A URL (or path with query) whose secret-looking query values are [REDACTED], and scrubbed as text. */
  url(value: string): string;
  /**
   * A copy of a value to log with every string scrubbed: arrays and plain
   * objects are followed (fields named like secrets are [REDACTED]), errors
   * are serialized with {@link SecretScrubber.error}, URLs and Headers become
   * scrubbed plain values; other class instances are left to the logger.
   */
  value(value: unknown): unknown;
  /** An error as logged (type, message, stack, its own fields, and its cause), scrubbed. Non-errors go through value(). */
  error(value: unknown): unknown;
}

export interface SecretScrubberOptions {
  secrets?: ReadonlyArray<string | null | undefined>;
  /** Applied to every string after the secrets are scrubbed: the logger passes PII redaction (redaction.ts). */
  redact?: (text: string) => string;
}

export function createSecretScrubber(options: SecretScrubberOptions = {}): SecretScrubber {
  const known = knownSecretsPattern(options.secrets ?? []);
  const redact = options.redact ?? ((value: string) => value);

  const text = (input: string): string => {
    // A log line needs no more of a string than this; the rest would only cost scrubbing time.
    const value = input.length > MAX_TEXT_LENGTH ? `${input.slice(0, MAX_TEXT_LENGTH)}…[${input.length - MAX_TEXT_LENGTH} more characters]` : input;
    let result = known ? value.replace(known, REDACTED) : value;
    for (const { pattern, replacement } of PATTERNS) {
      result = typeof replacement === 'string' ? result.replace(pattern, replacement) : result.replace(pattern, replacement);
    }
    return redact(result);
  };

  const url = (value: string): string => {
    const query = value.indexOf('?');
    if (query < 0) return text(value);
    const hash = value.indexOf('#', query);
    const end = hash < 0 ? value.length : hash;
    const params = value
      .slice(query + 1, end)
      .split('&')
      .map((pair) => {
        const equals = pair.indexOf('=');
        if (equals < 0) return pair;
        const name = pair.slice(0, equals);
        return SECRET_PARAM.test(safeDecode(name)) ? `${name}=${REDACTED}` : pair;
      });
    return text(`${value.slice(0, query)}?${params.join('&')}${value.slice(end)}`);
  };

  const walk = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return text(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Object]';
    if (isError(value)) return serializeError(value, depth, seen);
    if (value instanceof URL) return url(value.href);
    if (value instanceof Headers) return fields(Object.fromEntries(value.entries()), depth, seen);
    if (Array.isArray(value)) {
      seen.add(value);
      const copy = value.map((item) => walk(item, depth + 1, seen));
      seen.delete(value);
      return copy;
    }
    if (!isPlainObject(value)) return value;
    return fields(value, depth, seen);
  };

  const fields = (value: object, depth: number, seen: WeakSet<object>): Record<string, unknown> => {
    seen.add(value);
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      copy[key] = typeof inner === 'string' && SECRET_FIELD.test(key) ? REDACTED : walk(inner, depth + 1, seen);
    }
    seen.delete(value);
    return copy;
  };

  const serializeError = (error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> => {
    seen.add(error);
    const serialized: Record<string, unknown> = {
      type: error.constructor?.name ?? error.name,
      message: text(messageWithCauses(error)),
      stack: text(error.stack ?? ''),
    };
    // Enumerable fields, as pino's serializer takes them: an SDK error's status, code, headers and the response body (`error`).
    for (const key in error) {
      if (key === 'cause' || key in serialized) continue;
      const inner: unknown = (error as unknown as Record<string, unknown>)[key];
      serialized[key] = typeof inner === 'string' && SECRET_FIELD.test(key) ? REDACTED : walk(inner, depth + 1, seen);
    }
    if (error instanceof AggregateError) serialized.aggregateErrors = walk(error.errors, depth + 1, seen);
    const cause: unknown = error.cause;
    if (cause !== undefined) serialized.cause = walk(cause, depth + 1, seen);
    seen.delete(error);
    return serialized;
  };

  return {
    text,
    url,
    value: (value) => walk(value, 0, new WeakSet()),
    error: (value) => (isError(value) ? serializeError(value, 0, new WeakSet()) : walk(value, 0, new WeakSet())),
  };
}

/**
 * The secrets of a configuration, for the logger to scrub by value: provider
 * keys, the admin key, the host's JWT secret, token and HMAC secret, and the
 * passwords in the database and Redis URLs.
 */
export function secretsFromConfig(config: AppConfig): string[] {
  const secrets: Array<string | undefined> = [config.adminApiKey, config.hostJwtSecret, config.metrics.token];
  // Every provider of the chain (a fallback's key leaks as easily as the first's), and the embedder's.
  for (const provider of [config.ai.provider, ...config.ai.chain, config.embeddings.provider]) {
    if (provider.kind !== 'local') secrets.push(provider.apiKey);
  }
  if (config.hostAdapter.kind === 'http') {
    secrets.push(config.hostAdapter.auth.kind === 'bearer' ? config.hostAdapter.auth.token : config.hostAdapter.auth.secret);
  }
  for (const connection of [config.databaseUrl, config.redisUrl]) secrets.push(urlPassword(connection));
  // A Slack webhook URL is its own credential (the token is in its path).
  if (config.handoffWebhook) secrets.push(config.handoffWebhook.url, config.handoffWebhook.secret ?? undefined);
  // The placeholder key of keyless OpenAI-compatible servers is no secret.
  return [...new Set(secrets.filter((secret): secret is string => secret !== undefined && secret !== '' && secret !== 'not-needed'))];
}

function knownSecretsPattern(secrets: ReadonlyArray<string | null | undefined>): RegExp | undefined {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    // As written, as a query string or a URL carries it, and as it appears inside JSON text.
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  if (forms.size === 0) return undefined;
  // Longest first, so that a secret containing another is replaced whole.
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(alternatives.join('|'), 'g');
}

function urlPassword(connection: string | undefined): string | undefined {
  if (connection === undefined) return undefined;
  try {
    const password = new URL(connection).password;
    return password === '' ? undefined : safeDecode(password);
  } catch {
    return undefined;
  }
}

/** The message followed by its causes' messages, as pino's own error serializer writes it. */
function messageWithCauses(error: Error): string {
  let message = error.message;
  const seen = new Set<unknown>([error]);
  let cause: unknown = error.cause;
  while (isError(cause) && !seen.has(cause)) {
    seen.add(cause);
    if (cause.message !== '') message += `: ${cause.message}`;
    cause = cause.cause;
  }
  return message;
}

function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
