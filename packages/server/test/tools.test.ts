import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CitationRegistry } from '../src/ai/citation-registry.js';
import { InProcessSessionEventBus } from '../src/bus/session-event-bus.js';
import type { Identity } from '../src/conversation/identity.js';
import { PendingActions } from '../src/conversation/pending-actions.js';
import { SessionStore } from '../src/conversation/session-store.js';
import { addDays, loadDemoData, utcDay } from '../src/demo/demo-data.js';
import { seedDemoData } from '../src/demo/seed-demo-data.js';
import { EscalationService } from '../src/escalation/escalation-service.js';
import { FullTextRetriever } from '../src/kb/full-text-retriever.js';
import { DemoHostDataAdapter } from '../src/tools/adapters/demo-host-data-adapter.js';
import { createSupportTools } from '../src/tools/support-tools.js';
import { ToolRuntime } from '../src/tools/tool-runtime.js';
import { createTestDatabase, type TestDatabase } from './test-server.js';

const alice: Identity = { kind: 'customer', customerId: 'cus_alice', name: 'Alice Martin', email: null };
const guest: Identity = { kind: 'guest' };

// The demo bookings sit around the day they are seeded for; the seed and the dates below take the same day.
const today = utcDay(new Date());
const demo = await loadDemoData({ today });
const skyStart = demo.bookings.find((booking) => booking.reference === 'SKY4F2')?.startDate ?? today;
const newDate = addDays(skyStart, 49);

/** Every real tool through the real runtime and the demo host: allowed, refused, and fed garbage. */
describe('the tools', () => {
  let database: TestDatabase;
  let runtime: ToolRuntime;
  let sessionId: string;
  let guestSessionId: string;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    const db = database.db;
    await seedDemoData(db, demo);
    const bus = new InProcessSessionEventBus();
    const hostData = new DemoHostDataAdapter(db);
    const sessions = new SessionStore(db);
    const pendingActions = new PendingActions({ db, hostData, bus });
    const escalation = new EscalationService({ db, bus });
    runtime = new ToolRuntime(createSupportTools({ retriever: new FullTextRetriever(db), hostData, escalation, sessions, pendingActions }), {
      defaultTimeoutMs: 5000,
    });
    const expiry = new Date(Date.now() + 600_000);
    sessionId = (await sessions.create({ id: 'ses_tools_a', identity: alice, locale: 'en', tokenHash: 'h1', tokenExpiresAt: expiry })).id;
    guestSessionId = (await sessions.create({ id: 'ses_tools_g', identity: guest, locale: 'en', tokenHash: 'h2', tokenExpiresAt: expiry })).id;
  });
  afterAll(async () => {
    await database?.drop();
  });

  const run = (name: string, args: unknown, identity: Identity = alice) =>
    runtime
      .execute(
        { id: 'call_t', name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
        { identity, sessionId: identity.kind === 'guest' ? guestSessionId : sessionId, citations: new CitationRegistry() },
      )
      .then((execution) => execution.result);

  const cases: Array<{ tool: string; allowed: unknown; othersData?: unknown; invalid: unknown[]; guestAllowed: boolean }> = [
    { tool: 'search_knowledge_base', allowed: { query: 'cancellation fee' }, invalid: [{}, { query: 7 }, { query: 'x'.repeat(5000) }], guestAllowed: true },
    { tool: 'lookup_booking', allowed: { bookingReference: 'SKY4F2' }, othersData: { bookingReference: 'R2D7KP' }, invalid: [{}, { bookingReference: 42 }, { bookingReference: 'x'.repeat(5000) }], guestAllowed: false },
    { tool: 'list_my_bookings', allowed: {}, invalid: [{ status: 'teleported' }], guestAllowed: false },
    { tool: 'get_wallet_balance', allowed: {}, invalid: ['not json'], guestAllowed: false },
    { tool: 'request_booking_cancellation', allowed: { bookingReference: 'BX9T4L' }, othersData: { bookingReference: 'N4CE7U' }, invalid: [{ bookingReference: null }, { bookingReference: 'SKY4F2', reason: 'x'.repeat(5000) }], guestAllowed: false },
    { tool: 'request_booking_change', allowed: { bookingReference: 'SKY4F2', newDate }, othersData: { bookingReference: 'P9AS5M', newDate }, invalid: [{ bookingReference: 'SKY4F2' }, { bookingReference: 'SKY4F2', newDate: 'next tuesday' }], guestAllowed: false },
    { tool: 'create_ticket', allowed: { subject: 'Refund question' }, invalid: [{}, { subject: 3 }, { subject: 'x'.repeat(5000) }], guestAllowed: true },
  ];

  it.each(cases)('$tool: allowed for its role, typed refusals otherwise, garbage rejected', async ({ tool, allowed, othersData, invalid, guestAllowed }) => {
    const ok = await run(tool, allowed);
    // BX9T4L is a completed trip: not cancellable, which is itself a typed answer.
    if (tool === 'request_booking_cancellation') expect(ok).toMatchObject({ ok: false, error: { code: 'not_cancellable' } });
    else expect(ok, JSON.stringify(ok)).toMatchObject({ ok: true });

    if (othersData) {
      const refused = await run(tool, othersData);
      expect(refused).toEqual({ ok: false, error: { code: 'booking_not_found', message: expect.any(String) } });
    }
    const asGuest = await run(tool, allowed, guest);
    if (guestAllowed) expect(asGuest.ok).toBe(true);
    else expect(asGuest).toMatchObject({ ok: false, error: { code: 'sign_in_required' } });

    for (const bad of invalid) expect(await run(tool, bad), JSON.stringify(bad).slice(0, 80)).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
  });

  it('returns chosen fields, never raw rows', async () => {
    const result = await run('lookup_booking', { bookingReference: 'SKY4F2' });
    expect(JSON.stringify(result)).not.toMatch(/customer_id|cus_alice|email/);
  });
});
