/**
 * The official SDK's clients for OpenAI, Azure OpenAI and OpenAI-compatible
 * servers, and the mapping of whatever the SDK throws to ModelProviderError.
 * Shared by the chat and the embedding adapters, so both fail the same way.
 */
import { APIConnectionError, APIError, APIUserAbortError, AzureOpenAI, OpenAI, OpenAIError } from 'openai';
import { ModelProviderError } from '../../errors/app-error.js';

export interface OpenAIClientOptions {
  provider: 'openai' | 'openai-compatible';
  apiKey: string;
  baseURL?: string;
  maxRetries?: number;
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

/**
 * Options that keep the SDK from reading process.env (config.ts is the only
 * reader) and from logging on its own.
 */
const QUIET_CLIENT_OPTIONS = {
  organization: null,
  project: null,
  logLevel: 'off',
} as const;

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
        maxRetries: options.maxRetries,
        timeout: options.timeoutMs,
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
        maxRetries: options.maxRetries,
        timeout: options.timeoutMs,
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
      // An error event in the middle of a stream: the provider failed while answering.
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
