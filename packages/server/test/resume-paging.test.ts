import type { ServerEvent } from '@support/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTurns, RESUME_PAGE_SIZE } from '../src/conversation/chat-turns.js';
import { MessageStore } from '../src/conversation/message-store.js';
import { SessionStore } from '../src/conversation/session-store.js';
import { createTestDatabase, type TestDatabase } from './test-server.js';

/** resume replays in pages, waits for the client between pages, and stops when the client is gone. */
describe('resume paging', () => {
  let database: TestDatabase;
  let turns: ChatTurns;
  const sessionId = 'ses_resume_paging';
  const total = RESUME_PAGE_SIZE * 2 + 7;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    const sessions = new SessionStore(database.db);
    await sessions.create({ id: sessionId, identity: { kind: 'guest' }, locale: 'en', tokenHash: 'h', tokenExpiresAt: new Date(Date.now() + 60_000) });
    await database.db.query(
      `INSERT INTO support_chat_messages (id, session_id, role, text)
       SELECT 'msg_page_' || lpad(g::text, 4, '0'), $1, 'user', 'message ' || g FROM generate_series(1, $2::int) AS g`,
      [sessionId, total],
    );
    // Only the transcript (and what awaits a reply) is used by resume; the rest of ChatTurns' parts never run here.
    turns = new ChatTurns({ db: database.db, sessions, messages: new MessageStore(database.db) } as unknown as ConstructorParameters<typeof ChatTurns>[0]);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('sends one page, then waits for the client before the next, and delivers everything once in order', async () => {
    const sent: string[] = [];
    const sentAtEachWait: number[] = [];
    await turns.resume(
      sessionId,
      undefined,
      (event: ServerEvent) => void (event.type === 'message' && sent.push(event.message.id)),
      async () => {
        sentAtEachWait.push(sent.length);
        return true;
      },
    );
    expect(sentAtEachWait).toEqual([RESUME_PAGE_SIZE, RESUME_PAGE_SIZE * 2]);
    expect(sent.length).toBe(total);
    expect(new Set(sent).size).toBe(total);
    expect(sent).toEqual([...sent].sort());
  });

  it('stops reading the transcript once the connection is gone', async () => {
    const sent: string[] = [];
    await turns.resume(sessionId, undefined, (event: ServerEvent) => void (event.type === 'message' && sent.push(event.message.id)), async () => false);
    expect(sent.length).toBe(RESUME_PAGE_SIZE);
  });

  it('starts after the message the client saw last', async () => {
    const sent: string[] = [];
    await turns.resume(sessionId, 'msg_page_0100', (event: ServerEvent) => void (event.type === 'message' && sent.push(event.message.id)));
    expect(sent[0]).toBe('msg_page_0101');
    expect(sent.length).toBe(total - 100);
  });
});
