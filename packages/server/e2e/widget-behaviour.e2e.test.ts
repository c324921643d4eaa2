/**
 * The chat widget on the demo site ("Skyway Travel") as a customer lives with
 * it, in Debian's Chromium against a real in-process server: reloads, the
 * handoff to a ticket, feedback, a dropped socket, an error from the server,
 * a 360 px phone, a reply taken over by another node, and the session token's
 * lifetime (a server clock an hour ahead, refreshes, expiry). The widget is
 * built first, as `npm start` does. Every step waits on the page's own state
 * or on the database, never on fixed sleeps; screenshots land in
 * e2e/screenshots/behaviour-*.png.
 *
 * Needs /usr/bin/chromium; without it the suite is skipped, not failed.
 */
import { mkdirSync } from 'node:fs';
import { agentQueueResponseSchema } from '@support/protocol';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InProcessSessionEventBus } from '../src/bus/session-event-bus.js';
import { agentCall, agentLogin, MAYA } from '../test/agent-client.js';
import { startTestServer, type RunningTestServer } from '../test/test-server.js';
import {
  ask,
  assistantReplies,
  buildFrontEnd,
  CHROMIUM_PATH,
  hasChromium,
  launchChromium,
  messageIdsOnPage,
  newPage,
  openLauncher,
  recordSocketFrames,
  SCREENSHOT_DIR,
  signIn,
  type TestPage,
  warnIfNoChromium,
  widgetOnline,
  widgetPanel,
} from './browser.js';

// An upper bound on waiting for something that happens (two cores, maybe busy), never a timing requirement.
const STEP_TIMEOUT_MS = 30_000;
const CHAT_SOCKET = /\/support\/chat\/ws/;
const buildWidget = () => buildFrontEnd('widget');

warnIfNoChromium('widget-behaviour');

const userMessages = (page: Page) => page.locator('.sc-msg[data-role="user"]');
/** How far the page is wider than the screen (evaluated in the page). */
const PAGE_OVERFLOW = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';

/** What the chip measurement uses of a DOM element (this project compiles without the DOM library). */
interface ChipElement {
  textContent: string | null;
  scrollHeight: number;
  clientHeight: number;
  style: { cssText: string };
  parentElement: { append(node: ChipElement): void } | null;
  getBoundingClientRect(): { width: number; height: number; left: number; right: number };
  cloneNode(deep: true): ChipElement;
  remove(): void;
}

/** The session a message shown on the page belongs to (the widget keeps its session id in storage only). */
async function sessionOf(server: RunningTestServer, messageId: string): Promise<string> {
  const { rows } = await server.db.query<{ session_id: string }>('SELECT session_id FROM support_chat_messages WHERE id = $1', [messageId]);
  const sessionId = rows[0]?.session_id;
  if (!sessionId) throw new Error(`message ${messageId} is not stored`);
  return sessionId;
}

/** Every stored message of a session, in transcript order. */
async function storedIds(server: RunningTestServer, sessionId: string): Promise<string[]> {
  const { rows } = await server.db.query<{ id: string }>('SELECT id FROM support_chat_messages WHERE session_id = $1 ORDER BY seq', [sessionId]);
  return rows.map((row) => row.id);
}

