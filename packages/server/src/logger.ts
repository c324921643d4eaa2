import pino from 'pino';

/**
 * Structured logs. Secrets and tokens are censored by path; free text that may
 * hold PII must go through guardrails/redaction.ts before it is logged.
 */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  return pino({
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
    serializers: {
      // The websocket URL carries the session token in its query string.
      req: (req: { method?: string; url?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        url: typeof req.url === 'string' ? req.url.replace(/([?&]token=)[^&]*/g, '$1[REDACTED]') : req.url,
      }),
    },
  }, destination);
}

export type Logger = ReturnType<typeof createLogger>;
