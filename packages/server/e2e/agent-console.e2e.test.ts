/**
 * The agent console and the customer's chat widget together in a real
 * browser: Debian's Chromium (playwright-core), two contexts against one
 * in-process server (PGlite, the local model, seeded demo customers and
 * agents). Alice, signed in on the demo site, asks for a person in the widget
 * embedded on its Support page; Maya sees the handoff arrive in her queue
 * live, claims it, replies (a canned response, sent with Enter), adds an
 * internal note and resolves it; the customer then gets an AI answer again
 * and nothing is escalated. Every step waits on the pages' own state, never on
 * fixed sleeps. Screenshots land in packages/server/e2e/screenshots/.
 *
 * The console and the widget are built first (vite build). Needs
 * /usr/bin/chromium (`apt-get install -y chromium`); without it the suite is
 * skipped, not failed.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENT_PASSWORD, DEMO_AGENTS } from '../src/agents/demo-agents.js';
import { startTestServer, type RunningTestServer } from '../test/test-server.js';
import { ask, assistantReplies, buildFrontEnd, CHROMIUM_PATH, hasChromium, launchChromium, newPage, recordSocketFrames, SCREENSHOT_DIR, signIn, type TestPage, warnIfNoChromium, widgetOnline } from './browser.js';

// Two cores, maybe busy: generous, and only ever an upper bound on waiting for something that happens.
const STEP_TIMEOUT_MS = 30_000;
const MAYA = DEMO_AGENTS[0];

warnIfNoChromium('agent-console');

const buildConsole = () => buildFrontEnd('console');

describe.skipIf(!hasChromium)(
  hasChromium ? 'agent console with the customer’s widget in Chromium' : `agent console (skipped: ${CHROMIUM_PATH} not installed)`,
  { timeout: 120_000 },
  () => {
    let server: RunningTestServer;
    let browser: Browser;
    let customer: TestPage;
    let agent: TestPage;
    let agentFrames: string[];
    let sessionId = '';

    beforeAll(async () => {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      // Agents claim by hand here (auto-assignment would give Maya the chat before she could claim it).
      const [started, launched] = await Promise.all([startTestServer({ env: { AGENT_AUTO_ASSIGN: 'false' } }), launchChromium(), buildConsole(), buildFrontEnd('widget')]);
      server = started;
      browser = launched;
      customer = await newPage(browser, { width: 1100, height: 800 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
      agent = await newPage(browser, { width: 1366, height: 820 }, { stepTimeoutMs: STEP_TIMEOUT_MS });
      agentFrames = recordSocketFrames(agent.page, '/support/agent/ws');
    }, 240_000);

    afterAll(async () => {
      await customer?.context.close();
      await agent?.context.close();
      await browser?.close();
      await server?.close();
    }, 60_000);

    it('(a) Maya signs in by keyboard (a wrong password shows the API’s message) and sees the live queue', async () => {
      const { page } = agent;
      const response = await page.goto(`${server.url}/console`);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['cache-control']).toBe('no-cache');
      await expect(page.locator('h1').textContent()).resolves.toContain('Sign in to the agent console');

      // The e-mail field has focus; Tab moves on to the password, Enter submits.
      await page.keyboard.type(MAYA.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type('not-the-password');
      await page.keyboard.press('Enter');
      const error = page.getByTestId('login-error');
      await error.waitFor();
      await expect(error.textContent()).resolves.toContain('wrong');
      await page.screenshot({ path: `${SCREENSHOT_DIR}console-a-login-error.png` });

      await page.getByLabel('Password').fill(DEMO_AGENT_PASSWORD);
      await page.getByLabel('Password').press('Enter');
      await page.locator('[data-testid="connection-status"][data-state="online"]').waitFor();
      await expect(page.getByTestId('agent-name').textContent()).resolves.toContain(MAYA.name);
      await page.getByText('Nobody is waiting').waitFor();
      expect(await page.evaluate<number>('sessionStorage.length')).toBeGreaterThan(0);

      // Away and back: each change is confirmed by the server's presence event.
      await page.getByTestId('presence-away').click();
      await page.locator('[data-testid="presence-switch"][data-status="away"]').waitFor();
      await expect.poll(() => agentFrames.some((frame) => frame.includes('"presence"') && frame.includes('"away"')), { timeout: STEP_TIMEOUT_MS }).toBe(true);
      await page.getByTestId('presence-online').click();
      await page.locator('[data-testid="presence-online"][aria-pressed="true"]').waitFor();
      await page.screenshot({ path: `${SCREENSHOT_DIR}console-a-empty-queue.png` });
    });

    it('(b) the customer asks for a human; the handoff appears in the queue live, without a reload', async () => {
      const { page } = customer;
      // Alice is signed in on the demo site; its Support page embeds the widget.
      await signIn(page, server.url, 'cus_alice');
      await page.goto(`${server.url}/support`);
      await widgetOnline(page);
      await ask(page, "What's the status of my booking SKY4F2?");

      // A marker that a reload would wipe out.
      await agent.page.evaluate('window.__notReloaded = true');
      await page.getByRole('button', { name: 'Talk to a person' }).click();
      // Maya is online: a live chat, waiting for her (the banner names the ticket).
      const banner = page.locator('.sc-banner-agent');
      await banner.waitFor();
      await expect(banner.textContent()).resolves.toContain('You are connected to our support team.');
      const ticketId = ((await banner.locator('span').textContent()) ?? '').replace('Ticket ', '').trim();
      expect(ticketId).toMatch(/^TKT-[A-Z0-9]+$/);
      await page.locator('.sc-msg[data-role="system"][data-kind="handoff"]', { hasText: ticketId }).waitFor();

      const entry = agent.page.locator('[data-testid="queue-entry"][data-status="waiting"]', { hasText: 'Alice Martin' });
      await entry.waitFor();
      sessionId = (await entry.getAttribute('data-session-id')) ?? '';
      expect(sessionId).toMatch(/^ses_/);
      await expect(agent.page.evaluate<boolean>('window.__notReloaded === true')).resolves.toBe(true);
      // It came over the agent socket, not from a poll.
      expect(agentFrames.some((frame) => frame.includes('"queue_updated"') && frame.includes(sessionId))).toBe(true);
      await expect(entry.getByTestId('entry-status').textContent()).resolves.toBe('Waiting');
      await expect(entry.textContent()).resolves.toContain('Talk to a human');
      await expect(entry.textContent()).resolves.toMatch(/Live chat|Ticket/);
      await expect(entry.getByTestId('priority-badge').textContent()).resolves.toMatch(/Low|Normal|High|Urgent/);
      // The wait time counts up by itself.
      const waited = (await entry.getByTestId('entry-wait').textContent()) ?? '';
      expect(waited).toMatch(/\d+s/);
      await expect.poll(() => entry.getByTestId('entry-wait').textContent(), { timeout: STEP_TIMEOUT_MS }).not.toBe(waited);

      await page.screenshot({ path: `${SCREENSHOT_DIR}console-b-customer-escalated.png` });
      await agent.page.screenshot({ path: `${SCREENSHOT_DIR}console-b-queue.png` });
    });

    it('(c) Maya opens and claims it; the customer is told that she joined', async () => {
      const { page } = agent;
      await page.locator(`[data-testid="queue-entry"][data-session-id="${sessionId}"]`).click();
      const conversation = page.locator(`[data-testid="conversation"][data-session-id="${sessionId}"]`);
      await conversation.waitFor();
      expect(new URL(page.url()).pathname).toBe(`/console/conversations/${sessionId}`);
      // The transcript so far, the profile and bookings, the AI summary and trigger.
      await conversation.locator('[data-testid="transcript-message"][data-role="user"]', { hasText: 'SKY4F2' }).waitFor();
      await conversation.locator('[data-testid="transcript-message"][data-role="assistant"]').first().waitFor();
      await expect(conversation.getByTestId('customer-panel').textContent()).resolves.toContain('SKY4F2');
      expect(((await conversation.getByTestId('ai-summary').textContent()) ?? '').trim().length).toBeGreaterThan(0);
      await expect(conversation.getByTestId('handoff-trigger').textContent()).resolves.toContain('Talk to a human');
      await expect(page.getByTestId('resolve-button').isDisabled()).resolves.toBe(true);
      await expect(page.getByTestId('reply-input').isDisabled()).resolves.toBe(true);

      await page.getByTestId('claim-button').click();
      await page.locator('[data-testid="conversation"][data-held="true"]').waitFor();
      await expect(page.getByTestId('claim-button').isDisabled()).resolves.toBe(true);
      await expect(page.getByTestId('conversation-state').textContent()).resolves.toBe('With you');
      await page.locator(`[data-testid="queue-entry"][data-session-id="${sessionId}"][data-status="assigned"]`).waitFor();

      await customer.page.locator('.sc-msg[data-role="system"]', { hasText: `${MAYA.name}` }).first().waitFor();
      // Told once (the stored notice), and the banner names who is with the customer.
      await expect(customer.page.locator('.sc-msg[data-role="system"]', { hasText: 'joined' }).count()).resolves.toBe(1);
      await customer.page.locator('.sc-banner-agent').filter({ hasText: `${MAYA.name} is with you` }).waitFor();
    });

    it('(d) Maya replies with a canned response and Enter; the customer sees the typing and the reply; a note stays internal', async () => {
      const { page } = agent;
      const reply = page.getByTestId('reply-input');
      await page.getByTestId('canned-select').selectOption({ label: 'Greeting' });
      await expect(reply.inputValue()).resolves.toContain('thanks for waiting');
      await reply.press('End');
      await reply.pressSequentially(' I can see your booking SKY4F2.');
      await customer.page.locator('.sc-typing[data-role="agent"]', { hasText: 'support agent is typing' }).waitFor();
      const text = await reply.inputValue();
      await reply.press('Enter');
      await expect.poll(() => reply.inputValue(), { timeout: STEP_TIMEOUT_MS }).toBe('');
      await page.locator('[data-testid="transcript-message"][data-role="agent"]', { hasText: 'I can see your booking SKY4F2.' }).waitFor();

      const shown = customer.page.locator('.sc-msg[data-role="agent"]', { hasText: 'I can see your booking SKY4F2.' });
      await shown.waitFor();
      await expect(shown.locator('.sc-bubble').textContent()).resolves.toBe(text.trim());
      // Shown as the agent's, apart from the assistant's: her name and the team badge.
      await expect(shown.locator('.sc-who').textContent()).resolves.toBe(`${MAYA.name}Support team`);

      await page.getByLabel('Add an internal note').fill('Gold customer; offered a callback.');
      await page.getByTestId('note-add').click();
      await page.getByTestId('note').filter({ hasText: 'offered a callback' }).waitFor();

      // The customer writes back: it reaches Maya live.
      const composer = customer.page.getByLabel('Your message');
      await composer.fill('Thank you Maya! Can I change the date?');
      await composer.press('Enter');
      await page.locator('[data-testid="transcript-message"][data-role="user"]', { hasText: 'Can I change the date?' }).waitFor();
      await expect(customer.page.locator('.sc-transcript').textContent()).resolves.not.toContain('offered a callback');

      await page.screenshot({ path: `${SCREENSHOT_DIR}console-d-conversation.png` });
      await customer.page.screenshot({ path: `${SCREENSHOT_DIR}console-d-customer-agent-reply.png` });
    });

    it('(e) Maya resolves; the customer then gets an AI answer and nothing is escalated again', async () => {
      const { page } = agent;
      await page.getByTestId('resolve-button').click();
      await page.locator('[data-testid="conversation"][data-ticket-status="solved"]').waitFor();
      await page.locator(`[data-testid="queue-entry"][data-session-id="${sessionId}"]`).waitFor({ state: 'detached' });
      await expect(page.getByTestId('reply-input').isDisabled()).resolves.toBe(true);
      await customer.page.locator('.sc-msg[data-role="system"][data-kind="resolved"]', { hasText: 'resolved' }).waitFor();
      // Back with the assistant: no handoff banner, and a person can be asked for again.
      await customer.page.locator('.sc-banner-agent').waitFor({ state: 'detached' });
      const escalate = customer.page.locator('[data-escalate]');
      await expect(escalate.textContent()).resolves.toBe('Talk to a person');
      await expect(escalate.isEnabled()).resolves.toBe(true);

      const before = await assistantReplies(customer.page).count();
      const answer = await ask(customer.page, 'How much does it cost to cancel a flight?');
      await expect(assistantReplies(customer.page).count()).resolves.toBe(before + 1);
      expect(((await answer.locator('.sc-bubble').textContent()) ?? '').trim().length).toBeGreaterThan(20);
      // The assistant answered: nobody was handed the conversation again.
      await expect(customer.page.locator('.sc-msg[data-role="system"][data-kind="handoff"]').count()).resolves.toBe(1);

      const { rows } = await server.db.query<{ status: string }>('SELECT status FROM support_tickets WHERE session_id = $1', [sessionId]);
      expect(rows.map((row) => row.status)).toEqual(['solved']);
      await page.getByText('Nobody is waiting').waitFor();
      await page.locator('[data-testid="transcript-message"][data-role="system"]', { hasText: 'resolved' }).waitFor();

      await customer.page.screenshot({ path: `${SCREENSHOT_DIR}console-e-customer-ai-again.png` });
      await page.screenshot({ path: `${SCREENSHOT_DIR}console-e-resolved.png` });
      expect(customer.pageErrors).toEqual([]);
      expect(agent.pageErrors).toEqual([]);
    });
  },
);

describe.skipIf(!hasChromium)(
  hasChromium ? 'agent console token lifetime in Chromium' : `agent console token lifetime (skipped: ${CHROMIUM_PATH} not installed)`,
  { timeout: 120_000 },
  () => {
    let server: RunningTestServer;
    let browser: Browser;

    beforeAll(async () => {
      // Agent tokens that live 4 s: the console must refresh them on its own, again and again.
      const [started, launched] = await Promise.all([startTestServer({ env: { AGENT_TOKEN_TTL_SECONDS: '4' } }), launchChromium(), buildConsole()]);
      server = started;
      browser = launched;
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    }, 60_000);

    it('refreshes the token before it expires (a reload keeps the session), and goes back to sign-in once it lapses', async () => {
      const { context, page, pageErrors } = await newPage(browser, { width: 1280, height: 800 }, { stepTimeoutMs: STEP_TIMEOUT_MS });
      try {
        let refreshes = 0;
        page.on('response', (response) => {
          if (response.url().endsWith('/support/agent/token/refresh') && response.status() === 200) refreshes += 1;
        });
        await page.goto(`${server.url}/console/`);
        await page.getByLabel('Work e-mail').fill(MAYA.email);
        await page.getByLabel('Password').fill(DEMO_AGENT_PASSWORD);
        await page.getByTestId('login-submit').click();
        await page.locator('[data-testid="connection-status"][data-state="online"]').waitFor();
        await expect.poll(() => refreshes, { timeout: STEP_TIMEOUT_MS, interval: 100 }).toBeGreaterThanOrEqual(2);
        await expect(page.getByTestId('agent-name').textContent()).resolves.toContain(MAYA.name);

        // The session lives in sessionStorage: a reload stays signed in, with the newest token.
        await page.reload();
        await page.locator('[data-testid="connection-status"][data-state="online"]').waitFor();
        const after = refreshes;
        await expect.poll(() => refreshes, { timeout: STEP_TIMEOUT_MS, interval: 100 }).toBeGreaterThan(after);
        await page.getByText('Nobody is waiting').waitFor();

        // Refreshing fails from now on: once the token has run out, the console asks to sign in again.
        await page.route('**/support/agent/token/refresh', (route) => route.abort());
        const notice = page.getByTestId('login-notice');
        await notice.waitFor();
        await expect(notice.textContent()).resolves.toMatch(/expired|ended/);
        await expect(page.getByLabel('Work e-mail').isVisible()).resolves.toBe(true);
        expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
        await page.screenshot({ path: `${SCREENSHOT_DIR}console-f-session-expired.png` });
        expect(pageErrors.filter((error) => !error.includes('/token/refresh'))).toEqual([]);
      } finally {
        await context.close();
      }
    });
  },
);
