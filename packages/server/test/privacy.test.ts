import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRetention } from '../src/privacy/retention.js';
import type { Queryable } from '../src/storage/database.js';
import { openPgliteDatabase } from '../src/storage/pglite-database.js';
import { migrate } from '../src/storage/migrate.js';
import { ChatTestClient } from './chat-client.js';
import { openSession, signCustomerToken, startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const ADMIN_KEY = 'admin-key-for-the-privacy-test-0123456789';
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Every row of every table of ours (not the host's demo_* tables) that
 * mentions one of `needles` anywhere, as "table: row": what a deletion must
 * not leave behind.
 */
async function rowsMentioning(db: Queryable, needles: readonly string[]): Promise<string[]> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'demo\\_%' ORDER BY 1`,
  );
  const found: string[] = [];
  for (const { table_name: table } of tables) {
    const { rows } = await db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${table}" t`);
    for (const { row } of rows) if (needles.some((needle) => row.includes(needle))) found.push(`${table}: ${row.slice(0, 200)}`);
  }
  return found;
}

describe.each(testDrivers)('privacy requests on %s', (driver) => {
  let server: RunningTestServer;
  const aliceSessions: string[] = [];
  let kenjiSession = '';

  beforeAll(async () => {
    server = await startTestServer({ driver, env: { ADMIN_API_KEY: ADMIN_KEY } });
    const chat = async (customerId: string, texts: string[]) => {
      const session = await openSession(server.url, { customerToken: await signCustomerToken(server, customerId) });
      const client = await ChatTestClient.connect(server.url, session.token);
      for (const text of texts) await client.ask(text);
      client.close();
      return session.sessionId;
    };
    // The local model looks the booking up (a tool call, audited), then a handoff opens a ticket.
    aliceSessions.push(await chat('cus_alice', ["What's the status of my booking SKY4F2?", 'My phone is +44 7911 123456', 'I want to talk to a human']));
    aliceSessions.push(await chat('cus_alice', ['How much does it cost to cancel a flight?']));
    kenjiSession = await chat('cus_kenji', ["What's the status of my booking R2D7KP?"]);
  });
  afterAll(async () => {
    await server?.close();
  });

  const admin = (method: string, path: string) => fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_KEY}` } });

  it("exports everything about a customer, her own words whole, and nobody else's", async () => {
    const response = await admin('GET', '/admin/customers/cus_alice/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="customer-cus_alice.json"');
    const data = (await response.json()) as { customerId: string; conversations: Array<{ id: string; messages: Array<{ text: string }>; tickets: unknown[] }>; toolCalls: Array<{ tool: string }>; modelCalls: unknown[] };
    expect(data.customerId).toBe('cus_alice');
    expect(data.conversations.map((conversation) => conversation.id).sort()).toEqual([...aliceSessions].sort());
    expect(data.conversations.flatMap((conversation) => conversation.messages.map((message) => message.text))).toContain('My phone is +44 7911 123456');
    expect(data.conversations.flatMap((conversation) => conversation.tickets)).toHaveLength(1);
    expect(data.toolCalls.map((call) => call.tool)).toContain('lookup_booking');
    expect(JSON.stringify(data)).not.toContain(kenjiSession);
    expect(JSON.stringify(data)).not.toContain('R2D7KP');
  });

  it('deletes a customer: nothing is left but the audit lines, and other customers keep everything', async () => {
    const kenjiBefore = (await rowsMentioning(server.db, [kenjiSession])).length;
    expect((await rowsMentioning(server.db, ['cus_alice', ...aliceSessions])).length).toBeGreaterThan(5);

    const response = await admin('DELETE', '/admin/customers/cus_alice');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { deleted: { conversations: number; toolCalls: number; tokenUsageDays: number } };
    expect(body.deleted.conversations).toBe(2);
    expect(body.deleted.toolCalls).toBeGreaterThan(0);
    expect(body.deleted.tokenUsageDays).toBe(1);

    const left = await rowsMentioning(server.db, ['cus_alice', ...aliceSessions]);
    expect(left.every((row) => row.startsWith('support_privacy_audit: ')), left.join('\n')).toBe(true);
    expect(left.filter((row) => row.includes('"action":"delete"'))).toHaveLength(1);
    expect((await rowsMentioning(server.db, [kenjiSession])).length).toBe(kenjiBefore);

    const audit = (await (await admin('GET', '/admin/privacy/audit?customerId=cus_alice')).json()) as { entries: Array<{ action: string; actor: string; details: Record<string, number> }> };
    expect(audit.entries.map((entry) => [entry.action, entry.actor])).toEqual([
      ['delete', 'admin-api-key'],
      ['export', 'admin-api-key'],
    ]);
    expect(audit.entries[0]?.details.conversations).toBe(2);
    // A second deletion finds nothing, and says so.
    expect(((await (await admin('DELETE', '/admin/customers/cus_alice')).json()) as { deleted: { conversations: number } }).deleted.conversations).toBe(0);
  });

  it('applies retention: conversations idle past the period are deleted, or anonymised and kept for the numbers', async () => {
    const chat = async (customerId: string, text: string) => {
      const session = await openSession(server.url, { customerToken: await signCustomerToken(server, customerId) });
      const client = await ChatTestClient.connect(server.url, session.token);
      await client.ask(text);
      client.close();
      return session.sessionId;
    };
    const age = async (sessionId: string, days: number) => {
      await server.db.query(`UPDATE support_chat_sessions SET created_at = now() - make_interval(days => $2) WHERE id = $1`, [sessionId, days]);
      await server.db.query(`UPDATE support_chat_messages SET created_at = now() - make_interval(days => $2) WHERE session_id = $1`, [sessionId, days]);
    };
    const old = await chat('cus_amara', 'Old question, mail me at amara.private@example.org');
    const anonymised = await chat('cus_lucia', 'Older question from +34 612 345 678');
    const recent = await chat('cus_omar', 'A recent question');
    await age(old, 40);
    await age(anonymised, 40);

    // Anonymise first (the one left after deleting would otherwise be gone too).
    const first = await applyRetention(server.db, { days: 30, mode: 'anonymise' }, new Date());
    expect(first.conversations).toBeGreaterThanOrEqual(2);
    const session = (await server.db.query<{ customer_id: string | null; anonymised_at: string | null }>('SELECT customer_id, anonymised_at FROM support_chat_sessions WHERE id = $1', [anonymised])).rows[0];
    expect(session).toMatchObject({ customer_id: null });
    expect(session?.anonymised_at).not.toBeNull();
    const texts = (await server.db.query<{ text: string }>('SELECT text FROM support_chat_messages WHERE session_id = $1', [anonymised])).rows.map((row) => row.text);
    expect(texts.join(' ')).toContain('[PHONE]');
    expect(texts.join(' ')).not.toContain('612 345 678');
    // Anonymised once: the next pass has nothing to do.
    expect((await applyRetention(server.db, { days: 30, mode: 'anonymise' }, new Date())).conversations).toBe(0);

    const deleted = await applyRetention(server.db, { days: 30, mode: 'delete' }, new Date());
    expect(deleted.conversations).toBeGreaterThanOrEqual(2);
    const remaining = (await server.db.query<{ id: string }>('SELECT id FROM support_chat_sessions WHERE id = ANY($1::text[])', [[old, anonymised, recent]])).rows.map((row) => row.id);
    expect(remaining).toEqual([recent]);
    const runs = (await server.db.query<{ details: { mode: string } }>(`SELECT details FROM support_privacy_audit WHERE action = 'retention' ORDER BY created_at`)).rows;
    expect(runs.map((run) => run.details.mode)).toEqual(['anonymise', 'delete']);
  });
});

describe.each(testDrivers)('training consent and the training export on %s', (driver) => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer({ driver, env: { ADMIN_API_KEY: ADMIN_KEY } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const conversation = async (texts: string[], consent: boolean[]) => {
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_omar') });
    const client = await ChatTestClient.connect(server.url, session.token);
    for (const text of texts) await client.ask(text);
    for (const training of consent) {
      const from = client.events.length;
      client.send({ type: 'consent', training });
      await client.waitFor('consent_recorded', (event) => event.training === training, { from });
    }
    client.close();
    return session;
  };

  it('stores the answer with its time, tells every tab, and the session says it after a reload', async () => {
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_omar') });
    expect(session.trainingConsent).toBeNull();
    const [tab, other] = await Promise.all([ChatTestClient.connect(server.url, session.token), ChatTestClient.connect(server.url, session.token)]);
    tab.send({ type: 'consent', training: true });
    const recorded = await other.waitFor('consent_recorded');
    expect(recorded.training).toBe(true);
    const stored = (await server.db.query<{ training_consent: boolean; training_consent_at: Date | string }>('SELECT training_consent, training_consent_at FROM support_chat_sessions WHERE id = $1', [session.sessionId])).rows[0];
    expect(stored?.training_consent).toBe(true);
    expect(new Date(stored!.training_consent_at).toISOString()).toBe(recorded.at);
    tab.close();
    other.close();
    const resumed = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_omar'), resumeSessionId: session.sessionId });
    expect(resumed.trainingConsent).toBe(true);
    // A socket opened later (another device, a reload that only refreshed its token) is told on connecting.
    const later = await ChatTestClient.connect(server.url, resumed.token);
    expect((await later.waitFor('session_state')).trainingConsent).toBe(true);
    later.close();
  });

  it('exports only consenting conversations, redacted, in the fine-tuning chat format, and audits it', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const yes = await conversation(['How much does it cost to cancel a flight? My card is 4111 1111 1111 1111'], [true]);
    await conversation(['What is the baggage allowance?'], [false]);
    await conversation(['Can I change my flight date?'], []);
    await conversation(['Do you have wifi on board?'], [true, false]);
    const response = await fetch(`${server.url}/admin/exports/training?since=${encodeURIComponent(since)}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/jsonl/);
    const lines = (await response.text()).trim().split('\n');
    expect(lines).toHaveLength(1);
    const example = JSON.parse(lines[0]!) as { messages: Array<{ role: string; content: string }> };
    expect(example.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant']);
    expect(example.messages[1]?.content).toBe('How much does it cost to cancel a flight? My card is [CARD]');
    expect(example.messages[2]?.content.length).toBeGreaterThan(10);
    expect(lines[0]).not.toContain('4111');
    expect(lines[0]).not.toContain(yes.sessionId);
    const audit = (await server.db.query<{ details: { exported: number; withoutConsent: number } }>(`SELECT details FROM support_privacy_audit WHERE action = 'training_export'`)).rows;
    expect(audit.at(-1)?.details).toMatchObject({ exported: 1, withoutConsent: 3 });
  });
});

