/**
 * What one turn costs the database, counted through the real service on both
 * drivers: every statement a node runs goes through a counting wrapper of its
 * Database. A turn's work must not grow with the conversation (the transcript
 * read for a reply is a bounded window, not the whole conversation), the
 * message and its pending record are one statement, and a socket's token is
 * not rewritten on every frame. Only the turn's own statements are judged
 * (sweeps, lease renewals and refreshes run on timers and land in any turn).
 * Counts, never timings: bench/query-count.ts times the statements.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Queryable, SqlParam } from '../src/storage/database.js';
import { REPLY_WINDOW_MESSAGES } from '../src/conversation/reply-worker.js';
import { ChatTestClient } from './chat-client.js';
import { createTestDatabase, openSession, startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

interface Counted {
  sql: string;
  rows: number;
}

/** `db` with every statement it runs (also inside transactions) appended to `log`. */
function counting(db: Database, log: Counted[]): Database {
  const wrap = (target: Queryable): Queryable => ({
    async query<Row extends Record<string, unknown>>(sql: string, params?: readonly SqlParam[]) {
      const result = await target.query<Row>(sql, params);
      log.push({ sql, rows: result.rows.length });
      return result;
    },
  });
  return {
    driver: db.driver,
    exec: (sql) => db.exec(sql),
    ping: () => db.ping(),
    close: () => db.close(),
    query: wrap(db).query,
    transaction: (work) =>
      db.transaction((tx) => {
        log.push({ sql: 'BEGIN', rows: 0 });
        return work(wrap(tx));
      }),
  };
}

describe.each(testDrivers)('the database work of a turn on %s', (driver) => {
  const log: Counted[] = [];
  let server: RunningTestServer;

  beforeAll(async () => {
    const database = await createTestDatabase(driver);
    server = await startTestServer({ database: { ...database, db: counting(database.db, log) } });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** The statements of one answered question, from the send until the worker has let the session go. */
  async function turn(client: ChatTestClient, text: string): Promise<Counted[]> {
    await server.worker.whenIdle(10_000);
    const from = log.length;
    const { reply } = await client.ask(text);
    expect(reply.role).toBe('assistant');
    expect(await server.worker.whenIdle(10_000)).toBe(true);
    return log.slice(from);
  }

  it('stays the same however long the conversation: a bounded transcript window, one statement for the message and its pending record, no token write per frame', async () => {
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    try {
      const questions = ['How long does a refund take?', 'What is the cabin baggage allowance?', 'Can I bring my dog?', 'When does check-in open?'];
      const early = await turn(client, questions[0] as string);
      // Past the window (50 messages): 30 more turns, 60 more messages.
      for (let index = 0; index < 30; index += 1) await turn(client, questions[index % questions.length] as string);
      const late = await turn(client, questions[0] as string);
      const later = await turn(client, questions[0] as string);

      // The transcript read for a reply is a window: at message 64 and 66 as many rows as the window holds (the whole
      // transcript would be 64, then 66), and fewer early on. Only the turn's reads of the transcript are compared:
      // background statements (sweeps, lease renewals, settings refreshes) land in any turn's span.
      const transcriptRows = (statements: Counted[]) => Math.max(0, ...statements.filter((statement) => /FROM support_chat_messages/.test(statement.sql)).map((statement) => statement.rows));
      expect(transcriptRows(early)).toBeLessThan(REPLY_WINDOW_MESSAGES);
      expect(transcriptRows(late)).toBe(REPLY_WINDOW_MESSAGES);
      expect(transcriptRows(later)).toBe(REPLY_WINDOW_MESSAGES);
      // Intake, up to the worker's lease: the session read, then the message with its pending record in one statement
      // (not a transaction of two inserts); and no token write (the token slid at connect, not per frame).
      const intake = late
        .slice(0, late.findIndex((statement) => statement.sql.includes('INSERT INTO support_reply_leases')))
        .filter((statement) => /FROM support_chat_sessions|INSERT INTO support_chat_messages/.test(statement.sql));
      expect(intake.map((statement) => (statement.sql.includes('INSERT INTO support_chat_messages') ? 'message+pending' : 'session'))).toEqual(['session', 'message+pending']);
      expect(intake[1]?.sql).toContain('INSERT INTO support_pending_replies');
      expect(late.filter((statement) => /SET token_expires_at/.test(statement.sql))).toEqual([]);
    } finally {
      client.close();
    }
  });
});
