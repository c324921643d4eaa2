import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import {
  bookingChangeResultSchema,
  bookingViewSchema,
  cancellationQuoteSchema,
  changeQuoteSchema,
  customerProfileSchema,
  walletViewSchema,
  type BookingChangeResult,
  type BookingView,
  type CancellationQuote,
  type ChangeQuote,
  type CustomerProfile,
  type HostDataAdapter,
  type WalletView,
} from './host-data-adapter.js';
import { SIGNATURE_HEADER, signHostRequest } from './host-request-signing.js';

export type HostApiAuth = { kind: 'bearer'; token: string } | { kind: 'hmac'; secret: string };

export interface HttpHostDataAdapterOptions {
  /** e.g. https://api.travel.example/support-adapter (no trailing slash needed). */
  baseUrl: string;
  auth: HostApiAuth;
  timeoutMs: number;
  /** Extra attempts after a timeout, network error or 5xx; 4xx are never retried. */
  retries: number;
  /** First backoff; doubles per attempt. */
  backoffMs?: number;
  fetch?: typeof fetch;
}

/** The host API refused or failed; tools turn it into a typed tool error. */
export class HostApiError extends AppError {
  constructor(code: 'host_unavailable' | 'host_rejected' | 'host_bad_response', message: string, options: { status?: number; cause?: unknown } = {}) {
    super(code, message, { status: 502, retryable: code === 'host_unavailable', cause: options.cause });
    this.name = 'HostApiError';
    this.upstreamStatus = options.status;
  }
  readonly upstreamStatus: number | undefined;
}

/**
 * The host company's own REST API as the tools' data source. The service
 * authenticates itself (bearer token or HMAC signature) and names the
 * customer it acts for in the path and in `X-Customer-Id`; the host decides
 * what that customer may see. Every answer is parsed, never trusted.
 *
 * Host API contract (JSON):
 *   GET /customers/{customerId}                      → CustomerProfile | 404
 *   GET /customers/{customerId}/bookings             → { bookings: BookingView[] }
 *   GET /customers/{customerId}/bookings/{reference} → BookingView | 404 (also for someone else's)
 *   GET /customers/{customerId}/wallet               → WalletView | 404
 *   POST .../bookings/{reference}/cancellation-quote {}              → CancellationQuote | 404
 *   POST .../bookings/{reference}/change-quote { newStartDate }      → ChangeQuote | 404
 *   POST .../bookings/{reference}/cancellation {} + Idempotency-Key  → BookingChangeResult
 *   POST .../bookings/{reference}/change { newStartDate } + Idempotency-Key → BookingChangeResult
 * The execute calls are made only after the customer confirmed; the
 * Idempotency-Key (the confirmed action's id) lets the host act once on retries.
 */
