/**
 * The admin dashboard (Analytics) of the agent console in Debian's Chromium,
 * against a real in-process server whose model is the fake OpenAI-protocol
 * server (so every token and its cost is known). The scripted day
 * (test/support/scripted-support-day.ts, without the button handoff) runs
 * through the service first: c1 contained, c2 escalated and resolved by an
 * agent, c3 "I don't know" (a knowledge gap), c4 an injection with a card.
 *
 * Then Sam (admin) opens Analytics and must see exactly the numbers the
 * summary API gives; browses the conversations and reads one redacted; finds
 * the knowledge gap; changes a limit and flips the kill switch (a customer
 * message is then escalated as `ai_disabled`) and back. Maya (plain agent)
 * sees no Analytics entry and, at /console/admin, only an "admins only"
 * message. Every step waits on the page's own state. Screenshots:
 * e2e/screenshots/admin-*.png.
 *
 * Needs /usr/bin/chromium; without it the suite is skipped, not failed.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsSummary } from '../src/analytics/support-analytics.js';
import { DEMO_AGENT_PASSWORD } from '../src/agents/demo-agents.js';
import { agentCall, agentLogin, MAYA, SAM } from '../test/agent-client.js';
import { ChatTestClient } from '../test/chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../test/fake-openai-server.js';
import { answerTheScript, runScriptedDay, UNKNOWN_QUESTION, type ScriptedSessions } from '../test/support/scripted-support-day.js';
import { openSession, signCustomerToken, startTestServer, type RunningTestServer } from '../test/test-server.js';
import { buildFrontEnd, CHROMIUM_PATH, hasChromium, launchChromium, newPage, SCREENSHOT_DIR, type TestPage, warnIfNoChromium } from './browser.js';

const STEP_TIMEOUT_MS = 30_000;
const DESKTOP = { width: 1366, height: 900 };
const API_KEY = 'sk-test-admin-dashboard-0123456789abcdef';
const ADMIN_KEY = 'admin-key-for-the-dashboard-test-0123456789';

// The console formats with the browser's locale; headless Chromium's is en-US.
const percent = (value: number | null) => (value === null ? '—' : new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(value));
const count = (value: number) => new Intl.NumberFormat('en-US').format(value);
const usd = (value: number) => `US$${new Intl.NumberFormat('en-US', Math.abs(value) < 1 ? { minimumFractionDigits: 4, maximumFractionDigits: 6 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)}`;

warnIfNoChromium('admin-dashboard');

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/** A screenshot of the page at rest (transitions finished), the console's main region scrolled to its top. */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.locator('#admin-main').evaluate((node) => node.scrollTo(0, 0));
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, animations: 'disabled' });
}

