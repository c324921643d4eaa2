/**
 * The widget's end-of-chat rating on the demo site ("Skyway Travel"), in
 * Debian's Chromium against a real in-process server: "Rate this chat" in the
 * footer once the assistant has answered, five stars chosen with the keyboard
 * (a radio group), an optional comment, stored by the service
 * (`support_conversation_ratings`, with who handled the conversation), the
 * thank-you line after a reload, and a change that replaces the rating. On a
 * desktop and a 360 px phone it covers neither the newest message nor the
 * composer, and it stacks under the consent question when both are open.
 * The widget is built first, as `npm start` does. Every step waits on the
 * page's own state or on the database, never on fixed sleeps; screenshots
 * land in e2e/screenshots/widget-rating-*.png.
 *
 * Needs /usr/bin/chromium; without it the suite is skipped, not failed.
 */
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type RunningTestServer } from '../test/test-server.js';
import { ask, buildFrontEnd, CHROMIUM_PATH, hasChromium, launchChromium, newPage, openLauncher, recordSocketFrames, SCREENSHOT_DIR, type TestPage, warnIfNoChromium } from './browser.js';

// An upper bound on waiting for something that happens (two cores, maybe busy), never a timing requirement.
const STEP_TIMEOUT_MS = 30_000;
const QUESTION = 'How did we do?';
const CONSENT_QUESTION = 'May we use this conversation, with personal details removed, to improve our assistant?';
const COMMENT = 'Clear answer about the fees, thanks!';

warnIfNoChromium('widget-rating');

const rateButton = (page: Page): Locator => page.getByRole('button', { name: 'Rate this chat' });
const ratingPrompt = (page: Page): Locator => page.getByTestId('rating-prompt');
const stars = (page: Page): Locator => page.getByRole('radiogroup', { name: QUESTION }).getByRole('radio');
const ratingNote = (page: Page): Locator => page.getByTestId('rating-note');
const consentPrompt = (page: Page): Locator => page.getByRole('group', { name: CONSENT_QUESTION });
/** How far the page is wider than the screen (evaluated in the page). */
const PAGE_OVERFLOW = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';

/** The session a message shown on the page belongs to (the widget keeps its session id in storage only). */
async function sessionOf(server: RunningTestServer, reply: Locator): Promise<string> {
  const messageId = await reply.getAttribute('data-message-id');
  const { rows } = await server.db.query<{ session_id: string }>('SELECT session_id FROM support_chat_messages WHERE id = $1', [messageId]);
  const sessionId = rows[0]?.session_id;
  if (!sessionId) throw new Error(`message ${messageId} is not stored`);
  return sessionId;
}

/** What the service stored for the session's rating (polled: the rating goes over the socket). */
async function storedRating(server: RunningTestServer, sessionId: string, expected: { score: number; comment: string | null; handled_by: string }): Promise<void> {
  await expect
    .poll(
      async () =>
        (await server.db.query<{ score: number; comment: string | null; handled_by: string }>('SELECT score, comment, handled_by FROM support_conversation_ratings WHERE session_id = $1', [sessionId]))
          .rows[0] ?? null,
      { timeout: STEP_TIMEOUT_MS, interval: 100 },
    )
    .toEqual(expected);
}

/** The star chosen (1-5; 0: none). */
const checkedStar = (page: Page) => stars(page).evaluateAll((nodes) => nodes.findIndex((node) => node.getAttribute('aria-checked') === 'true') + 1);

/** Whether the element has the focus (inside the widget's shadow root). */
const isFocused = (locator: Locator) => locator.evaluate((element) => element === (element.getRootNode() as unknown as { activeElement: unknown }).activeElement);

