/**
 * The official SDK's clients for OpenAI, Azure OpenAI and OpenAI-compatible
 * servers, the retries around their calls, and the mapping of whatever the SDK
 * throws to ModelProviderError. Shared by the chat and the embedding adapters,
 * so both fail (and retry) the same way.
 */
import { APIConnectionError, APIError, APIUserAbortError, AzureOpenAI, OpenAI, OpenAIError } from 'openai';
import { ModelProviderError } from '../../errors/app-error.js';

export interface OpenAIClientOptions {
  provider: 'openai' | 'openai-compatible';
  apiKey: string;
  baseURL?: string;
  /** Retries after a connection failure, 408, 409, 429 or 5xx (default 2), as long as they fit in `timeoutMs`. */
  maxRetries?: number;
  /** One call's whole budget: every attempt and every wait between attempts (default 10 minutes, the SDK's). */
  timeoutMs?: number;
}

export interface AzureClientOptions {
  /** Resource origin, e.g. https://my-resource.openai.azure.com */
  endpoint: string;
  apiKey: string;
  deployment: string;
  apiVersion: string;
  maxRetries?: number;
  timeoutMs?: number;
}

const OPENAI_BASE_URL = 'https://api.openai.com/v1';
const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Options that keep the SDK from reading process.env (config.ts is the only
 * reader) and from logging on its own. The SDK never retries by itself: its
 * retry sleep honours Retry-After however long it is and ignores the abort
 * signal, so a `Retry-After: 30` kept a customer waiting 30 s past the reply's
 * deadline. callWithRetries retries instead, within the call's budget.
 */
const QUIET_CLIENT_OPTIONS = {
  organization: null,
  project: null,
  logLevel: 'off',
  maxRetries: 0,
} as const;

/** How a call retries: at most `maxRetries` times, and never past `timeoutMs` after it started. */
export interface RetryPolicy {
  maxRetries: number;
  timeoutMs: number;
}

/** The policy cut to what is left before `deadline` (ms since the epoch), when there is one. */
export function withinDeadline(policy: RetryPolicy, deadline: number | undefined): RetryPolicy {
  if (deadline === undefined) return policy;
  return { ...policy, timeoutMs: Math.max(1, Math.min(policy.timeoutMs, deadline - Date.now())) };
}