export class HttpHostDataAdapter implements HostDataAdapter {
  private readonly baseUrl: URL;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: HttpHostDataAdapterOptions) {
    this.baseUrl = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.fetchImpl = options.fetch ?? fetch;
  }

  getCustomerProfile(customerId: string): Promise<CustomerProfile | null> {
    return this.get(customerId, `customers/${encodeURIComponent(customerId)}`, customerProfileSchema);
  }

  findCustomerBooking(customerId: string, reference: string): Promise<BookingView | null> {
    return this.get(customerId, this.bookingPath(customerId, reference), bookingViewSchema);
  }

  async listCustomerBookings(customerId: string): Promise<BookingView[]> {
    const listing = await this.get(customerId, `customers/${encodeURIComponent(customerId)}/bookings`, z.object({ bookings: z.array(bookingViewSchema).max(500) }));
    return listing?.bookings ?? [];
  }

  getWallet(customerId: string): Promise<WalletView | null> {
    return this.get(customerId, `customers/${encodeURIComponent(customerId)}/wallet`, walletViewSchema);
  }

  quoteCancellation(customerId: string, reference: string): Promise<CancellationQuote | null> {
    return this.call('POST', customerId, `${this.bookingPath(customerId, reference)}/cancellation-quote`, cancellationQuoteSchema, {});
  }

  quoteChange(customerId: string, reference: string, newStartDate: string): Promise<ChangeQuote | null> {
    return this.call('POST', customerId, `${this.bookingPath(customerId, reference)}/change-quote`, changeQuoteSchema, { newStartDate });
  }

  async cancelBooking(customerId: string, reference: string, idempotencyKey: string): Promise<BookingChangeResult> {
    const result = await this.call('POST', customerId, `${this.bookingPath(customerId, reference)}/cancellation`, bookingChangeResultSchema, {}, idempotencyKey);
    if (!result) throw new HostApiError('host_rejected', 'The host no longer knows this booking.', { status: 404 });
    return result;
  }

  async changeBooking(customerId: string, reference: string, newStartDate: string, idempotencyKey: string): Promise<BookingChangeResult> {
    const result = await this.call('POST', customerId, `${this.bookingPath(customerId, reference)}/change`, bookingChangeResultSchema, { newStartDate }, idempotencyKey);
    if (!result) throw new HostApiError('host_rejected', 'The host no longer knows this booking.', { status: 404 });
    return result;
  }

  private bookingPath(customerId: string, reference: string): string {
    return `customers/${encodeURIComponent(customerId)}/bookings/${encodeURIComponent(reference.toUpperCase())}`;
  }

  private get<T>(customerId: string, relativePath: string, schema: z.ZodType<T>): Promise<T | null> {
    return this.call('GET', customerId, relativePath, schema);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    customerId: string,
    relativePath: string,
    schema: z.ZodType<T>,
    payload?: Record<string, unknown>,
    idempotencyKey?: string,
  ): Promise<T | null> {
    const url = new URL(relativePath, this.baseUrl);
    const response = await this.send(method, url, customerId, payload === undefined ? '' : JSON.stringify(payload), idempotencyKey);
    if (response.status === 404) return null;
    let raw: unknown;
    try {
      raw = await response.json();
    } catch (error) {
      throw new HostApiError('host_bad_response', `The host API answered ${url.pathname} with something that is not JSON.`, { cause: error });
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new HostApiError('host_bad_response', `The host API answered ${url.pathname} in an unexpected shape.`);
    return parsed.data;
  }

  private async send(method: string, url: URL, customerId: string, body: string, idempotencyKey?: string): Promise<Response> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.options.retries; attempt += 1) {
      if (attempt > 0) await sleep((this.options.backoffMs ?? 100) * 2 ** (attempt - 1));
      try {
        const response = await this.fetchImpl(url, {
          method,
          headers: {
            accept: 'application/json',
            'x-customer-id': customerId,
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
            ...this.authHeaders(method, url, body),
          },
          ...(body ? { body } : {}),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        if (response.status >= 500) {
          lastError = new HostApiError('host_unavailable', `The host API answered ${response.status}.`, { status: response.status });
          await response.body?.cancel();
          continue;
        }
        if (response.status >= 400 && response.status !== 404) {
          await response.body?.cancel();
          throw new HostApiError('host_rejected', `The host API refused the request (${response.status}).`, { status: response.status });
        }
        return response;
      } catch (error) {
        if (error instanceof HostApiError && error.code === 'host_rejected') throw error;
        lastError = error;
      }
    }
    if (lastError instanceof HostApiError) throw lastError;
    throw new HostApiError('host_unavailable', 'The host API did not answer in time.', { cause: lastError });
  }

  private authHeaders(method: string, url: URL, body: string): Record<string, string> {
    if (this.options.auth.kind === 'bearer') return { authorization: `Bearer ${this.options.auth.token}` };
    return { [SIGNATURE_HEADER]: signHostRequest(this.options.auth.secret, { method, path: `${url.pathname}${url.search}`, body }) };
  }
}