/** Top to bottom: the newest message, then each strip, then the composer; none over another, all on the screen. */
async function expectStacked(page: Page, newest: Locator, strips: Locator[], viewport: { width: number; height: number }): Promise<void> {
  await expect
    .poll(async () => {
      const boxes = await Promise.all([newest, ...strips, page.getByLabel('Your message')].map((locator) => locator.boundingBox()));
      if (boxes.some((box) => !box)) return 'not all there';
      const [message, ...rest] = boxes as Array<{ x: number; y: number; width: number; height: number }>;
      if (message!.y < 0) return `newest message ${JSON.stringify(message)} above the screen`;
      let previous = message!;
      for (const box of rest) {
        if (previous.y + previous.height > box.y + 1) return `${JSON.stringify(previous)} overlaps ${JSON.stringify(box)}`;
        if (box.x < 0 || box.x + box.width > viewport.width) return `${JSON.stringify(box)} wider than the screen`;
        previous = box;
      }
      if (previous.y + previous.height > viewport.height) return `composer ${JSON.stringify(previous)} below the screen`;
      return 'ok';
    })
    .toBe('ok');
}

async function expectNoSeriousAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)).toEqual([]);
}

describe.skipIf(!hasChromium)(hasChromium ? 'the widget’s end-of-chat rating in Chromium' : `widget rating (skipped: ${CHROMIUM_PATH} not installed)`, { timeout: 120_000 }, () => {
  let server: RunningTestServer;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const [started, launched] = await Promise.all([startTestServer({ env: { AGENT_AUTO_ASSIGN: 'false' } }), launchChromium(), buildFrontEnd('widget')]);
    server = started;
    browser = launched;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  }, 60_000);

  function sitePage(viewport: { width: number; height: number }): Promise<TestPage> {
    return newPage(browser, viewport, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
  }

  it('a guest rates 4 stars with the keyboard and a comment (stored, handled by the AI), sees it after a reload, and changes it to 5', async () => {
    const viewport = { width: 1280, height: 800 };
    const { context, page, pageErrors } = await sitePage(viewport);
    const sent = recordSocketFrames(page, '/support/chat/ws', 'sent');
    const ratingFrames = () => sent.filter((frame) => frame.includes('"rate_conversation"')).map((frame) => JSON.parse(frame) as Record<string, unknown>);
    try {
      await page.goto(`${server.url}/`);
      await openLauncher(page);
      // Nothing to rate before anyone has answered.
      await expect(rateButton(page).count()).resolves.toBe(0);
      const reply = await ask(page, 'How much does it cost to cancel a flight?');
      await consentPrompt(page).waitFor();
      await rateButton(page).waitFor();
      await page.screenshot({ path: `${SCREENSHOT_DIR}widget-rating-desktop-offer.png` });

      // Opened from the footer: under the consent question (still unanswered), above the composer.
      await rateButton(page).click();
      await ratingPrompt(page).waitFor();
      await expect(ratingPrompt(page).evaluate((element) => element.parentElement?.getAttribute('aria-live'))).resolves.toBe('polite');
      await expect(stars(page).evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label')))).resolves.toEqual(['1 star', '2 stars', '3 stars', '4 stars', '5 stars']);
      // The focus is on the first star (nothing chosen yet); the arrows choose.
      await expect(isFocused(stars(page).nth(0))).resolves.toBe(true);
      await expect(checkedStar(page)).resolves.toBe(0);
      for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowRight');
      await expect.poll(() => checkedStar(page)).toBe(4);
      await expect(isFocused(stars(page).nth(3))).resolves.toBe(true);
      // Tab leaves the group (one tab stop) for the comment.
      await page.keyboard.press('Tab');
      const comment = page.getByLabel('Anything to add? (optional)');
      await expect(isFocused(comment)).resolves.toBe(true);
      await page.keyboard.type(COMMENT);
      await expectStacked(page, reply, [consentPrompt(page), ratingPrompt(page)], viewport);
      await expectNoSeriousAxeViolations(page);
      await page.screenshot({ path: `${SCREENSHOT_DIR}widget-rating-desktop-open.png` });

      await page.getByRole('button', { name: 'Send rating' }).click();
      await ratingPrompt(page).waitFor({ state: 'detached' });
      await ratingNote(page).filter({ hasText: 'Thanks for rating: 4 of 5' }).waitFor();
      const sessionId = await sessionOf(server, reply);
      await storedRating(server, sessionId, { score: 4, comment: COMMENT, handled_by: 'ai' });
      expect(ratingFrames()).toEqual([{ type: 'rate_conversation', score: 4, comment: COMMENT }]);
      await page.screenshot({ path: `${SCREENSHOT_DIR}widget-rating-desktop-thanks.png` });

      // A reload (a token refresh, no session response): the thank-you line is there, not the prompt, and nothing is sent again.
      await page.reload();
      await openLauncher(page);
      await page.locator(`.sc-msg[data-message-id="${await reply.getAttribute('data-message-id')}"]`).waitFor();
      await ratingNote(page).filter({ hasText: 'Thanks for rating: 4 of 5' }).waitFor();
      await expect(ratingPrompt(page).count()).resolves.toBe(0);
      expect(ratingFrames()).toHaveLength(1);

      // "change": the stars start at 4 with the comment given; one more star, sent, replaces it.
      await page.getByRole('button', { name: 'Change your rating' }).click();
      await ratingPrompt(page).waitFor();
      await expect(checkedStar(page)).resolves.toBe(4);
      await expect(isFocused(stars(page).nth(3))).resolves.toBe(true);
      await expect(comment.inputValue()).resolves.toBe(COMMENT);
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => checkedStar(page)).toBe(5);
      await page.getByRole('button', { name: 'Send rating' }).click();
      await ratingNote(page).filter({ hasText: 'Thanks for rating: 5 of 5' }).waitFor();
      await storedRating(server, sessionId, { score: 5, comment: COMMENT, handled_by: 'ai' });
      expect(ratingFrames()).toHaveLength(2);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a 360 px phone: stacked under the consent question, over neither the newest message nor the composer; the thanks fits the screen', async () => {
    const viewport = { width: 360, height: 740 };
    const { context, page, pageErrors } = await sitePage(viewport);
    try {
      await page.goto(`${server.url}/`);
      await openLauncher(page);
      const reply = await ask(page, 'How much baggage can I take?');
      await consentPrompt(page).waitFor();
      await rateButton(page).click();
      await ratingPrompt(page).waitFor();
      await expectStacked(page, reply, [consentPrompt(page), ratingPrompt(page)], viewport);
      await expect(page.evaluate<number>(PAGE_OVERFLOW)).resolves.toBeLessThanOrEqual(0);
      for (let i = 0; i < 5; i += 1) {
        const box = await stars(page).nth(i).boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= viewport.width && box.width >= 24 && box.height >= 24, `star ${i + 1}`).toBe(true);
      }
      await expectNoSeriousAxeViolations(page);
      await page.screenshot({ path: `${SCREENSHOT_DIR}widget-rating-phone-open-with-consent.png` });

      // With the consent question answered, the rating alone.
      await consentPrompt(page).getByRole('button', { name: 'No thanks' }).click();
      await consentPrompt(page).waitFor({ state: 'detached' });
      await expectStacked(page, reply, [ratingPrompt(page)], viewport);
      await stars(page).nth(2).click();
      await expect.poll(() => checkedStar(page)).toBe(3);
      await page.screenshot({ path: `${SCREENSHOT_DIR}widget-rating-phone-open.png` });

      // Without a comment.
      await page.getByRole('button', { name: 'Send rating' }).click();
      const note = ratingNote(page).filter({ hasText: 'Thanks for rating: 3 of 5' });
      await note.waitFor();
      const noteBox = await note.boundingBox();
      expect(noteBox && noteBox.x >= 0 && noteBox.x + noteBox.width <= viewport.width && noteBox.y + noteBox.height <= viewport.height).toBe(true);
      await storedRating(server, await sessionOf(server, reply), { score: 3, comment: null, handled_by: 'ai' });
      await page.screenshot({ path: `${SCREENSHOT_DIR}widget-rating-phone-thanks.png` });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