describe.skipIf(!hasChromium)(hasChromium ? 'the widget across reloads, handoffs and failures in Chromium' : `widget behaviour (skipped: ${CHROMIUM_PATH} not installed)`, { timeout: 120_000 }, () => {
  let server: RunningTestServer;
  let browser: Browser;
  // The server's own bus, so that a test can publish what a node taking over a reply would.
  const bus = new InProcessSessionEventBus();

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // Agents claim by hand: nobody is signed in at the desk, so a handoff becomes a ticket.
    const [started, launched] = await Promise.all([startTestServer({ bus, env: { AGENT_AUTO_ASSIGN: 'false' } }), launchChromium(), buildWidget()]);
    server = started;
    browser = launched;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  }, 60_000);

  function sitePage(viewport = { width: 1280, height: 800 }): Promise<TestPage> {
    return newPage(browser, viewport, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
  }

  it('a reload keeps the conversation, each message once; signed in as Alice it starts afresh and shows her booking, not Kenji’s', async () => {
    const { context, page, pageErrors } = await sitePage();
    try {
      await page.goto(`${server.url}/support`);
      await widgetOnline(page);
      const reply = await ask(page, 'How much does it cost to cancel a flight?');
      expect(await reply.getAttribute('data-message-id')).toMatch(/^msg_/);
      const links = reply.locator('.sc-citations a');
      expect(await links.count()).toBeGreaterThanOrEqual(1);
      for (const link of await links.all()) {
        expect(await link.getAttribute('href')).toMatch(/^https:\/\/help\.skyway\.example\//);
        expect(await link.getAttribute('target')).toBe('_blank');
        expect(await link.getAttribute('rel')).toContain('noopener');
        expect(((await link.textContent()) ?? '').trim()).not.toBe('');
      }
      const guestIds = await messageIdsOnPage(page);
      const guestSession = await sessionOf(server, guestIds[0] ?? '');
      // What the page shows is the stored transcript: the question and its reply.
      expect(guestIds).toEqual(await storedIds(server, guestSession));
      expect(guestIds).toHaveLength(2);

      await page.reload();
      await widgetOnline(page);
      await page.locator(`.sc-msg[data-message-id="${guestIds.at(-1)}"]`).waitFor();
      expect(await messageIdsOnPage(page)).toEqual(guestIds);
      await expect(page.locator('.sc-msg').count()).resolves.toBe(2);

      // The site's own login ("Signed in as" in its header) reloads the page; the widget starts as Alice.
      await Promise.all([page.waitForEvent('load'), page.getByTestId('demo-login').selectOption('cus_alice')]);
      await widgetOnline(page);
      await expect(page.locator('.sc-msg').count()).resolves.toBe(0); // a fresh conversation: not the guest's
      // A signed-in customer's suggestions, not a guest's; the booking one lists Alice's bookings, as the demo API
      // lists them, and nobody else's.
      const chip = page.locator('.sc-chip', { hasText: 'What is the status of my booking?' });
      await chip.waitFor();
      await expect(page.locator('.sc-chip', { hasText: 'How much baggage can I take?' }).count()).resolves.toBe(0);
      const listing = z
        .object({ customers: z.array(z.object({ id: z.string(), bookingReferences: z.array(z.string()) })) })
        .parse(await (await fetch(`${server.url}/demo/customers`)).json());
      const referencesOf = (id: string) => listing.customers.find((customer) => customer.id === id)?.bookingReferences ?? [];
      expect(referencesOf('cus_alice').length).toBeGreaterThan(0);
      await chip.click();
      const bookings = assistantReplies(page).first();
      await bookings.waitFor();
      const bookingsText = (await bookings.locator('.sc-bubble').textContent()) ?? '';
      for (const reference of referencesOf('cus_alice')) expect(bookingsText).toContain(reference);
      for (const reference of referencesOf('cus_kenji')) expect(bookingsText).not.toContain(reference);
      await expect(page.locator('.sc-chip').count()).resolves.toBe(0); // the conversation has started

      const own = await ask(page, "What's the status of my booking SKY4F2?");
      const ownText = (await own.locator('.sc-bubble').textContent()) ?? '';
      expect(ownText).toContain('SKY4F2');
      expect(ownText).toContain('confirmed');

      const other = await ask(page, "What's the status of my booking R2D7KP?");
      const otherText = (await other.locator('.sc-bubble').textContent()) ?? '';
      expect(otherText).toMatch(/couldn.t find|can only see|not .*your account/i);
      for (const leaked of ['AMS', 'HND', 'Kenji', 'Amsterdam', 'Tokyo']) expect(otherText).not.toContain(leaked);

      // Alice's conversation is her own session, not the guest's carried over.
      const aliceIds = await messageIdsOnPage(page);
      const aliceSession = await sessionOf(server, aliceIds[0] ?? '');
      expect(aliceSession).not.toBe(guestSession);
      const { rows } = await server.db.query<{ customer_id: string | null }>('SELECT customer_id FROM support_chat_sessions WHERE id = $1', [aliceSession]);
      expect(rows[0]?.customer_id).toBe('cus_alice');
      expect(aliceIds).toEqual(await storedIds(server, aliceSession));
      expect(aliceIds).toHaveLength(6);
      await page.screenshot({ path: `${SCREENSHOT_DIR}behaviour-desktop-alice-bookings.png` });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('"Talk to a person" with nobody at the desk: the ticket view names the stored ticket, and a reload keeps it', async () => {
    const { context, page, pageErrors } = await sitePage();
    try {
      await signIn(page, server.url, 'cus_amara');
      await page.goto(`${server.url}/support`);
      await widgetOnline(page);
      await ask(page, 'How long does a refund take?');
      const escalate = page.getByRole('button', { name: 'Talk to a person' });
      await escalate.click();

      const ticket = page.getByTestId('ticket');
      await ticket.waitFor();
      const heading = ((await ticket.locator('h3').textContent()) ?? '').trim();
      expect(heading).toMatch(/^Ticket TKT-[A-Z0-9]+$/);
      const ticketId = heading.replace('Ticket ', '');
      // The handoff notice names the ticket, once, in the transcript and in the ticket view.
      const notice = page.locator('.sc-msg[data-role="system"][data-kind="handoff"]');
      await notice.waitFor();
      await expect(notice.count()).resolves.toBe(1);
      await expect(notice.textContent()).resolves.toContain(ticketId);
      await expect(ticket.textContent()).resolves.toContain('Waiting for a reply from our team.');
      const button = page.locator('[data-escalate]');
      await expect(button.textContent()).resolves.toBe('With our team');
      await expect(button.isDisabled()).resolves.toBe(true);
      // No suggestion the assistant would answer.
      await expect(page.locator('.sc-chip').count()).resolves.toBe(0);

      const sessionId = await sessionOf(server, (await messageIdsOnPage(page))[0] ?? '');
      const { rows } = await server.db.query<{ id: string; mode: string; status: string; customer_id: string | null }>(
        'SELECT id, mode, status, customer_id FROM support_tickets WHERE session_id = $1',
        [sessionId],
      );
      expect(rows).toEqual([{ id: ticketId, mode: 'ticket', status: 'open', customer_id: 'cus_amara' }]);
      // The agents' queue lists it as a ticket, waiting.
      const maya = await agentLogin(server.url, MAYA.email);
      const queue = agentQueueResponseSchema.parse((await agentCall(server.url, maya.token, 'GET', '/support/agent/queue')).body);
      expect(queue.conversations.filter((entry) => entry.sessionId === sessionId).map(({ ticketId: id, status, mode }) => ({ id, status, mode }))).toEqual([{ id: ticketId, status: 'waiting', mode: 'ticket' }]);
      await page.screenshot({ path: `${SCREENSHOT_DIR}behaviour-desktop-ticket.png` });

      // The service tells a reloaded page (session_state) that the team has the conversation, as a ticket.
      const idsBefore = await messageIdsOnPage(page);
      await page.reload();
      await widgetOnline(page);
      await ticket.waitFor();
      await expect(ticket.locator('h3').textContent()).resolves.toBe(`Ticket ${ticketId}`);
      await expect(page.locator('[data-escalate]').isDisabled()).resolves.toBe(true);
      expect(await messageIdsOnPage(page)).toEqual(idsBefore);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a thumbs-up on a reply is recorded by the service, and a reload shows it', async () => {
    const { context, page, pageErrors } = await sitePage();
    try {
      await page.goto(`${server.url}/support`);
      await widgetOnline(page);
      const reply = await ask(page, 'What is the baggage allowance?');
      const messageId = await reply.getAttribute('data-message-id');
      expect(messageId).toMatch(/^msg_/);
      const helpful = reply.getByRole('button', { name: 'Helpful', exact: true });
      await expect(helpful.getAttribute('aria-pressed')).resolves.toBe('false');
      await helpful.click();
      // Pressed once the service's feedback_recorded confirms it, not when clicked.
      await reply.locator('.sc-feedback-status', { hasText: 'Thanks for your feedback!' }).waitFor();
      await expect(helpful.getAttribute('aria-pressed')).resolves.toBe('true');
      await expect(reply.getByRole('button', { name: 'Not helpful' }).getAttribute('aria-pressed')).resolves.toBe('false');

      const { rows } = await server.db.query<{ rating: string | null }>('SELECT rating FROM support_chat_messages WHERE id = $1', [messageId]);
      expect(rows).toEqual([{ rating: 'up' }]);
      await reply.screenshot({ path: `${SCREENSHOT_DIR}behaviour-desktop-feedback.png` });

      await page.reload();
      await widgetOnline(page);
      const again = page.locator(`.sc-msg[data-message-id="${messageId}"]`);
      await expect(again.getByRole('button', { name: 'Helpful', exact: true }).getAttribute('aria-pressed')).resolves.toBe('true');
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('after the socket drops it reconnects and resumes: what came meanwhile and what was typed meanwhile each show once', async () => {
    const { context, page, pageErrors } = await sitePage();
    try {
      // The network, as far as the chat socket goes: while it is "down", every connection attempt fails.
      let down = false;
      await context.routeWebSocket(CHAT_SOCKET, async (route: WebSocketRoute) => {
        if (down) await route.close({ code: 1006, reason: 'network down (test)' });
        else route.connectToServer();
      });
      const sent = recordSocketFrames(page, '/support/chat/ws', 'sent');
      await signIn(page, server.url, 'cus_kenji');
      await page.goto(`${server.url}/support`);
      await widgetOnline(page);
      await ask(page, 'What is the status of my booking R2D7KP?');
      await page.getByRole('button', { name: 'Talk to a person' }).click();
      await page.getByTestId('ticket').waitFor();
      const idsBefore = await messageIdsOnPage(page);
      const sessionId = await sessionOf(server, idsBefore[0] ?? '');
      expect(idsBefore).toEqual(await storedIds(server, sessionId));

      down = true;
      for (const client of server.app.websocketServer.clients) client.terminate();
      await page.locator('.sc-dot[data-state="reconnecting"]').waitFor();

      // While the customer is away, Maya takes the ticket and answers it ...
      const maya = await agentLogin(server.url, MAYA.email);
      expect((await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${sessionId}/claim`)).status).toBe(200);
      const agentText = 'Hi Kenji, I am looking at R2D7KP now.';
      expect((await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${sessionId}/messages`, { text: agentText })).status).toBe(201);
      // ... and the customer writes, which waits for the connection.
      const typed = 'Any news on my refund?';
      await page.getByLabel('Your message').fill(typed);
      await page.getByLabel('Your message').press('Enter');
      await userMessages(page).filter({ hasText: typed }).locator('.sc-delivery', { hasText: 'Waiting for connection…' }).waitFor();
      await page.screenshot({ path: `${SCREENSHOT_DIR}behaviour-desktop-reconnecting.png` });

      const resumesBefore = sent.filter((frame) => frame.includes('"resume"')).length;
      // Back: the widget's next attempt (its backoff is at most 15 s) gets through.
      down = false;
      await page.locator('.sc-msg[data-role="agent"]', { hasText: agentText }).waitFor();
      await userMessages(page).filter({ hasText: typed }).and(page.locator('[data-delivery="sent"]')).waitFor();
      await widgetOnline(page);

      // It resumed after the newest message it held.
      const resumes = sent.filter((frame) => frame.includes('"resume"'));
      expect(resumes.slice(resumesBefore).map((frame) => JSON.parse(frame) as unknown)).toEqual([{ type: 'resume', afterMessageId: idsBefore.at(-1) }]);
      // Exactly the stored transcript, each message once: what was there, Maya's joining and reply, the customer's message.
      const idsAfter = await messageIdsOnPage(page);
      const stored = await storedIds(server, sessionId);
      expect(idsAfter).toEqual(stored);
      expect(idsAfter.slice(0, idsBefore.length)).toEqual(idsBefore);
      await expect(page.locator('.sc-msg[data-role="agent"]').count()).resolves.toBe(1);
      await expect(userMessages(page).filter({ hasText: typed }).count()).resolves.toBe(1);
      const { rows } = await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM support_chat_messages WHERE session_id = $1 AND role = 'user' AND text = $2`, [sessionId, typed]);
      expect(rows[0]?.n).toBe(1);
      // The ticket view says who answered.
      await page.getByTestId('ticket').filter({ hasText: `${MAYA.name} replied` }).waitFor();
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows an error the server sends inline, marks that message not sent, and keeps chatting', async () => {
    const { context, page, pageErrors } = await sitePage();
    try {
      // The widget refuses over-long text itself, so stretch one message on its way to the server
      // to see the server's too_long error (which names the clientMessageId) handled by the widget.
      await context.routeWebSocket(CHAT_SOCKET, (route) => {
        const upstream = route.connectToServer();
        route.onMessage((frame) => {
          const event = JSON.parse(String(frame)) as { type: string; text?: string };
          if (event.type === 'send_message' && event.text === 'Please stretch me') event.text = 'x'.repeat(4001);
          upstream.send(JSON.stringify(event));
        });
      });
      const received = recordSocketFrames(page, '/support/chat/ws');
      const sent = recordSocketFrames(page, '/support/chat/ws', 'sent');
      await page.goto(`${server.url}/support`);
      await widgetOnline(page);
      const composer = page.getByLabel('Your message');
      await composer.fill('Please stretch me');
      await composer.press('Enter');

      const tooLong = 'That message is too long. Please keep it under 4,000 characters.';
      const alert = widgetPanel(page).locator('.sc-notice[role="alert"]');
      await alert.filter({ hasText: tooLong }).waitFor();
      const failed = userMessages(page).filter({ hasText: 'Please stretch me' });
      await failed.and(page.locator('[data-delivery="failed"]')).waitFor();
      await expect(failed.locator('.sc-delivery').textContent()).resolves.toBe(`Not sent — ${tooLong}`);
      expect(received.map((frame) => JSON.parse(frame) as { type: string; code?: string }).filter((event) => event.type === 'error').map((event) => event.code)).toEqual(['too_long']);
      await expect(page.locator('.sc-panel').getAttribute('data-connection')).resolves.toBe('online');
      await page.screenshot({ path: `${SCREENSHOT_DIR}behaviour-desktop-inline-error.png` });

      // The chat goes on: the next question is answered, and the notice makes way for it.
      const reply = await ask(page, 'Can I take a second bag?');
      expect(((await reply.locator('.sc-bubble').textContent()) ?? '').trim().length).toBeGreaterThan(20);
      await expect(alert.count()).resolves.toBe(0);
      // Stored: that question and its reply; nothing of the refused one.
      const sessionId = await sessionOf(server, (await reply.getAttribute('data-message-id')) ?? '');
      const { rows } = await server.db.query<{ role: string; text: string }>('SELECT role, text FROM support_chat_messages WHERE session_id = $1 ORDER BY seq', [sessionId]);
      expect(rows.map((row) => row.role)).toEqual(['user', 'assistant']);
      expect(rows[0]?.text).toBe('Can I take a second bag?');

      // The widget's own limit gives the same inline error without a round trip, and keeps the text.
      await composer.evaluate((node) => node.removeAttribute('maxlength'));
      await composer.fill('y'.repeat(4001));
      await composer.press('Enter');
      await alert.filter({ hasText: tooLong }).waitFor();
      await expect(userMessages(page).filter({ hasText: 'yyyy' }).count()).resolves.toBe(0);
      await expect(composer.inputValue()).resolves.toHaveLength(4001);
      await expect(userMessages(page).count()).resolves.toBe(2);
      expect(sent.filter((frame) => frame.includes('"send_message"')).map((frame) => (JSON.parse(frame) as { text: string }).text.slice(0, 24))).toEqual([
        'x'.repeat(24),
        'Can I take a second bag?',
      ]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a 360 px wide phone: full-screen panel, chips at their natural height, nothing wider than the screen', async () => {
    const { context, page, pageErrors } = await sitePage({ width: 360, height: 740 });
    try {
      await signIn(page, server.url, 'cus_alice');
      await page.goto(`${server.url}/`);
      await openLauncher(page);
      const chips = page.locator('.sc-chip');
      await chips.first().waitFor();
      await expect(chips.count()).resolves.toBe(3);
      await page.screenshot({ path: `${SCREENSHOT_DIR}behaviour-phone-360-chips.png` });

      const panelBox = await widgetPanel(page).boundingBox();
      expect(panelBox).toMatchObject({ x: 0, y: 0, width: 360, height: 740 });
      // Each chip as tall as its text needs at its width (measured on a copy outside the panel's flex layout),
      // none cut off, all inside the panel.
      const measured = await chips.evaluateAll((nodes) =>
        nodes.map((node) => {
          const chip = node as unknown as ChipElement;
          const box = chip.getBoundingClientRect();
          const probe = chip.cloneNode(true);
          probe.style.cssText = `position: absolute; visibility: hidden; flex: none; width: ${box.width}px; height: auto;`;
          chip.parentElement?.append(probe);
          const natural = probe.getBoundingClientRect().height;
          probe.remove();
          return { text: chip.textContent, height: Math.round(box.height), natural: Math.round(natural), clipped: chip.scrollHeight > chip.clientHeight, left: box.left, right: box.right };
        }),
      );
      for (const chip of measured) {
        expect(chip, chip.text ?? '').toMatchObject({ height: chip.natural, clipped: false });
        expect(chip.natural).toBeGreaterThanOrEqual(32);
        expect(chip.left).toBeGreaterThanOrEqual(0);
        expect(chip.right).toBeLessThanOrEqual(360);
      }

      const reply = await ask(page, 'How much does it cost to cancel a flight?');
      await reply.locator('.sc-citations a').first().waitFor();
      await expect(reply.textContent()).resolves.toContain('€75');
      await expect(page.evaluate<number>(PAGE_OVERFLOW)).resolves.toBeLessThanOrEqual(0);
      const transcript = page.locator('.sc-transcript');
      await expect(transcript.evaluate((node) => node.scrollWidth - node.clientWidth)).resolves.toBeLessThanOrEqual(0);
      const composer = await page.getByLabel('Your message').boundingBox();
      expect(composer && composer.x >= 0 && composer.x + composer.width <= 360 && composer.y + composer.height <= 740).toBe(true);
      await page.screenshot({ path: `${SCREENSHOT_DIR}behaviour-phone-360-answer.png` });

      // The panel embedded on Support, on the same phone: the same conversation (Alice's, kept in this browser).
      await page.goto(`${server.url}/support`);
      await widgetOnline(page);
      await page.locator(`.sc-msg[data-message-id="${await reply.getAttribute('data-message-id')}"]`).waitFor();
      await expect(page.evaluate<number>(PAGE_OVERFLOW)).resolves.toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${SCREENSHOT_DIR}behaviour-phone-360-support.png`, fullPage: true });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('drops a half-streamed reply once the reply to the same message arrives under another id (a take-over after a crash)', async () => {
    const { context, page, pageErrors } = await sitePage();
    try {
      await page.goto(`${server.url}/support`);
      await widgetOnline(page);
      const first = await ask(page, 'How much does it cost to cancel a flight?');
      const sessionId = await sessionOf(server, (await first.getAttribute('data-message-id')) ?? '');
      await expect(assistantReplies(page).count()).resolves.toBe(1);

      // The node writing a reply died mid-stream; another node writes it again under a new id.
      bus.publish(sessionId, { type: 'message_delta', messageId: 'msg_dead_node_stream', delta: 'Half of a rep', replyToMessageId: 'msg_taken_over_question' });
      await page.locator('.sc-msg[data-message-id="msg_dead_node_stream"][data-streaming]', { hasText: 'Half of a rep' }).waitFor();
      const final = {
        id: 'msg_taken_over_reply',
        role: 'assistant' as const,
        text: 'The whole reply, written by the node that took over.',
        createdAt: new Date().toISOString(),
        citations: [],
        replyToMessageId: 'msg_taken_over_question',
      };
      bus.publish(sessionId, { type: 'message', message: final });
      await page.locator('.sc-msg[data-message-id="msg_taken_over_reply"]:not([data-streaming])', { hasText: final.text }).waitFor();
      await expect(page.locator('.sc-msg[data-message-id="msg_dead_node_stream"]').count()).resolves.toBe(0);
      await expect(page.locator('.sc-msg[data-streaming]').count()).resolves.toBe(0);
      await expect(assistantReplies(page).count()).resolves.toBe(2);
      // A late delta of the dead stream does not bring it back.
      bus.publish(sessionId, { type: 'message_delta', messageId: 'msg_dead_node_stream', delta: 'ly late', replyToMessageId: 'msg_taken_over_question' });
      const marker = 'Late deltas ignored?';
      const next = await ask(page, marker);
      await next.waitFor();
      await expect(page.locator('.sc-msg[data-message-id="msg_dead_node_stream"]').count()).resolves.toBe(0);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe.skipIf(!hasChromium)(hasChromium ? 'the widget’s session token in Chromium' : `widget token lifetime (skipped: ${CHROMIUM_PATH} not installed)`, { timeout: 120_000 }, () => {
  // Tokens that live 10 s: refreshed at 80 % of that, a couple of seconds to spare even on a busy machine.
  const TTL_SECONDS = '10';
  let server: RunningTestServer;
  let browser: Browser;

  beforeAll(async () => {
    const [started, launched] = await Promise.all([startTestServer({ env: { SESSION_TOKEN_TTL_SECONDS: TTL_SECONDS } }), launchChromium(), buildWidget()]);
    server = started;
    browser = launched;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  }, 60_000);

  function countRefreshes(page: Page): { ok: number; failed: number } {
    const counts = { ok: 0, failed: 0 };
    page.on('response', (response) => {
      if (response.url().endsWith('/refresh') && response.request().method() === 'POST') counts[response.status() === 200 ? 'ok' : 'failed'] += 1;
    });
    return counts;
  }

  /** Until the service itself holds this session's token for expired (its idle lifetime has run out). */
  async function waitUntilExpired(db: RunningTestServer['db'], sessionId: string, now: () => Date = () => new Date()): Promise<void> {
    await expect
      .poll(async () => (await db.query<{ live: boolean }>('SELECT token_expires_at > $2 AS live FROM support_chat_sessions WHERE id = $1', [sessionId, now()])).rows[0]?.live, {
        timeout: STEP_TIMEOUT_MS,
        interval: 200,
      })
      .toBe(false);
  }

  it('corrects for a server clock an hour ahead (from the Date header): refreshes before the token expires, twice in a row, in one session', async () => {
    // The service's clock (expiresAt, the Date header) runs an hour ahead of the browser's.
    const ahead = await startTestServer({ env: { SESSION_TOKEN_TTL_SECONDS: TTL_SECONDS }, now: () => new Date(Date.now() + 3_600_000) });
    const { context, page, pageErrors } = await newPage(browser, { width: 1280, height: 800 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
    try {
      const refreshes = countRefreshes(page);
      await page.goto(`${ahead.url}/support`);
      await widgetOnline(page);
      // Read on the browser's clock the token would have an hour left, and no refresh would come.
      await expect.poll(() => refreshes.ok, { timeout: STEP_TIMEOUT_MS * 2, interval: 200 }).toBeGreaterThanOrEqual(2);
      expect(refreshes.failed).toBe(0);
      await widgetOnline(page);
      const reply = await ask(page, 'How much does it cost to cancel a flight?');
      expect(((await reply.locator('.sc-bubble').textContent()) ?? '').trim().length).toBeGreaterThan(20);
      // All in the one session the page opened: nothing expired, nothing started again.
      const { rows } = await ahead.db.query<{ n: number }>('SELECT count(*)::int AS n FROM support_chat_sessions');
      expect(rows[0]?.n).toBe(1);
      await expect(page.getByText('This chat session has expired.').count()).resolves.toBe(0);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
      await ahead.close();
    }
  });

  it('a guest whose token lapsed is offered a new conversation, and what they wrote meanwhile goes with it', async () => {
    const { context, page, pageErrors } = await newPage(browser, { width: 1280, height: 800 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
    try {
      const refreshes = countRefreshes(page);
      await page.goto(`${server.url}/support`);
      await widgetOnline(page);
      // The widget refreshes on its own, before the lifetime runs out ...
      await expect.poll(() => refreshes.ok, { timeout: STEP_TIMEOUT_MS, interval: 200 }).toBeGreaterThanOrEqual(1);
      await widgetOnline(page);
      const reply = await ask(page, 'How much does it cost to cancel a flight?');
      const oldSession = await sessionOf(server, (await reply.getAttribute('data-message-id')) ?? '');

      // ... and when refreshing fails until the token lapses, the service closes the socket (4408).
      await page.route('**/refresh', (route) => route.abort());
      await page.waitForEvent('requestfailed', (request) => request.url().endsWith('/refresh'));
      await waitUntilExpired(server.db, oldSession);
      const typed = 'Are you still there?';
      await page.getByLabel('Your message').fill(typed);
      await page.getByLabel('Your message').press('Enter');
      const expired = page.locator('.sc-banner-error[role="alert"]', { hasText: 'This chat session has expired.' });
      await expired.waitFor();
      await expect(page.locator('.sc-dot').first().getAttribute('data-state')).resolves.toBe('expired');
      // Not lost: the message waits for the new conversation.
      await userMessages(page).filter({ hasText: typed }).locator('.sc-delivery', { hasText: 'Waiting for connection…' }).waitFor();
      await page.screenshot({ path: `${SCREENSHOT_DIR}behaviour-desktop-session-expired.png` });

      await page.unroute('**/refresh');
      await expired.getByRole('button', { name: 'Start a new conversation' }).click();
      await expired.waitFor({ state: 'detached' });
      await widgetOnline(page);
      // The new conversation holds the carried message, answered once; the old one never got it.
      const answer = assistantReplies(page).first();
      await answer.waitFor();
      const newSession = await sessionOf(server, (await answer.getAttribute('data-message-id')) ?? '');
      expect(newSession).not.toBe(oldSession);
      const texts = async (sessionId: string) =>
        (await server.db.query<{ role: string; text: string }>('SELECT role, text FROM support_chat_messages WHERE session_id = $1 ORDER BY seq', [sessionId])).rows;
      expect((await texts(newSession)).map((row) => row.role)).toEqual(['user', 'assistant']);
      expect((await texts(newSession))[0]?.text).toBe(typed);
      expect((await texts(oldSession)).filter((row) => row.text === typed)).toEqual([]);
      await expect(userMessages(page).count()).resolves.toBe(1);

      const again = await ask(page, "What's my wallet balance?");
      expect(((await again.locator('.sc-bubble').textContent()) ?? '').trim().length).toBeGreaterThan(0);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a signed-in customer whose token lapsed carries on in the same conversation, without being asked', async () => {
    const { context, page, pageErrors } = await newPage(browser, { width: 1280, height: 800 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
    try {
      await signIn(page, server.url, 'cus_lucia');
      await page.goto(`${server.url}/support`);
      await widgetOnline(page);
      const reply = await ask(page, 'How much does it cost to cancel a flight?');
      const sessionId = await sessionOf(server, (await reply.getAttribute('data-message-id')) ?? '');

      await page.route('**/refresh', (route) => route.abort());
      await page.waitForEvent('requestfailed', (request) => request.url().endsWith('/refresh'));
      await waitUntilExpired(server.db, sessionId);
      const idsBefore = await messageIdsOnPage(page);
      const answer = await ask(page, 'And what about a hotel?');
      // The same conversation, resumed with the site's login: everything once, the new question answered.
      expect(await sessionOf(server, (await answer.getAttribute('data-message-id')) ?? '')).toBe(sessionId);
      const idsAfter = await messageIdsOnPage(page);
      expect(idsAfter.slice(0, idsBefore.length)).toEqual(idsBefore);
      expect(idsAfter).toEqual(await storedIds(server, sessionId));
      expect(idsAfter).toHaveLength(4);
      await expect(page.getByText('This chat session has expired.').count()).resolves.toBe(0);
      const { rows } = await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM support_chat_sessions WHERE customer_id = 'cus_lucia'`);
      expect(rows[0]?.n).toBe(1);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
