/**
 * The widget's training-consent question on the demo site ("Skyway Travel"),
 * in Debian's Chromium against a real in-process server: asked once the
 * assistant has answered, stored by the service (`support_chat_sessions.
 * training_consent`), not asked again after a reload or in another tab, and
 * changed from the note under the composer. On a desktop and a 360 px phone
 * it covers neither the newest message nor the composer. The widget is built
 * first, as `npm start` does. Every step waits on the page's own state or on
 * the database, never on fixed sleeps; screenshots land in
 * e2e/screenshots/widget-consent-*.png.
 *
 * Needs /usr/bin/chromium; without it the suite is skipped, not failed.
 */
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type RunningTestServer } from '../test/test-server.js';
import { ask, buildFrontEnd, CHROMIUM_PATH, hasChromium, launchChromium, newPage, openLauncher, SCREENSHOT_DIR, signIn, type TestPage, warnIfNoChromium, widgetOnline } from './browser.js';

// An upper bound on waiting for something that happens (two cores, maybe busy), never a timing requirement.
const STEP_TIMEOUT_MS = 30_000;
const QUESTION = 'May we use this conversation, with personal details removed, to improve our assistant?';
const YES = "Yes, that's fine";
const NO = 'No thanks';
const CHANGE = 'Change your answer about improving the assistant';

warnIfNoChromium('widget-consent');

const consentPrompt = (page: Page): Locator => page.getByRole('group', { name: QUESTION });
const consentNote = (page: Page): Locator => page.getByTestId('consent-note');
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

/** What the service has stored for the session's consent (polled: the answer goes over the socket). */
async function storedConsent(server: RunningTestServer, sessionId: string, expected: boolean): Promise<Date> {
  const read = async () =>
    (await server.db.query<{ training_consent: boolean | null; training_consent_at: Date | string | null }>('SELECT training_consent, training_consent_at FROM support_chat_sessions WHERE id = $1', [sessionId])).rows[0];
  await expect.poll(async () => (await read())?.training_consent ?? null, { timeout: STEP_TIMEOUT_MS, interval: 100 }).toBe(expected);
  const at = (await read())?.training_consent_at;
  expect(at, 'training_consent_at is set with the answer').not.toBeNull();
  return new Date(at as Date | string);
}

/** The newest message, the prompt and the composer are stacked in that order, none over another, all on screen. */
async function expectStacked(page: Page, newest: Locator, viewport: { width: number; height: number }): Promise<void> {
  await expect
    .poll(async () => {
      const [message, prompt, composer] = await Promise.all([newest.boundingBox(), consentPrompt(page).boundingBox(), page.getByLabel('Your message').boundingBox()]);
      if (!message || !prompt || !composer) return 'not all there';
      if (message.y < 0 || message.y + message.height > prompt.y + 1) return `newest message ${JSON.stringify(message)} not above the prompt ${JSON.stringify(prompt)}`;
      if (prompt.y + prompt.height > composer.y + 1) return `prompt ${JSON.stringify(prompt)} over the composer ${JSON.stringify(composer)}`;
      if (prompt.x < 0 || prompt.x + prompt.width > viewport.width) return `prompt ${JSON.stringify(prompt)} wider than the screen`;
      if (composer.y + composer.height > viewport.height) return `composer ${JSON.stringify(composer)} below the screen`;
      return 'ok';
    })
    .toBe('ok');
}

/** Whether the element has the focus (inside the widget's shadow root). */
const isFocused = (locator: Locator) => locator.evaluate((element) => element === (element.getRootNode() as unknown as { activeElement: unknown }).activeElement);