export function retryPolicy(options: { maxRetries?: number | undefined; timeoutMs?: number | undefined }): RetryPolicy {
  return { maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
}

export function createOpenAIClient(options: OpenAIClientOptions): OpenAI {
  if (options.provider === 'openai-compatible' && options.baseURL === undefined) {
    throw new ModelProviderError(options.provider, 'ai_misconfigured', 'openai-compatible needs a baseURL');
  }
  return buildClient(
    options.provider,
    () =>
      new OpenAI({
        ...QUIET_CLIENT_OPTIONS,
        apiKey: options.apiKey,
        // Explicit, so an OPENAI_BASE_URL in the environment cannot redirect the key.
        baseURL: options.baseURL ?? OPENAI_BASE_URL,
        timeout: retryPolicy(options).timeoutMs,
      }),
  );
}

export function createAzureClient(options: AzureClientOptions): OpenAI {
  return buildClient(
    'azure',
    () =>
      new AzureOpenAI({
        ...QUIET_CLIENT_OPTIONS,
        apiKey: options.apiKey,
        apiVersion: options.apiVersion,
        deployment: options.deployment,
        // Built here rather than passing `endpoint`: the SDK would otherwise also read
        // OPENAI_BASE_URL from the environment and refuse to start when both are set.
        baseURL: `${options.endpoint.replace(/\/+$/, '')}/openai`,
        timeout: retryPolicy(options).timeoutMs,
      }),
  );
}

function buildClient(provider: string, build: () => OpenAI): OpenAI {
  try {
    return build();
  } catch (error) {
    if (error instanceof OpenAIError) {
      throw new ModelProviderError(provider, 'ai_misconfigured', `${provider} client could not be configured`, {
        cause: error,
      });
    }
    throw error;
  }
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** An attempt needs at least this much of the budget left to be worth starting. */
const MIN_ATTEMPT_MS = 250;
// The SDK's backoff when the server says nothing: 0.5 s, 1 s, 2 s... up to 8 s, minus up to 25 % jitter.
const INITIAL_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8000;

/**
 * Runs one SDK call with retries that fit inside its budget. An attempt is
 * given the time that is left as its timeout; a retryable failure (connection
 * error, 408, 409, 429, 5xx, unless the server sends `x-should-retry: false`)
 * is retried after the server's Retry-After (or retry-after-ms), or after an
 * exponential backoff, but only when that wait still leaves time for another
 * attempt: otherwise the failure is reported at once (a 429 as
 * ai_rate_limited) instead of keeping the customer waiting for an answer that
 * cannot come in time. The wait ends early when `signal` aborts.
 */
export async function callWithRetries<T>(
  provider: string,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + policy.timeoutMs;
  for (let retry = 0; ; retry += 1) {
    const remaining = Math.max(1, Math.floor(deadline - Date.now()));
    try {
      return await attempt(remaining);
    } catch (error) {
      const translated = translateError(provider, error, signal);
      if (retry >= policy.maxRetries || signal?.aborted === true || !isRetryable(error)) throw translated;
      const wait = retryDelayMs(error, retry);
      if (Date.now() + wait + MIN_ATTEMPT_MS > deadline) throw translated;
      await abortableSleep(wait, signal);
    }
  }
}

/** What the SDK itself would retry. A failure in the middle of a stream is not: its text has been delivered. */
function isRetryable(error: unknown): boolean {
  if (error instanceof APIUserAbortError) return false;
  if (error instanceof APIConnectionError) return true;
  if (!(error instanceof APIError) || error.status === undefined) return false;
  const verdict = headerOf(error, 'x-should-retry');
  if (verdict === 'true') return true;
  if (verdict === 'false') return false;
  return error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
}

/** The wait the server asked for (retry-after-ms, then Retry-After in seconds or as a date), else the backoff. */
export function retryDelayMs(error: unknown, retry: number): number {
  const milliseconds = Number.parseFloat(headerOf(error, 'retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const retryAfter = headerOf(error, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number.parseFloat(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  const backoff = Math.min(INITIAL_BACKOFF_MS * 2 ** retry, MAX_BACKOFF_MS);
  return backoff * (1 - Math.random() * 0.25);
}

function headerOf(error: unknown, name: string): string | undefined {
  if (!(error instanceof APIError)) return undefined;
  const headers: unknown = error.headers;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  return undefined;
}

/** Resolves after `ms`, or rejects with the abort reason as soon as `signal` aborts. */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A rate limit reported inside a stream (an SSE `error` event or a chunk
 * with an `error` field) has no HTTP status; its body says what it is.
 * OpenAI writes `code: 'rate_limit_exceeded'`; compatible servers vary.
 */
function isRateLimitBody(error: APIError): boolean {
  const body: unknown = error.error;
  const inner = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  return [error.code, error.type, inner.code, inner.type, inner.status].some(
    (field) => field === 429 || (typeof field === 'string' && (field === '429' || /rate[_ -]?limit/i.test(field) || field === 'tokens' || field === 'requests')),
  );
}

/**
 * Maps whatever the SDK threw to a ModelProviderError. Messages stay short and
 * never quote the upstream body (it can echo parts of the key or the prompt);
 * the original error stays available as `cause`.
 */
export function translateError(provider: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted === true) return abortReason(signal);
  if (error instanceof ModelProviderError) return error;
  if (error instanceof APIUserAbortError) {
    return new DOMException('The operation was aborted.', 'AbortError');
  }
  if (error instanceof APIConnectionError) {
    const timedOut = error.name === 'APIConnectionTimeoutError' || /timed? ?out/i.test(error.message);
    return new ModelProviderError(
      provider,
      'ai_unavailable',
      timedOut ? `${provider} timed out` : `${provider} is unreachable`,
      { cause: error, retryable: true },
    );
  }
  if (error instanceof APIError) {
    const status = error.status;
    if (status === undefined) {
      // An error event in the middle of a stream: the provider failed (or hit a rate limit) while answering.
      if (isRateLimitBody(error)) {
        return new ModelProviderError(provider, 'ai_rate_limited', `${provider} was rate limited mid-stream`, {
          cause: error,
          retryable: true,
        });
      }
      return new ModelProviderError(provider, 'ai_unavailable', `${provider} failed mid-stream`, {
        cause: error,
        retryable: true,
      });
    }
    const message = `${provider} answered ${status}`;
    const options = { cause: error, upstreamStatus: status };
    if (status === 429) {
      return new ModelProviderError(provider, 'ai_rate_limited', message, { ...options, retryable: true });
    }
    if (status >= 500 || status === 408) {
      return new ModelProviderError(provider, 'ai_unavailable', message, { ...options, retryable: true });
    }
    if (status === 401 || status === 403 || status === 404) {
      return new ModelProviderError(provider, 'ai_misconfigured', message, options);
    }
    return new ModelProviderError(provider, 'ai_bad_response', message, options);
  }
  if (error instanceof SyntaxError || error instanceof OpenAIError) {
    return new ModelProviderError(provider, 'ai_bad_response', `${provider} sent an unreadable response`, {
      cause: error,
    });
  }
  // Anything else here comes from reading the response body: the connection broke mid-answer.
  return new ModelProviderError(provider, 'ai_unavailable', `${provider} connection failed`, {
    cause: error,
    retryable: true,
  });
}
