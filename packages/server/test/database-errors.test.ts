import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { mapError } from '../src/http/error-mapping.js';
import { openPostgresDatabase } from '../src/storage/postgres-database.js';
import { createLogger } from '../src/logger.js';
import { DatabaseQueryError } from '../src/storage/database-error.js';
import { createTestDatabase, testDrivers } from './test-server.js';

const CARD = '4111111111111111';

/** A failed query must never carry its parameters into a log line, on either driver. */
describe.each(testDrivers)('database errors on %s', (driver) => {
  it('keep the SQLSTATE and the statement, never the parameter values', async () => {
    const { db, drop } = await createTestDatabase(driver);
    try {
      const failures = await Promise.all([
        db.query('SELECT $1::int AS n', [`${CARD}x`]).catch((error: unknown) => error),
        db.query('SELECT $1::uuid AS u', [`card ${CARD}`]).catch((error: unknown) => error),
        db.transaction((tx) => tx.query('SELECT $1::date AS d', [`my card is ${CARD}`])).catch((error: unknown) => error),
      ]);
      const lines: string[] = [];
      const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(DatabaseQueryError);
        const error = failure as DatabaseQueryError;
        expect(error.code).toMatch(/^[0-9A-Z]{5}$/);
        expect(error.statement).toMatch(/^SELECT \$1::/);
        logger.error({ err: error }, 'query failed');
      }
      expect(lines.length).toBe(3);
      for (const line of lines) expect(line).not.toContain(CARD);
      expect(lines.join('\n')).toContain('$1');
    } finally {
      await drop();
    }
  });
});

describe.each(testDrivers)('text the service writes itself on %s', (driver) => {
  it('stores a NUL (raw in text, escaped in jsonb) as U+FFFD instead of failing the write', async () => {
    const { db, drop } = await createTestDatabase(driver);
    try {
      const { rows } = await db.query<{ t: string; j: { reply: string } }>('SELECT $1::text AS t, $2::jsonb AS j', [
        'a model said \u0000 this',
        JSON.stringify({ reply: 'host said \u0000 that' }),
      ]);
      expect(rows[0]?.t).toBe('a model said \uFFFD this');
      expect(rows[0]?.j.reply).toBe('host said \uFFFD that');
      // An escaped backslash before "u0000" is text, not a NUL: left as it is.
      const literal = await db.query<{ j: { path: string } }>('SELECT $1::jsonb AS j', [JSON.stringify({ path: 'C:\\u0000' })]);
      expect(literal.rows[0]?.j.path).toBe('C:\\u0000');
    } finally {
      await drop();
    }
  });
});

describe('DatabaseQueryError', () => {
  it('replaces quoted values in message and detail, and drops key/value details', () => {
    const error = new DatabaseQueryError(
      { message: 'value "secret-42" is out of range', detail: 'Key (email)=(kenji@example.com) already exists.', code: '23505', params: ['secret-42'] },
      'INSERT INTO x VALUES ($1)',
      ['secret-42'],
    );
    expect(error.message).toBe('value "$1" is out of range');
    expect(error.detail).toBe('Key (email)=(…) already exists.');
    expect(JSON.stringify(error)).not.toContain('secret-42');
    expect(error).not.toHaveProperty('params');
  });

  it('replaces in one pass, longest value first, so short values do not garble placeholders', () => {
    const error = new DatabaseQueryError({ message: 'value "41" and "4111" are wrong' }, 'SELECT $1, $2, $3', ['4111', '41', '1']);
    expect(error.message).toBe('value "$2" and "$1" are wrong');
  });
});

describe('a PostgreSQL server that takes connections and never answers (a partition, a hung failover)', () => {
  it('fails the connect within the bound, as a retryable unavailable, instead of hanging', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (typeof address !== 'object' || !address) throw new Error('no port');
    try {
      const failure = await openPostgresDatabase(`postgres://postgres@127.0.0.1:${address.port}/test`, { connectTimeoutMs: 300 }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(mapError(new DatabaseQueryError(failure, 'SELECT 1', [])).body.error).toMatchObject({ code: 'unavailable', retryable: true });
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
