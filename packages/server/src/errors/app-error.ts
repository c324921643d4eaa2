/**
 * Typed errors with a stable code. Every edge (REST, websocket) maps them to
 * its wire form in one place; anything that is not an AppError becomes a plain
 * `internal_error` without its message, so internals never leak.
 */

export type ErrorSide = 'client' | 'auth' | 'system' | 'provider';

export interface AppErrorOptions {
  cause?: unknown;
  /** HTTP status when this reaches a REST edge. */
  status?: number;
  /** Whether trying again later may succeed. */
  retryable?: boolean;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 400;
    this.retryable = options.retryable ?? false;
  }
}

/** A model provider failed: rate limited, down, misconfigured, or returned garbage. */
export class ModelProviderError extends AppError {
  readonly provider: string;
  readonly upstreamStatus: number | undefined;

  constructor(
    provider: string,
    code: 'ai_rate_limited' | 'ai_unavailable' | 'ai_misconfigured' | 'ai_bad_response',
    message: string,
    options: AppErrorOptions & { upstreamStatus?: number } = {},
  ) {
    super(code, message, { ...options, status: 502 });
    this.name = 'ModelProviderError';
    this.provider = provider;
    this.upstreamStatus = options.upstreamStatus;
  }
}
