import type { ErrorBody } from '@support/protocol';
import { AppError } from '../errors/app-error.js';

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
    return { status: error.status, body: { error: { code: error.code, message: error.message } }, unexpected: error.status >= 500 };
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
