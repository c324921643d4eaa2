/**
 * The demo page in a real browser: Debian's Chromium driven by playwright-core
 * against a real in-process server (PGlite, local model, seeded demo data).
 * Every step waits on the page's own state (selectors, data attributes), never
 * on fixed sleeps. Screenshots land in packages/server/e2e/screenshots/.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); without it the
 * suite is skipped, not failed.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { z } from 'zod';
import { createOpenAIChatModel } from '../src/ai/providers/openai-chat-model.js';
import { InProcessSessionEventBus } from '../src/bus/session-event-bus.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fake-openai-server.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type RunningTestServer } from '../test/test-server.js';
import { ASSISTANT_REPLIES, CHROMIUM_PATH, chooseIdentity, hasChromium, launchChromium, newPage, SCREENSHOT_DIR, warnIfNoChromium } from './browser.js';

const STEP_TIMEOUT_MS = 15_000;

warnIfNoChromium('demo-page');

/** Sends a question through the input and returns the assistant reply that follows it. */
async function ask(page: Page, text: string): Promise<Locator> {
  const replies = page.locator(ASSISTANT_REPLIES);
  const before = await replies.count();
  const input = page.getByTestId('message-input');
  await input.fill(text);
  await expect(page.getByTestId('send-button').isEnabled()).resolves.toBe(true);
  await input.press('Enter');
  await expect(input.inputValue()).resolves.toBe('');
  // The user bubble shows at once and is marked delivered by its ack.
  await page.locator('[data-testid="message"][data-role="user"][data-status="delivered"]', { hasText: text }).last().waitFor();
  const reply = replies.nth(before);
  await reply.waitFor();
  return reply;
}

async function messageIdsOnPage(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="message"][data-message-id]', (nodes) => nodes.map((node) => node.getAttribute('data-message-id') ?? ''));
}

