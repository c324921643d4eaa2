import pino from 'pino';
import { redactText } from './guardrails/redaction.js';
import { createSecretScrubber } from './guardrails/secret-scrubber.js';

export interface LoggerOptions {
  /**
   * Configured secret values (API keys, the admin key, JWT and HMAC secrets:
   * see secretsFromConfig) that must never appear in a log line, wherever an
   * upstream or a client puts them.
   */
  secrets?: ReadonlyArray<string | null | undefined>;
}

// Fields the serializers below (and fastify's `res`) turn into log values themselves.
const SERIALIZED_FIELDS = new Set(['err', 'req', 'res']);

/**
 * Structured logs. Secrets are scrubbed from every logged string
 * (guardrails/secret-scrubber.ts): errors with their messages, stacks, causes
 * and response bodies, request URLs' secret query values, messages and every
 * other field; known token fields are also censored by path. Then PII is
 * redacted from every logged string (guardrails/redaction.ts), so a customer's
 * card or phone in an error message or a logged field never reaches a log.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, options: LoggerOptions = {}) {
  const scrub = createSecretScrubber({ secrets: options.secrets ?? [], redact: redactText });
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.query.token',
          'token',
          '*.token',
          'customerToken',
          '*.customerToken',
          'apiKey',
          '*.apiKey',
          'secret',
          '*.secret',
        ],
        censor: '[REDACTED]',
      },
      formatters: {
        // Every field but those with a serializer: strings scrubbed, errors serialized and scrubbed, nested values followed.
        log(object) {
          const scrubbed: Record<string, unknown> = {};
          for (const [key, value] of Object.entries(object)) scrubbed[key] = SERIALIZED_FIELDS.has(key) ? value : scrub.value(value);
          return scrubbed;
        },
      },
      serializers: {
        err: (error: unknown) => scrub.error(error),
        // The websocket URL carries the session token in its query string; an admin key may come as ?api_key=.
        req: (req: { method?: string; url?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          url: typeof req.url === 'string' ? scrub.url(req.url) : req.url,
        }),
        // The message, after pino has put any printf-style arguments into it.
        msg: (message: unknown) => (typeof message === 'string' ? scrub.text(message) : scrub.value(message)),
      },
    },
    destination,
  );
}

export type Logger = ReturnType<typeof createLogger>;