describe('npm run privacy', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'privacy-cli-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  const runCli = (args: string[], dataDir: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'packages/server/src/cli/privacy.ts', ...args],
        { cwd: repoRoot, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', INIT_CWD: repoRoot } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('refuses bad input with exit 2 before opening the database, and a deletion without --yes', async () => {
    const dataDir = join(scratch, 'untouched');
    for (const args of [[], ['erase', 'cus_x'], ['export'], ['delete', 'cus_x'], ['training-export', '--since', 'yesterday']]) {
      const result = await runCli(args, dataDir);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^privacy: /);
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('exports to a file and deletes, audited as the CLI', { timeout: 90_000 }, async () => {
    const dataDir = join(scratch, 'data');
    // Where the CLI (and the server) keep PGlite under DATA_DIR.
    const db = await openPgliteDatabase(join(dataDir, 'pglite'));
    await migrate(db);
    await db.query(`INSERT INTO support_chat_sessions (id, customer_id, locale, token_hash, token_expires_at) VALUES ('ses_cli', 'cus_cli', 'en', 'h', now())`);
    await db.query(`INSERT INTO support_chat_messages (id, session_id, role, text) VALUES ('msg_cli', 'ses_cli', 'user', 'hello from the cli test')`);
    await db.close();

    const out = join(scratch, 'export.json');
    const exported = await runCli(['export', 'cus_cli', '--out', out], dataDir);
    expect(exported.stderr).toBe(`privacy: exported cus_cli to ${out}\n`);
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ customerId: 'cus_cli', conversations: [{ id: 'ses_cli', messages: [{ text: 'hello from the cli test' }] }] });
    const deleted = await runCli(['delete', 'cus_cli', '--yes'], dataDir);
    expect(deleted).toMatchObject({ code: 0, stdout: 'deleted cus_cli: {"conversations":1,"toolCalls":0,"emails":0,"tokenUsageDays":0}\n' });

    const after = await openPgliteDatabase(join(dataDir, 'pglite'));
    try {
      expect((await after.query('SELECT 1 FROM support_chat_sessions')).rows).toEqual([]);
      expect((await after.query<{ action: string; actor: string }>('SELECT action, actor FROM support_privacy_audit ORDER BY created_at')).rows).toEqual([
        { action: 'export', actor: 'cli' },
        { action: 'delete', actor: 'cli' },
      ]);
    } finally {
      await after.close();
    }
  });
});