async function signInToConsole(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/console`);
  await page.getByLabel('Work e-mail').fill(email);
  await page.getByLabel('Password').fill(DEMO_AGENT_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.locator('[data-testid="connection-status"][data-state="online"]').waitFor();
}

describe.skipIf(!hasChromium)(hasChromium ? 'the admin dashboard in Chromium' : `admin dashboard (skipped: ${CHROMIUM_PATH} not installed)`, { timeout: 120_000 }, () => {
  let fake: FakeOpenAIServer;
  let server: RunningTestServer;
  let browser: Browser;
  let sam: TestPage;
  let samToken = '';
  let samId = '';
  let sessions: ScriptedSessions;

  const adminFetch = async (method: 'GET' | 'PUT', path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    fake = await startFakeOpenAIServer({ apiKey: API_KEY });
    answerTheScript(fake);
    const [started, launched] = await Promise.all([
      startTestServer({
        modelFromConfig: true,
        env: { AI_PROVIDER: 'openai', OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'gpt-4.1-mini', AI_MAX_RETRIES: '0', ADMIN_API_KEY: ADMIN_KEY, AGENT_AUTO_ASSIGN: 'false' },
      }),
      launchChromium(),
      buildFrontEnd('console'),
    ]);
    server = started;
    browser = launched;

    sessions = await runScriptedDay(server, { buttonHandoff: false });

    const login = await agentLogin(server.url, SAM.email);
    samToken = login.token;
    samId = login.agent.id;
    sam = await newPage(browser, DESKTOP, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
  }, 240_000);

  afterAll(async () => {
    await sam?.context.close();
    await browser?.close();
    await server?.close();
    await fake?.close();
  }, 60_000);

  it('(a) Maya (plain agent) has no Analytics entry; /console/admin tells her it is for admins only and asks for no data', async () => {
    const { context, page, pageErrors } = await newPage(browser, DESKTOP, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
    try {
      const adminRequests: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/admin/')) adminRequests.push(request.url());
      });
      await signInToConsole(page, server.url, MAYA.email);
      await page.getByText('Nobody is waiting').waitFor();
      await expect(page.getByTestId('nav-analytics').count()).resolves.toBe(0);
      await expect(page.getByRole('link', { name: 'Analytics' }).count()).resolves.toBe(0);

      await page.goto(`${server.url}/console/admin`);
      const refused = page.getByTestId('admin-only');
      await refused.waitFor();
      await expect(refused.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Analytics is for admins only');
      await expect(page.getByTestId('admin-page').count()).resolves.toBe(0);
      await expect(page.getByTestId('nav-analytics').count()).resolves.toBe(0);
      expect(adminRequests).toEqual([]);
      // And the API would refuse her anyway.
      expect((await agentCall(server.url, (await agentLogin(server.url, MAYA.email)).token, 'GET', '/admin/analytics/summary')).status).toBe(403);
      await screenshot(page, 'admin-maya-refused');

      await page.getByRole('link', { name: 'Back to the queue' }).click();
      await page.getByText('Nobody is waiting').waitFor();
      expect(new URL(page.url()).pathname).toBe('/console/');
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('(b) Sam opens Analytics and sees exactly the summary API’s numbers; axe finds nothing serious', async () => {
    const response = await agentCall(server.url, samToken, 'GET', '/admin/analytics/summary');
    expect(response.status).toBe(200);
    const summary = response.body as AnalyticsSummary;
    // The script's own numbers, so the comparison below compares something.
    expect(summary.funnel).toEqual({ conversations: 4, aiAnswered: 1, escalated: 1, resolvedByAgent: 1, contained: 1, abandoned: 2 });
    expect(summary.tokens).toMatchObject({ calls: 4, promptTokens: 260, completionTokens: 45, unpricedCalls: 0 });

    const { page } = sam;
    await signInToConsole(page, server.url, SAM.email);
    const analytics = page.getByTestId('nav-analytics');
    await expect(analytics.textContent()).resolves.toBe('Analytics');
    await analytics.click();
    await page.locator('[data-testid="admin-overview"][data-state="ready"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/admin');
    await expect(analytics.getAttribute('aria-current')).resolves.toBe('page');
    await expect(page.getByTestId('period-30').isChecked()).resolves.toBe(true);

    const text = (testId: string) => page.getByTestId(testId).textContent();
    const value = (testId: string) => page.getByTestId(testId).getAttribute('data-value');
    // Funnel, as text.
    await expect(text('funnel-conversations')).resolves.toBe(count(summary.funnel.conversations));
    await expect(text('funnel-ai-answered')).resolves.toBe(count(summary.funnel.aiAnswered));
    await expect(text('funnel-escalated')).resolves.toBe(count(summary.funnel.escalated));
    await expect(text('funnel-resolved-by-agent')).resolves.toBe(count(summary.funnel.resolvedByAgent));
    await expect(text('funnel-contained')).resolves.toBe(count(summary.funnel.contained));
    await expect(text('funnel-abandoned')).resolves.toBe(count(summary.funnel.abandoned));
    await expect(text('dont-know-answers')).resolves.toBe(count(summary.dontKnowAnswers));
    await page.getByTestId('funnel-chart').waitFor();
    // Rates as percentages.
    await expect(text('rate-containment')).resolves.toBe(percent(summary.rates.containment));
    await expect(value('rate-containment')).resolves.toBe(String(summary.rates.containment));
    await expect(text('rate-resolution')).resolves.toBe(percent(summary.rates.resolution));
    await expect(text('rate-automation')).resolves.toBe(percent(summary.rates.automation));
    expect(percent(summary.rates.containment)).toBe('75%');
    // CSAT, AI and human, with the votes.
    await expect(text('csat-ai')).resolves.toBe(percent(summary.csat.ai.score));
    await expect(page.getByTestId('csat-ai-votes').getAttribute('data-up')).resolves.toBe(String(summary.csat.ai.up));
    await expect(page.getByTestId('csat-ai-votes').getAttribute('data-down')).resolves.toBe(String(summary.csat.ai.down));
    await expect(text('csat-human')).resolves.toBe(percent(summary.csat.human.score));
    await expect(text('csat-human-votes')).resolves.toBe(`${summary.csat.human.up} up · ${summary.csat.human.down} down`);
    // The scripted day's stars: 5 and 1 where the AI alone answered, 2 where a person had helped.
    expect(summary.csat.endOfChat).toEqual({ ai: { ratings: 2, average: 3, satisfied: 0.5 }, human: { ratings: 1, average: 2, satisfied: 0 } });
    await expect(text('csat-end-ai')).resolves.toBe(percent(0.5));
    await expect(text('csat-end-ai-ratings')).resolves.toBe('2 rated · average 3.0 of 5');
    await expect(text('csat-end-human')).resolves.toBe(percent(0));
    // Tokens and cost.
    await expect(text('tokens-total')).resolves.toBe(count(summary.tokens.promptTokens + summary.tokens.completionTokens));
    await expect(text('tokens-prompt')).resolves.toBe(count(summary.tokens.promptTokens));
    await expect(text('tokens-completion')).resolves.toBe(count(summary.tokens.completionTokens));
    await expect(text('tokens-calls')).resolves.toBe(count(summary.tokens.calls));
    await expect(text('tokens-unpriced')).resolves.toBe(count(summary.tokens.unpricedCalls));
    await expect(text('tokens-cost')).resolves.toBe(usd(summary.tokens.costUsd));
    expect(Number(await value('tokens-cost'))).toBeCloseTo(summary.tokens.costUsd, 12);
    await page.getByTestId('tokens-chart').waitFor();
    // Tables: escalation reasons, guardrail decisions, latency, cited articles.
    for (const reason of summary.escalationReasons) {
      await expect(page.locator(`[data-testid="escalation-reason"][data-source="${reason.source}"] [data-testid="escalation-reason-count"]`).textContent()).resolves.toBe(count(reason.count));
    }
    await expect(page.getByTestId('escalation-reason').count()).resolves.toBe(summary.escalationReasons.length);
    expect(summary.guardrails).toEqual([{ stage: 'input', category: 'injection', action: 'safe_reply', count: 1 }]);
    await expect(page.locator('[data-testid="guardrail-row"][data-category="injection"]').textContent()).resolves.toBe('InputInjectionSafe reply1');
    await expect(page.getByTestId('latency-table').locator('tbody tr').count()).resolves.toBe(2);
    await expect(page.getByTestId('latency-first-token-p50').textContent()).resolves.toMatch(/^\d[\d,.]* (ms|s)$/);
    for (const article of summary.citedArticles) {
      await expect(page.locator(`[data-testid="cited-article"][data-article-id="${article.articleId}"]`).textContent()).resolves.toContain(article.title ?? article.articleId);
    }

    // The knowledge gap: its topic, expanded, lists the question behind it.
    const topic = page.getByTestId('gap-topic').filter({ hasText: 'insurance' });
    await expect(topic.getByTestId('gap-count').textContent()).resolves.toBe('1 question');
    await expect(topic.getByTestId('gap-question').isVisible()).resolves.toBe(false);
    await topic.locator('summary').click();
    await expect(topic.getByTestId('gap-question').textContent()).resolves.toContain(UNKNOWN_QUESTION);
    await expect(topic.getByTestId('gap-question').isVisible()).resolves.toBe(true);

    await expect(seriousViolations(page)).resolves.toEqual([]);
    await screenshot(page, 'admin-dashboard');
    // The whole page at once, to look at the layout below the fold.
    await page.setViewportSize({ width: DESKTOP.width, height: 1560 });
    await screenshot(page, 'admin-dashboard-full');
    await page.setViewportSize(DESKTOP);

    // The 7-day period asks again: the same conversations (all from today).
    const asked = page.waitForResponse((answer) => answer.url().includes('/admin/analytics/summary') && answer.status() === 200);
    await page.getByText('Last 7 days').click();
    await asked;
    await page.locator('[data-testid="admin-overview"][data-state="ready"]').waitFor();
    await expect(page.getByTestId('period-7').isChecked()).resolves.toBe(true);
    await expect(text('funnel-conversations')).resolves.toBe(count(summary.funnel.conversations));

    // A custom range of whole days in the browser's time zone: too long is refused in the page; days
    // before the script are empty; days up to today hold it. Each time the page's numbers are the API's
    // for the period it asked for, which starts at the first day's local midnight and ends after the last.
    const day = (daysAgo: number) => page.evaluate((ago) => {
      const date = new Date();
      date.setDate(date.getDate() - ago);
      return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
    }, daysAgo);
    const localMidnight = (dayText: string, plusDays: number) => page.evaluate(([text, plus]) => {
      const date = new Date(`${text}T00:00`);
      date.setDate(date.getDate() + plus);
      return date.toISOString();
    }, [dayText, plusDays] as const);
    const applyRange = async (from: string, to: string) => {
      await page.getByTestId('period-from').fill(from);
      await page.getByTestId('period-to').fill(to);
      const answer = page.waitForResponse((response) => response.url().includes('/admin/analytics/summary') && response.status() === 200);
      await page.getByTestId('period-apply').click();
      const asked = new URL((await answer).url());
      await page.locator('[data-testid="admin-overview"][data-state="ready"]').waitFor();
      expect({ since: asked.searchParams.get('since'), until: asked.searchParams.get('until') }).toEqual({ since: await localMidnight(from, 0), until: await localMidnight(to, 1) });
      return (await agentCall(server.url, samToken, 'GET', `/admin/analytics/summary?${asked.searchParams.toString()}`)).body as AnalyticsSummary;
    };
    await page.getByRole('radio', { name: 'Custom' }).check();
    await page.getByTestId('period-range-form').waitFor();
    await page.getByTestId('period-from').fill(await day(400));
    await page.getByTestId('period-apply').click();
    await expect(text('period-error')).resolves.toBe('A period is at most 366 days.');
    const before = await applyRange(await day(10), await day(3));
    expect(before.funnel.conversations).toBe(0);
    await expect(text('funnel-conversations')).resolves.toBe('0');
    // The heading names the two days, as the console formats a date.
    const shownDay = (dayText: string) => page.evaluate((text) => new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(`${text}T00:00`)), dayText);
    await expect(text('period-text')).resolves.toBe(`${await shownDay(await day(10))} – ${await shownDay(await day(3))}`);
    await expect(page.getByTestId('period-custom').isChecked()).resolves.toBe(true);
    const upToToday = await applyRange(await day(2), await day(0));
    expect(upToToday.funnel).toEqual(summary.funnel);
    await expect(text('funnel-conversations')).resolves.toBe(count(summary.funnel.conversations));
    await expect(text('funnel-escalated')).resolves.toBe(count(summary.funnel.escalated));
    await screenshot(page, 'admin-dashboard-range');
    expect(sam.pageErrors).toEqual([]);
  });

  it('(c) the transcript browser filters and pages, and opens a conversation redacted, with its guardrail decision', async () => {
    const { page } = sam;
    await page.getByTestId('admin-tab-conversations').click();
    const table = page.locator('[data-testid="conversation-table"][data-state="ready"]');
    await table.waitFor();
    await expect(page.getByTestId('conversation-row').count()).resolves.toBe(4);
    await expect(page.getByTestId('conversation-count').textContent()).resolves.toBe('1–4 of 4');
    await expect(page.getByTestId('page-next').isDisabled()).resolves.toBe(true);

    await page.getByLabel('Outcome').selectOption('abandoned');
    await expect.poll(() => page.getByTestId('conversation-row').count(), { timeout: STEP_TIMEOUT_MS }).toBe(2);
    await page.getByLabel('Rating').selectOption('down');
    await expect.poll(() => page.getByTestId('conversation-row').count(), { timeout: STEP_TIMEOUT_MS }).toBe(1);
    await expect(page.getByTestId('conversation-row').getAttribute('data-session-id')).resolves.toBe(sessions.c3);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.getByTestId('conversation-row').count(), { timeout: STEP_TIMEOUT_MS }).toBe(4);
    await page.getByLabel('Handoff trigger').selectOption('explicit_request');
    await expect.poll(() => page.getByTestId('conversation-row').count(), { timeout: STEP_TIMEOUT_MS }).toBe(1);
    await expect(page.getByTestId('conversation-row').getAttribute('data-session-id')).resolves.toBe(sessions.c2);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.getByTestId('conversation-row').count(), { timeout: STEP_TIMEOUT_MS }).toBe(4);

    // The training export: only the conversation whose customer agreed (c1; the consent path has tests of its own).
    await server.db.query('UPDATE support_chat_sessions SET training_consent = true, training_consent_at = now() WHERE id = $1', [sessions.c1]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('training-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^training-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.jsonl$/);
    const lines = readFileSync((await download.path()) ?? '', 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect((JSON.parse(lines[0] ?? '{}') as { messages: Array<{ role: string; content: string }> }).messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant']);
    await expect(page.getByTestId('training-export-status').textContent()).resolves.toBe('1 consenting conversation exported.');
    const audit = await server.db.query<{ actor: string }>(`SELECT actor FROM support_privacy_audit WHERE action = 'training_export'`);
    expect(audit.rows).toEqual([{ actor: `agent:${samId}` }]);

    // The injection's row is previewed redacted; opening it shows the whole conversation redacted.
    const row = page.locator(`[data-testid="conversation-row"][data-session-id="${sessions.c4}"]`);
    await expect(row.textContent()).resolves.toContain('[CARD]');
    await screenshot(page, 'admin-conversations');
    await row.getByTestId('conversation-open').click();
    const transcript = page.locator(`[data-testid="admin-transcript"][data-session-id="${sessions.c4}"][data-state="ready"]`);
    await transcript.waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/admin/conversations/${sessions.c4}`);
    const customerText = transcript.locator('[data-testid="admin-message"][data-role="user"] [data-testid="admin-message-text"]');
    await expect(customerText.textContent()).resolves.toContain('[CARD]');
    await expect(transcript.textContent()).resolves.not.toContain('4111');
    await expect(transcript.locator('[data-testid="admin-message"][data-role="assistant"]').count()).resolves.toBe(1);
    await expect(transcript.getByTestId('admin-guardrails').locator('tbody').textContent()).resolves.toBe('InputInjectionSafe reply');
    await expect(transcript.getByTestId('admin-ticket').count()).resolves.toBe(0);
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await screenshot(page, 'admin-transcript');

    // Back (the browser's own) to the list, then the escalated one: its ticket, Maya's reply, the rating.
    await page.goBack();
    await table.waitFor();
    await page.locator(`[data-testid="conversation-row"][data-session-id="${sessions.c2}"]`).getByTestId('conversation-open').click();
    const escalated = page.locator(`[data-testid="admin-transcript"][data-session-id="${sessions.c2}"][data-state="ready"]`);
    await escalated.waitFor();
    await expect(escalated.locator('[data-testid="admin-ticket"][data-source="explicit_request"]').textContent()).resolves.toContain('Resolved');
    const agentReply = escalated.locator('[data-testid="admin-message"][data-role="agent"]');
    await expect(agentReply.getByTestId('admin-message-text').textContent()).resolves.toBe("Hi, I'm Maya. How can I help?");
    await expect(agentReply.getByTestId('message-rating').textContent()).resolves.toBe('Rated up');
    await screenshot(page, 'admin-transcript-escalated');
    expect(sam.pageErrors).toEqual([]);
  });

  it('(d) the controls: an invalid setting shows the API’s message; a limit is saved alone; the kill switch (confirmed) hands the next message to a person', async () => {
    const { page } = sam;
    await page.getByTestId('admin-tab-controls').click();
    await page.getByTestId('settings-form').waitFor();
    await page.getByTestId('limits-form').waitFor();
    await expect(seriousViolations(page)).resolves.toEqual([]);
    const policyBefore = await adminFetch('GET', '/admin/guardrails/policy');

    // The API validates: an empty company name comes back as its own message.
    const company = page.getByLabel('Company name');
    const companyName = await company.inputValue();
    expect(companyName.length).toBeGreaterThan(0);
    await company.fill('   ');
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-error').textContent()).resolves.toContain('companyName');
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expect(company.inputValue()).resolves.toBe(companyName);
    await page.getByTestId('settings-error').waitFor({ state: 'detached' });

    // One limit changed: the rest of the policy goes back exactly as it was.
    const turns = page.getByLabel('Turns per conversation');
    const turnsBefore = Number(await turns.inputValue());
    await turns.fill(String(turnsBefore + 7));
    await page.getByTestId('limits-save').click();
    await page.getByTestId('limits-notice').waitFor();
    await expect(page.getByTestId('policy-version').textContent()).resolves.toContain(`${SAM.name} (you)`);
    const policyAfter = await adminFetch('GET', '/admin/guardrails/policy');
    const before = policyBefore.body.value as { limits: Record<string, number> };
    expect(policyAfter.body.value).toEqual({ ...before, limits: { ...before.limits, maxTurnsPerConversation: turnsBefore + 7 } });
    expect(policyAfter.body.updatedBy).toBe(`agent:${samId}`);

    // The kill switch asks first; cancelling changes nothing.
    const killSwitch = page.getByRole('switch', { name: 'AI answers customers' });
    await expect(killSwitch.getAttribute('aria-checked')).resolves.toBe('true');
    await killSwitch.click();
    const dialog = page.getByRole('dialog', { name: 'Switch off AI answers?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect(killSwitch.getAttribute('aria-checked')).resolves.toBe('true');
    await killSwitch.click();
    await dialog.waitFor();
    await screenshot(page, 'admin-controls-confirm');
    await dialog.getByRole('button', { name: 'Switch off AI answers' }).click();
    await page.locator('[data-testid="kill-switch"][aria-checked="false"]').waitFor();
    await expect(page.getByTestId('settings-version').textContent()).resolves.toContain(`${SAM.name} (you)`);
    await screenshot(page, 'admin-controls');

    const off = await adminFetch('GET', '/admin/settings');
    expect(off.body.value).toMatchObject({ aiEnabled: false, companyName });
    expect(off.body.updatedBy).toBe(`agent:${samId}`);

    // A customer message now goes to a person: escalated as ai_disabled.
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_kenji') });
    const client = await ChatTestClient.connect(server.url, session.token);
    try {
      const from = client.events.length;
      client.send({ type: 'send_message', clientMessageId: 'off', text: 'How much does it cost to cancel a flight?' });
      const escalated = await client.waitFor('escalated', () => true, { from });
      const tickets = (await server.db.query<{ id: string; source: string }>('SELECT id, source FROM support_tickets WHERE session_id = $1', [session.sessionId])).rows;
      expect(tickets).toEqual([{ id: escalated.ticketId, source: 'ai_disabled' }]);
    } finally {
      client.close();
    }

    // Back on, with no question asked.
    await killSwitch.click();
    await page.locator('[data-testid="kill-switch"][aria-checked="true"]').waitFor();
    await expect(dialog.isVisible()).resolves.toBe(false);
    expect((await adminFetch('GET', '/admin/settings')).body.value).toMatchObject({ aiEnabled: true, companyName });
    await screenshot(page, 'admin-controls-on');
    // The one refused request is the invalid save above.
    expect(sam.pageErrors).toEqual([`HTTP 400 PUT ${server.url}/admin/settings`]);
  });
});
