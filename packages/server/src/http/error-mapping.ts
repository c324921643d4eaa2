import type { ErrorBody } from '@support/protocol';
import { AppError } from '../errors/app-error.js';
import { DatabaseQueryError } from '../storage/database-error.js';

/**
 * A query that failed because the database could not be reached or went away
 * (SQLSTATE class 08 connection exceptions, 57P01-57P03 shutdown/cannot
 * connect now, 53300 too many connections, and drivers' own connection
 * errors, which carry no SQLSTATE): unlike a bad query, a retry may work.
 */
function isConnectionFailure(error: DatabaseQueryError): boolean {
  if (error.code !== undefined && /^[0-9A-Z]{5}$/.test(error.code)) return /^08/.test(error.code) || ['57P01', '57P02', '57P03', '53300'].includes(error.code);
  // Node's socket errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT…) or the driver's own words.
  return /^E[A-Z]+$/.test(error.code ?? '') || /connect|terminat|closed|timeout/i.test(error.message);
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** Unexpected errors are logged with their stack; expected ones are not. */
  unexpected: boolean;
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  validation?: unknown;
}

/**
 * The one place errors become wire errors. An AppError keeps its code and
 * message; a framework error about the request (bad JSON, too large, wrong
 * content type) becomes a 4xx with a stable code; anything else is a bare
 * internal_error whose details stay in the logs.
 */
export function mapError(error: unknown): MappedError {
  if (error instanceof AppError) {
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, ...(error.retryable ? { retryable: true } : {}) } },
      unexpected: error.status >= 500,
    };
  }
  if (error instanceof DatabaseQueryError && isConnectionFailure(error)) {
    // The database is away (restarting, failing over): the request was fine and may be sent again.
    return { status: 503, body: { error: { code: 'unavailable', message: 'The service is briefly unavailable; please try again in a moment.', retryable: true } }, unexpected: true };
  }
  const framework: FastifyLikeError = typeof error === 'object' && error !== null ? error : {};
  const statusCode = typeof framework.statusCode === 'number' ? framework.statusCode : 500;
  if (statusCode === 413) return clientError(413, 'payload_too_large', 'The request body is too large.');
  if (statusCode === 415) return clientError(415, 'unsupported_media_type', 'Send the request body as application/json.');
  if (statusCode >= 400 && statusCode < 500) {
    return clientError(statusCode, 'invalid_request', framework.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || framework.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'The request body is not valid JSON.' : 'The request is malformed.');
  }
  return { status: 500, body: { error: { code: 'internal_error', message: 'Something went wrong on our side. Please try again.' } }, unexpected: true };
}

function clientError(status: number, code: string, message: string): MappedError {
  return { status, body: { error: { code, message } }, unexpected: false };
}