describe.skipIf(!hasChromium)(hasChromium ? 'the widget’s training-consent question in Chromium' : `widget consent (skipped: ${CHROMIUM_PATH} not installed)`, { timeout: 120_000 }, () => {
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

  function sitePage(viewport = { width: 1280, height: 800 }): Promise<TestPage> {
    return newPage(browser, viewport, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
  }

  it('asks a guest after the first answer; Yes is stored, a reload does not ask again, and the note changes it to No', async () => {
    const viewport = { width: 1280, height: 800 };
    const { context, page, pageErrors } = await sitePage(viewport);
    try {
      await page.goto(`${server.url}/`);
      const composer = await openLauncher(page);
      await expect(consentPrompt(page).count()).resolves.toBe(0);
      await expect(consentNote(page).count()).resolves.toBe(0);

      const reply = await ask(page, 'How much does it cost to cancel a flight?');
      const prompt = consentPrompt(page);
      await prompt.waitFor();
      // Announced politely, not by taking the focus: the customer can go on typing.
      await expect(prompt.evaluate((element) => element.parentElement?.getAttribute('aria-live'))).resolves.toBe('polite');
      await expect(isFocused(composer)).resolves.toBe(true);
      await expectStacked(page, reply, viewport);
      // Two answers of the same weight.
      const [yesBox, noBox] = await Promise.all([prompt.getByRole('button', { name: YES }).boundingBox(), prompt.getByRole('button', { name: NO }).boundingBox()]);
      expect(yesBox?.height).toBe(noBox?.height);
      const results = await new AxeBuilder({ page }).analyze();
      const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
      expect(serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOT_DIR}widget-consent-desktop-prompt.png` });

      // Keyboard: Tab reaches the answers, Enter answers.
      await prompt.getByRole('button', { name: YES }).focus();
      await page.keyboard.press('Enter');
      await prompt.waitFor({ state: 'detached' });
      await consentNote(page).filter({ hasText: 'Improving the assistant: allowed' }).waitFor();
      const sessionId = await sessionOf(server, reply);
      const firstAt = await storedConsent(server, sessionId, true);
      await page.screenshot({ path: `${SCREENSHOT_DIR}widget-consent-desktop-answered.png` });

      // A reload (the token is refreshed, no session response): not asked again; the note is there.
      await page.reload();
      await openLauncher(page);
      await page.locator(`.sc-msg[data-message-id="${await reply.getAttribute('data-message-id')}"]`).waitFor();
      await consentNote(page).filter({ hasText: 'Improving the assistant: allowed' }).waitFor();
      await expect(consentPrompt(page).count()).resolves.toBe(0);
      // Nor after another answer of the assistant.
      const second = await ask(page, 'What is the baggage allowance?');
      await expect(consentPrompt(page).count()).resolves.toBe(0);

      // Changed from the note: asked again, No is stored.
      await page.getByRole('button', { name: CHANGE }).click();
      await consentPrompt(page).waitFor();
      await expectStacked(page, second, viewport);
      await consentPrompt(page).getByRole('button', { name: NO }).click();
      await consentPrompt(page).waitFor({ state: 'detached' });
      await consentNote(page).filter({ hasText: 'Improving the assistant: not allowed' }).waitFor();
      const secondAt = await storedConsent(server, sessionId, false);
      expect(secondAt.getTime()).toBeGreaterThanOrEqual(firstAt.getTime());
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a 360 px phone: the prompt covers neither the newest message nor the composer, and the note fits the screen', async () => {
    const viewport = { width: 360, height: 740 };
    const { context, page, pageErrors } = await sitePage(viewport);
    try {
      await page.goto(`${server.url}/`);
      await openLauncher(page);
      const reply = await ask(page, 'How much does it cost to cancel a flight?');
      await consentPrompt(page).waitFor();
      await expectStacked(page, reply, viewport);
      await expect(page.evaluate<number>(PAGE_OVERFLOW)).resolves.toBeLessThanOrEqual(0);
      for (const name of [YES, NO]) {
        const box = await consentPrompt(page).getByRole('button', { name }).boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= viewport.width && box.height >= 24, name).toBe(true);
      }
      await page.screenshot({ path: `${SCREENSHOT_DIR}widget-consent-phone-prompt.png` });

      await consentPrompt(page).getByRole('button', { name: NO }).click();
      await consentPrompt(page).waitFor({ state: 'detached' });
      const note = consentNote(page).filter({ hasText: 'Improving the assistant: not allowed' });
      await note.waitFor();
      const noteBox = await note.boundingBox();
      expect(noteBox && noteBox.x >= 0 && noteBox.x + noteBox.width <= viewport.width && noteBox.y + noteBox.height <= viewport.height).toBe(true);
      await storedConsent(server, await sessionOf(server, reply), false);
      await page.screenshot({ path: `${SCREENSHOT_DIR}widget-consent-phone-answered.png` });
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a signed-in customer answering in one tab is not asked again in the other (consent_recorded)', async () => {
    const { context, page, pageErrors } = await sitePage();
    try {
      await signIn(page, server.url, 'cus_lucia');
      await page.goto(`${server.url}/support`);
      await widgetOnline(page);
      const reply = await ask(page, 'How much does it cost to cancel a flight?');
      await consentPrompt(page).waitFor();

      // The same customer's other tab reopens the same conversation (and asks too).
      const other = await context.newPage();
      await other.goto(`${server.url}/support`);
      await widgetOnline(other);
      await other.locator(`.sc-msg[data-message-id="${await reply.getAttribute('data-message-id')}"]`).waitFor();
      await consentPrompt(other).waitFor();
      // Tab B's reopening rotated the token: tab A reconnects with it before answering.
      await widgetOnline(page);

      await consentPrompt(page).getByRole('button', { name: YES }).click();
      await consentPrompt(page).waitFor({ state: 'detached' });
      await consentPrompt(other).waitFor({ state: 'detached' });
      await consentNote(other).filter({ hasText: 'Improving the assistant: allowed' }).waitFor();
      await storedConsent(server, await sessionOf(server, reply), true);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
