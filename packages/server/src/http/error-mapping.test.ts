import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { DatabaseQueryError } from '../storage/database-error.js';
import { mapError } from './error-mapping.js';

const dbError = (fields: Record<string, unknown>) => new DatabaseQueryError(fields, 'SELECT 1', []);

describe('mapError', () => {
  it('says a lost database is retryable: 503 unavailable', () => {
    for (const error of [
      dbError({ code: '57P01', message: 'terminating connection due to administrator command' }),
      dbError({ code: '08006', message: 'connection failure' }),
      dbError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }),
      dbError({ message: 'Connection terminated unexpectedly' }),
    ]) {
      expect(mapError(error)).toMatchObject({ status: 503, body: { error: { code: 'unavailable', retryable: true } } });
    }
  });

  it('keeps a failing query an internal error that no retry fixes', () => {
    const mapped = mapError(dbError({ code: '23505', message: 'duplicate key value violates unique constraint' }));
    expect(mapped).toMatchObject({ status: 500, body: { error: { code: 'internal_error' } } });
    expect(mapped.body.error.retryable).toBeUndefined();
  });

  it('carries an AppError\'s retryable flag to the wire', () => {
    expect(mapError(new AppError('rate_limited', 'slow down', { status: 429, retryable: true })).body.error).toEqual({ code: 'rate_limited', message: 'slow down', retryable: true });
    expect(mapError(new AppError('not_found', 'no', { status: 404 })).body.error).toEqual({ code: 'not_found', message: 'no' });
  });
});
