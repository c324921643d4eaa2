/** JSON over fetch against the service, with its error body read and the server's clock noted. */
import { parseErrorBody } from './guards.js';
import { clockSkewFromDate } from './timing.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface HttpDeps {
  fetch: typeof fetch;
  serviceUrl: string;
  now: () => number;
  /** Called with each measured clock skew (server minus local), when the Date header is readable. */
  onSkew?: (skewMs: number) => void;
}

export async function requestJson(deps: HttpDeps, method: 'GET' | 'POST', path: string, options: { body?: unknown; bearer?: string | null } = {}): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  let response: Response;
  try {
    response = await deps.fetch(`${deps.serviceUrl}${path}`, {
      method,
      headers,
      // The service authenticates with bearer tokens only: no cookies travel to it.
      credentials: 'omit',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch (error) {
    throw new HttpError(0, 'network_error', error instanceof Error ? error.message : 'The network request failed.', true);
  }
  const skew = clockSkewFromDate(response.headers.get('date'), deps.now());
  if (skew !== null) deps.onSkew?.(skew);
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const body = parseErrorBody(data);
    throw new HttpError(response.status, body?.code ?? `http_${response.status}`, body?.message ?? `The request failed (${response.status}).`, body?.retryable ?? response.status >= 500);
  }
  return data;
}