describe.skipIf(!hasChromium)(
  hasChromium ? 'demo page in Chromium' : `demo page in Chromium (skipped: ${CHROMIUM_PATH} not installed)`,
  { timeout: 60_000 },
  () => {
    let server: RunningTestServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let pageErrors: string[];
    // The server's own bus, so that a test can send what a node taking over a reply would.
    const bus = new InProcessSessionEventBus();

    beforeAll(async () => {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      [server, browser] = await Promise.all([
        startTestServer({ bus }),
        launchChromium(),
      ]);
      ({ context, page, pageErrors } = await newPage(browser, { width: 1280, height: 860 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true }));
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      await browser?.close();
      await server?.close();
    }, 60_000);

    it('(a) answers a guest FAQ with citation links to the help centre', async () => {
      await page.goto(`${server.url}/classic`);
      await expect(page.locator('h1').textContent()).resolves.toContain('Skyway Travel — Support demo');
      // The customers come from /demo/customers, with tier and booking references.
      await expect(page.getByTestId('identity-cus_alice').textContent()).resolves.toMatch(/Alice Martin.*Gold.*SKY4F2/s);
      await expect(page.getByTestId('send-button').isDisabled()).resolves.toBe(true);

      await chooseIdentity(page, 'identity-guest');
      await expect(page.getByTestId('send-button').isDisabled()).resolves.toBe(true); // still empty

      const reply = await ask(page, 'How much does it cost to cancel a flight?');
      const text = (await reply.getByTestId('message-text').textContent()) ?? '';
      expect(text.trim().length).toBeGreaterThan(20);
      expect(await reply.getAttribute('data-message-id')).toMatch(/^msg_/);

      const links = reply.getByTestId('citation-link');
      expect(await links.count()).toBeGreaterThanOrEqual(1);
      for (const link of await links.all()) {
        expect(await link.getAttribute('href')).toMatch(/^https:\/\/help\.skyway\.example\//);
        expect(await link.getAttribute('target')).toBe('_blank');
        expect(await link.getAttribute('rel')).toContain('noopener');
        expect(((await link.textContent()) ?? '').trim()).not.toBe('');
      }
      await page.screenshot({ path: `${SCREENSHOT_DIR}a-guest-faq.png`, fullPage: true });
    });

    it('(b) a reload keeps the conversation; Alice sees her booking and not someone else’s', async () => {
      const guestIds = await messageIdsOnPage(page);
      await page.reload();
      // The guest conversation comes back from history, without duplicates.
      await page.locator('[data-testid="connection-status"][data-state="online"]').waitFor();
      await page.locator(`[data-message-id="${guestIds.at(-1)}"]`).waitFor();
      expect(await messageIdsOnPage(page)).toEqual(guestIds);

      await chooseIdentity(page, 'identity-cus_alice');
      await expect(page.getByTestId('current-identity').textContent()).resolves.toContain('Alice Martin');
      expect(await page.locator('[data-testid="message"]').count()).toBe(0); // a fresh conversation
      // The chip offers the customer's first listed booking, as the demo API lists them.
      const listing = z
        .object({ customers: z.array(z.object({ id: z.string(), bookingReferences: z.array(z.string()) })) })
        .parse(await (await fetch(`${server.url}/demo/customers`)).json());
      const firstReference = listing.customers.find((customer) => customer.id === 'cus_alice')?.bookingReferences[0];
      await expect(page.getByTestId('suggestions').textContent()).resolves.toContain(`What's the status of my booking ${firstReference}?`);

      const own = await ask(page, "What's the status of my booking SKY4F2?");
      const ownText = (await own.getByTestId('message-text').textContent()) ?? '';
      expect(ownText).toContain('SKY4F2');
      expect(ownText).toContain('confirmed');

      const other = await ask(page, "What's the status of my booking R2D7KP?");
      const otherText = (await other.getByTestId('message-text').textContent()) ?? '';
      expect(otherText).toMatch(/couldn.t find|can only see|not .*your account/i);
      for (const leaked of ['AMS', 'HND', 'Kenji', 'Amsterdam', 'Tokyo']) expect(otherText).not.toContain(leaked);
      await page.screenshot({ path: `${SCREENSHOT_DIR}b-alice-bookings.png`, fullPage: true });
    });

    it('(c) "Talk to a human" shows the ticket banner, the ticket exists, and a reload keeps the banner', async () => {
      await page.getByTestId('escalate-button').click();
      const banner = page.getByTestId('escalation-banner');
      await banner.waitFor({ state: 'visible' });
      await expect(banner.textContent()).resolves.toContain('Connected to our support team — ticket');
      const ticketId = ((await page.getByTestId('ticket-id').textContent()) ?? '').trim();
      expect(ticketId).toMatch(/^TKT-[A-Z0-9]+$/);
      await page.locator('[data-testid="message"][data-role="system"]', { hasText: ticketId }).waitFor();
      await expect(page.getByTestId('escalate-button').isDisabled()).resolves.toBe(true);

      const { rows } = await server.db.query<{ id: string }>('SELECT id FROM support_tickets');
      expect(rows.map((row) => row.id)).toContain(ticketId);
      await page.screenshot({ path: `${SCREENSHOT_DIR}c-escalated.png`, fullPage: true });

      // session_state tells a reloaded page that the conversation is with the team.
      await page.reload();
      await page.locator('[data-testid="connection-status"][data-state="online"]').waitFor();
      await page.getByTestId('escalation-banner').waitFor({ state: 'visible' });
      await expect(page.getByTestId('ticket-id').textContent()).resolves.toBe(ticketId);
    });

    it('(d) thumbs-up on an assistant message is recorded', async () => {
      const reply = page.locator(ASSISTANT_REPLIES).first();
      const messageId = await reply.getAttribute('data-message-id');
      expect(messageId).toMatch(/^msg_/);
      await reply.getByTestId('feedback-up').click();
      await page.locator(`[data-message-id="${messageId}"][data-feedback="up"]`).waitFor();
      await expect(reply.getByTestId('feedback-up').getAttribute('aria-pressed')).resolves.toBe('true');
      await expect(reply.getByTestId('feedback-status').textContent()).resolves.toContain('Thanks');

      const { rows } = await server.db.query<{ rating: string | null }>('SELECT rating FROM support_chat_messages WHERE id = $1', [messageId]);
      expect(rows[0]?.rating).toBe('up');
      await reply.screenshot({ path: `${SCREENSHOT_DIR}d-feedback.png` });

      // The rating comes back with the history after a reload.
      await page.reload();
      await page.locator(`[data-message-id="${messageId}"][data-feedback="up"]`).waitFor();
    });

    it('(e) reconnects after the socket drops, resumes, and shows nothing twice', async () => {
      const idsBefore = await messageIdsOnPage(page);
      const reconnected = page.waitForEvent('websocket');
      for (const client of server.app.websocketServer.clients) client.terminate();
      await reconnected;
      await page.locator('[data-testid="connection-status"][data-state="online"]').waitFor();

      // Escalated: the message goes to the team (acked, no AI reply) and nothing already shown repeats.
      const text = 'Any news on my refund?';
      await page.getByTestId('message-input').fill(text);
      await page.getByTestId('send-button').click();
      await page.locator('[data-testid="message"][data-role="user"][data-status="delivered"]', { hasText: text }).waitFor();
      const idsAfter = await messageIdsOnPage(page);
      expect(new Set(idsAfter).size).toBe(idsAfter.length);
      expect(idsAfter.slice(0, idsBefore.length)).toEqual(idsBefore);
      expect(idsAfter.length).toBe(idsBefore.length + 1);
      expect(pageErrors).toEqual([]);
    });

    it('(f) an error event from the server is shown inline, and the chat keeps working', async () => {
      const { context: ctx, page: guestPage, pageErrors: errors } = await newPage(browser, { width: 1280, height: 860 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
      try {
        // The page refuses over-long text itself, so stretch one message on its way to the server
        // to see the server's too_long error (which quotes the clientMessageId) handled by the page.
        await ctx.routeWebSocket(/\/support\/chat\/ws/, (route) => {
          const upstream = route.connectToServer();
          route.onMessage((frame) => {
            const event = JSON.parse(String(frame)) as { type: string; text?: string };
            if (event.type === 'send_message' && event.text === 'Please stretch me') event.text = 'x'.repeat(4001);
            upstream.send(JSON.stringify(event));
          });
        });
        await guestPage.goto(`${server.url}/classic`);
        await chooseIdentity(guestPage, 'identity-guest');
        await guestPage.getByTestId('message-input').fill('Please stretch me');
        await guestPage.getByTestId('send-button').click();
        await guestPage.locator('[data-testid="chat-error"][data-code="too_long"]').waitFor();
        await guestPage.locator('[data-testid="message"][data-role="user"][data-status="failed"]', { hasText: 'Please stretch me' }).waitFor();
        await expect(guestPage.getByTestId('connection-status').getAttribute('data-state')).resolves.toBe('online');
        await guestPage.screenshot({ path: `${SCREENSHOT_DIR}f-inline-error.png`, fullPage: true });

        const reply = await ask(guestPage, 'Can I take a second bag?');
        expect(((await reply.getByTestId('message-text').textContent()) ?? '').length).toBeGreaterThan(0);

        // The page's own limit gives the same inline error without a round trip.
        const input = guestPage.getByTestId('message-input');
        await input.evaluate((node) => node.removeAttribute('maxlength'));
        await input.fill('y'.repeat(4001));
        await guestPage.getByTestId('send-button').click();
        await guestPage.locator('[data-testid="chat-error"][data-code="too_long"]').waitFor();
        expect(await guestPage.locator('[data-testid="message"][data-role="user"]', { hasText: 'yyyy' }).count()).toBe(0);
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    });

    it('(g) fits a 360 px wide screen', async () => {
      const { context: ctx, page: mobile, pageErrors: errors } = await newPage(browser, { width: 360, height: 740 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
      try {
        await mobile.goto(`${server.url}/classic`);
        await mobile.getByTestId('identity-cus_alice').waitFor();
        await mobile.screenshot({ path: `${SCREENSHOT_DIR}g-mobile-picker.png`, fullPage: true });
        await chooseIdentity(mobile, 'identity-cus_alice');
        await mobile.locator('[data-testid="suggestion-chip"]', { hasText: 'status of my booking' }).waitFor();
        const reply = await ask(mobile, 'How much does it cost to cancel a flight?');
        await reply.getByTestId('citation-link').first().waitFor();
        const overflow = await mobile.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow).toBeLessThanOrEqual(0);
        await mobile.screenshot({ path: `${SCREENSHOT_DIR}g-mobile-chat.png`, fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    });

    it('(h) drops a half-streamed reply once the reply to the same message arrives under another id (a take-over after a crash)', async () => {
      const { context: ctx, page: guestPage, pageErrors: errors } = await newPage(browser, { width: 1280, height: 860 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
      try {
        await guestPage.goto(`${server.url}/classic`);
        await chooseIdentity(guestPage, 'identity-guest');
        const question = await ask(guestPage, 'How much does it cost to cancel a flight?');
        await question.waitFor();
        const { rows } = await server.db.query<{ id: string; session_id: string }>(
          `SELECT id, session_id FROM support_chat_messages WHERE role = 'user' ORDER BY seq DESC LIMIT 1`,
        );
        const asked = rows[0];
        if (!asked) throw new Error('the question was not stored');
        // The node writing a reply died mid-stream; another node writes it again under a new id.
        bus.publish(asked.session_id, { type: 'message_delta', messageId: 'msg_dead_node_stream', delta: 'Half of a rep', replyToMessageId: 'msg_taken_over_question' });
        await guestPage.locator('[data-message-id="msg_dead_node_stream"][data-pending]').waitFor();
        const final = { id: 'msg_taken_over_reply', role: 'assistant' as const, text: 'The whole reply, written by the node that took over.', createdAt: new Date().toISOString(), citations: [], replyToMessageId: 'msg_taken_over_question' };
        bus.publish(asked.session_id, { type: 'message', message: final });
        await guestPage.locator('[data-message-id="msg_taken_over_reply"]:not([data-pending])', { hasText: final.text }).waitFor();
        expect(await guestPage.locator('[data-message-id="msg_dead_node_stream"]').count()).toBe(0);
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    });
  },
);

describe.skipIf(!hasChromium)(
  hasChromium ? 'demo page token lifetime in Chromium' : `demo page token lifetime (skipped: ${CHROMIUM_PATH} not installed)`,
  { timeout: 60_000 },
  () => {
    let server: RunningTestServer;
    let browser: Browser;

    beforeAll(async () => {
      [server, browser] = await Promise.all([
        startTestServer({ env: { SESSION_TOKEN_TTL_SECONDS: '2' } }),
        launchChromium(),
      ]);
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    }, 60_000);

    it('corrects for a server clock an hour ahead (from the Date header) and refreshes before the token expires, twice in a row', async () => {
      // The service's clock (expiresAt, the Date header) runs an hour ahead of the browser's.
      const ahead = await startTestServer({ env: { SESSION_TOKEN_TTL_SECONDS: '3' }, now: () => new Date(Date.now() + 3_600_000) });
      const { context, page, pageErrors } = await newPage(browser, { width: 1280, height: 860 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
      try {
        await page.goto(`${ahead.url}/classic`);
        let refreshes = 0;
        page.on('response', (response) => {
          if (response.url().endsWith('/refresh') && response.status() === 200) refreshes += 1;
        });
        await chooseIdentity(page, 'identity-guest');
        await expect.poll(() => refreshes, { timeout: STEP_TIMEOUT_MS, interval: 100 }).toBeGreaterThanOrEqual(2);
        const reply = await ask(page, 'How much does it cost to cancel a flight?');
        expect(((await reply.getByTestId('message-text').textContent()) ?? '').length).toBeGreaterThan(0);
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
        await ahead.close();
      }
    });

    it('refreshes the token before it expires, and offers a restart once it has expired', async () => {
      const { context, page, pageErrors } = await newPage(browser, { width: 1280, height: 860 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
      try {
        await page.goto(`${server.url}/classic`);
        const refreshed = page.waitForResponse((response) => response.url().endsWith('/refresh') && response.status() === 200);
        await chooseIdentity(page, 'identity-guest');
        // The page refreshes on its own, well before the 2 s lifetime runs out ...
        await refreshed;
        const reply = await ask(page, 'How much does it cost to cancel a flight?');
        expect(((await reply.getByTestId('message-text').textContent()) ?? '').length).toBeGreaterThan(0);

        // ... and when refreshing fails and the token lapses, the server closes with 4408.
        await page.route('**/refresh', (route) => route.abort());
        const failed = await page.waitForEvent('requestfailed', (request) => request.url().endsWith('/refresh'));
        expect(failed.url()).toContain('/refresh');
        // Wait until the server itself holds the token for expired (its idle lifetime has run out).
        await expect
          .poll(async () => (await server.db.query<{ live: number }>('SELECT count(*)::int AS live FROM support_chat_sessions WHERE token_expires_at > $1', [new Date()])).rows[0]?.live, {
            timeout: STEP_TIMEOUT_MS,
            interval: 100,
          })
          .toBe(0);
        await page.getByTestId('message-input').fill('Are you still there?');
        await page.getByTestId('message-input').press('Enter');
        const expired = page.getByTestId('session-expired');
        await expired.waitFor({ state: 'visible' });
        await expect(expired.textContent()).resolves.toContain('Session expired — start again');
        await expect(page.getByTestId('message-input').isDisabled()).resolves.toBe(true);
        await page.screenshot({ path: `${SCREENSHOT_DIR}h-session-expired.png`, fullPage: true });

        await page.unroute('**/refresh');
        await page.getByTestId('restart-button').click();
        await page.locator('[data-testid="connection-status"][data-state="online"]').waitFor();
        await expired.waitFor({ state: 'hidden' });
        const again = await ask(page, "What's my wallet balance?");
        expect(((await again.getByTestId('message-text').textContent()) ?? '').length).toBeGreaterThan(0);
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  },
);

describe.skipIf(!hasChromium)(
  hasChromium ? 'booking changes need a click in Chromium' : `booking change confirmation (skipped: ${CHROMIUM_PATH} not installed)`,
  { timeout: 60_000 },
  () => {
    let server: RunningTestServer;
    let browser: Browser;
    let fake: FakeOpenAIServer;

    beforeAll(async () => {
      fake = await startFakeOpenAIServer({ apiKey: 'sk-test-e2e-actions-000000000000' });
      // A hosted model (over the real protocol) that prepares a cancellation, then explains it.
      fake.setDefault((body) =>
        body.messages.at(-1)?.role === 'tool'
          ? { kind: 'text', chunks: ['I have prepared the cancellation. Please check the fee and refund, then press Confirm.'] }
          : { kind: 'tool_calls', calls: [{ name: 'request_booking_cancellation', arguments: { bookingReference: 'K7QM2A' } }] },
      );
      [server, browser] = await Promise.all([
        startTestServer({ model: createOpenAIChatModel({ provider: 'openai', apiKey: 'sk-test-e2e-actions-000000000000', model: 'gpt-test', baseURL: fake.url, maxRetries: 0 }) }),
        launchChromium(),
      ]);
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await fake?.close();
    }, 60_000);

    it('(j) shows the proposal as a card and cancels the booking only after Confirm', async () => {
      const { context, page, pageErrors } = await newPage(browser, { width: 1280, height: 860 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
      try {
        await page.goto(`${server.url}/classic`);
        await chooseIdentity(page, 'identity-cus_alice');
        await ask(page, 'Please cancel my hotel booking K7QM2A');
        const card = page.getByTestId('action-card');
        await card.waitFor();
        await expect(card.textContent()).resolves.toContain('Cancel booking K7QM2A');
        const status = async () => (await server.db.query<{ status: string }>(`SELECT status FROM demo_bookings WHERE reference = 'K7QM2A'`)).rows[0]?.status;
        expect(await status()).toBe('confirmed');
        await page.screenshot({ path: `${SCREENSHOT_DIR}j-action-card.png`, fullPage: true });

        await card.getByTestId('action-confirm').click();
        await page.locator('[data-testid="action-card"][data-status="done"]').waitFor();
        await page.locator(ASSISTANT_REPLIES, { hasText: 'Done: booking K7QM2A is cancelled' }).waitFor();
        expect(await status()).toBe('cancelled');
        await expect(card.getByTestId('action-confirm').isDisabled()).resolves.toBe(true);
        await page.screenshot({ path: `${SCREENSHOT_DIR}j-action-done.png`, fullPage: true });
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  },
);
