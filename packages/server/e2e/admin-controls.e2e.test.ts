/**
 * The admin controls of the agent console that change the service, in
 * Debian's Chromium against a real in-process server: Sam (admin) changes a
 * handoff rule and the model choice (checked through GET /admin/settings and
 * shown in the history); adds an agent, whose generated password is shown
 * once and signs in through the API, then disables them (their login is then
 * refused); writes, edits and deletes a knowledge-base article (checked
 * through GET /admin/kb/articles/:id); changes the rules for harmful
 * messages (a customer's next crisis message meets the new text, in English
 * where the Spanish one was emptied); and saves over another admin's change
 * (refused, their version shown, his edit kept, saved on the second try).
 * Every step waits on the page's own state; axe finds nothing serious on the
 * new pages. Screenshots: e2e/screenshots/admin-controls-rules.png,
 * admin-team.png, admin-kb*.png, admin-guardrails.png, admin-conflict.png.
 *
 * Needs /usr/bin/chromium; without it the suite is skipped, not failed.
 */
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENT_PASSWORD } from '../src/agents/demo-agents.js';
import type { GuardrailPolicy } from '../src/guardrails/guardrail-policy.js';
import { agentLogin, SAM } from '../test/agent-client.js';
import { ChatTestClient } from '../test/chat-client.js';
import { openSession, signCustomerToken, startTestServer, type RunningTestServer } from '../test/test-server.js';
import { buildFrontEnd, CHROMIUM_PATH, hasChromium, launchChromium, newPage, SCREENSHOT_DIR, type TestPage, warnIfNoChromium } from './browser.js';

const STEP_TIMEOUT_MS = 30_000;
const DESKTOP = { width: 1366, height: 900 };
const ADMIN_KEY = 'admin-key-for-the-controls-test-0123456789';
const NEW_AGENT = { name: 'Priya Natarajan', email: 'priya@agents.skyway.example' };
const ARTICLE_ID = 'travelling-with-a-pet';

warnIfNoChromium('admin-controls');

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/** A screenshot of the page at rest, the console's main region scrolled so that `testId` (or the top) is in view. */
async function screenshot(page: Page, name: string, testId?: string): Promise<void> {
  await page.locator('#admin-main').evaluate((node) => node.scrollTo(0, 0));
  if (testId) await page.getByTestId(testId).evaluate((node) => node.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, animations: 'disabled' });
}

/** The focused element's test id (or its id). */
const focusedTestId = (page: Page) => page.locator(':focus').evaluate((node) => node.getAttribute('data-testid') ?? node.id);

async function loginStatus(baseUrl: string, email: string, password: string): Promise<number> {
  const response = await fetch(`${baseUrl}/support/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return response.status;
}

describe.skipIf(!hasChromium)(hasChromium ? 'the admin controls, team and knowledge base in Chromium' : `admin controls (skipped: ${CHROMIUM_PATH} not installed)`, { timeout: 120_000 }, () => {
  let server: RunningTestServer;
  let browser: Browser;
  let sam: TestPage;
  let samId = '';

  const adminFetch = async (method: 'GET' | 'PUT', path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as Record<string, unknown> };
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const [started, launched] = await Promise.all([startTestServer({ env: { ADMIN_API_KEY: ADMIN_KEY, AGENT_AUTO_ASSIGN: 'false' } }), launchChromium(), buildFrontEnd('console')]);
    server = started;
    browser = launched;
    samId = (await agentLogin(server.url, SAM.email)).agent.id;
    sam = await newPage(browser, DESKTOP, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
    await sam.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });

    const { page } = sam;
    await page.goto(`${server.url}/console`);
    await page.getByLabel('Work e-mail').fill(SAM.email);
    await page.getByLabel('Password').fill(DEMO_AGENT_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid="connection-status"][data-state="online"]').waitFor();
  }, 240_000);

  afterAll(async () => {
    await sam?.context.close();
    await browser?.close();
    await server?.close();
  }, 60_000);

  it('(a) handoff rules and the model choice: bad opening hours show the API’s message; the saved rules and model are what GET /admin/settings holds; the history says who and what', async () => {
    const { page } = sam;
    await page.getByTestId('nav-analytics').click();
    await page.getByTestId('admin-tab-controls').click();
    const rules = page.getByTestId('rules-form');
    await rules.waitFor();
    await page.getByTestId('model-form').waitFor();
    await page.locator('[data-testid="history-table"][data-state="ready"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/admin/controls');
    const before = (await adminFetch('GET', '/admin/settings')).body as { version: number; value: { escalation: Record<string, unknown>; model: Record<string, unknown> } };
    expect(before.value.escalation.triggers).toEqual(['explicit_request', 'accepted_offer', 'negative_sentiment', 'repeated_failure']);
    await expect(page.getByTestId('trigger-negative_sentiment').isChecked()).resolves.toBe(true);

    // Opening hours the service cannot read: its own message, and the field marked.
    const hours = page.getByLabel('Opening hours');
    await hours.fill('mon-fri 25:00-18:00');
    await page.getByTestId('rules-save').click();
    await expect(page.getByTestId('rules-error').textContent()).resolves.toContain('businessHours');
    await expect(hours.getAttribute('aria-invalid')).resolves.toBe('true');

    // A rule off, a number and the hours changed: saved with the rest of the settings as they were.
    await hours.fill('mon-fri 08:00-20:00; sat 10:00-14:00');
    await page.getByLabel('The customer sounds upset').uncheck();
    await page.getByLabel('Failed replies before a handoff').fill('3');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByTestId('rules-save').click();
    await page.getByTestId('rules-notice').waitFor();
    await expect(hours.getAttribute('aria-invalid')).resolves.toBe(null);
    const afterRules = (await adminFetch('GET', '/admin/settings')).body as typeof before & { updatedBy: string };
    expect(afterRules.version).toBe(before.version + 1);
    expect(afterRules.updatedBy).toBe(`agent:${samId}`);
    expect(afterRules.value).toEqual({
      ...before.value,
      escalation: { ...before.value.escalation, triggers: ['explicit_request', 'accepted_offer', 'repeated_failure'], afterFailedReplies: 3, businessHours: 'mon-fri 08:00-20:00; sat 10:00-14:00', timeZone: 'Europe/Berlin' },
    });

    // The model: the local fallback (its name field then does not apply), then the provider with a model by name.
    const name = page.getByLabel('Model name (optional)');
    await page.getByLabel('Local model (offline fallback)').check();
    await expect(name.isDisabled()).resolves.toBe(true);
    await page.getByTestId('model-save').click();
    await page.getByTestId('model-notice').waitFor();
    expect(((await adminFetch('GET', '/admin/settings')).body.value as { model: unknown }).model).toEqual({ use: 'local', name: null });
    await page.getByLabel('The configured provider').check();
    await name.fill('gpt-4.1-mini');
    await page.getByTestId('model-save').click();
    await expect.poll(async () => ((await adminFetch('GET', '/admin/settings')).body.value as { model: unknown }).model, { timeout: STEP_TIMEOUT_MS }).toEqual({ use: 'configured', name: 'gpt-4.1-mini' });
    // The rules form kept what was saved (another card's save does not reset it).
    await expect(page.getByTestId('trigger-negative_sentiment').isChecked()).resolves.toBe(false);

    // The history: the three versions, newest first, by Sam, with what each changed from the one before.
    const history = page.getByTestId('history-row');
    await expect.poll(() => history.first().getAttribute('data-version'), { timeout: STEP_TIMEOUT_MS }).toBe(String(before.version + 3));
    await expect(history.nth(0).getByTestId('history-who').textContent()).resolves.toBe(`${SAM.name} (you)`);
    await expect(history.nth(0).getByTestId('history-changed').textContent()).resolves.toBe('Model');
    await expect(history.nth(1).getByTestId('history-changed').textContent()).resolves.toBe('Model');
    // A new service: the rules were its first change (version 1), from the configured defaults.
    await expect(history.nth(2).getAttribute('data-version')).resolves.toBe('1');
    await expect(history.nth(2).getByTestId('history-changed').textContent()).resolves.toBe('First change from the defaults');

    await expect(seriousViolations(page)).resolves.toEqual([]);
    await screenshot(page, 'admin-controls-rules', 'handoff-rules');
    await page.setViewportSize({ width: DESKTOP.width, height: 1700 });
    await screenshot(page, 'admin-controls-full');
    await page.setViewportSize(DESKTOP);
    // The one refused request is the bad opening hours.
    expect(sam.pageErrors).toEqual([`HTTP 400 PUT ${server.url}/admin/settings`]);
    sam.pageErrors.length = 0;
  });

  it('(b) the team: an added agent’s password is shown once and signs in; a taken e-mail is refused; disabling (confirmed) stops their login; Sam cannot disable or demote himself', async () => {
    const { page } = sam;
    await page.getByTestId('admin-tab-team').click();
    await page.locator('[data-testid="team-table"][data-state="ready"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/admin/team');
    const samRow = page.locator(`[data-testid="agent-row"][data-agent-id="${samId}"]`);
    await expect(samRow.getByTestId('agent-disable').isDisabled()).resolves.toBe(true);
    await expect(samRow.getByTestId('agent-role').isDisabled()).resolves.toBe(true);
    await expect(seriousViolations(page)).resolves.toEqual([]);

    // Added without a password: the generated one, once, with the focus on it.
    await page.getByLabel('Name', { exact: true }).fill(NEW_AGENT.name);
    await page.getByLabel('Work e-mail').fill(NEW_AGENT.email);
    await page.getByTestId('add-agent-submit').click();
    const panel = page.getByTestId('new-password-panel');
    await panel.waitFor();
    await expect(panel.textContent()).resolves.toContain('Shown only once');
    await expect(focusedTestId(page)).resolves.toBe('new-password-heading');
    const password = (await page.getByTestId('new-password').textContent()) ?? '';
    expect(password.length).toBeGreaterThanOrEqual(24);
    await page.getByTestId('copy-password').click();
    await panel.getByText('Copied to the clipboard.').waitFor();
    await expect(page.evaluate<string>('navigator.clipboard.readText()')).resolves.toBe(password);
    const row = page.locator(`[data-testid="agent-row"][data-email="${NEW_AGENT.email}"]`);
    await expect(row.getByTestId('agent-status').textContent()).resolves.toBe('Active');
    expect((await agentLogin(server.url, NEW_AGENT.email, password)).agent).toMatchObject({ name: NEW_AGENT.name, role: 'agent' });
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await screenshot(page, 'admin-team');

    // The same e-mail again: the API's 409, as its message.
    await page.getByTestId('password-done').click();
    await panel.waitFor({ state: 'detached' });
    await page.getByLabel('Name', { exact: true }).fill('Priya Again');
    await page.getByLabel('Work e-mail').fill(NEW_AGENT.email);
    await page.getByTestId('add-agent-submit').click();
    await expect(page.getByTestId('add-agent-error').textContent()).resolves.toContain('exists already');

    // A chat cap, saved for that row alone.
    const id = (await row.getAttribute('data-agent-id')) ?? '';
    await row.getByLabel(`Chat cap of ${NEW_AGENT.name} (empty for the default)`).fill('3');
    await row.getByTestId('agent-save').click();
    await page.getByTestId('team-notice').waitFor();
    const agents = async () => ((await adminFetch('GET', '/admin/agents')).body as { agents: Array<{ id: string; maxChats: number | null; disabled: boolean }> }).agents;
    expect((await agents()).find((agent) => agent.id === id)).toMatchObject({ maxChats: 3, disabled: false });

    // Disabling asks first; cancelling changes nothing; confirmed, the login is refused.
    await row.getByTestId('agent-disable').click();
    const dialog = page.getByRole('dialog', { name: `Disable ${NEW_AGENT.name}?` });
    await dialog.waitFor();
    await expect(focusedTestId(page)).resolves.toBe('disable-dialog-cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect(row.getAttribute('data-disabled')).resolves.toBe('false');
    await row.getByTestId('agent-disable').click();
    await dialog.getByRole('button', { name: 'Disable account' }).click();
    await page.locator(`[data-testid="agent-row"][data-agent-id="${id}"][data-disabled="true"]`).waitFor();
    await expect(row.getByTestId('agent-status').textContent()).resolves.toBe('Disabled');
    expect((await agents()).find((agent) => agent.id === id)?.disabled).toBe(true);
    expect(await loginStatus(server.url, NEW_AGENT.email, password)).toBe(401);
    await screenshot(page, 'admin-team-disabled');
    expect(sam.pageErrors).toEqual([`HTTP 409 POST ${server.url}/admin/agents`]);
    sam.pageErrors.length = 0;
  });

  it('(c) the knowledge base: an article written in the UI is what the API holds; a bad link shows the API’s message; edited, then deleted (confirmed), it is gone', async () => {
    const { page } = sam;
    await page.getByTestId('admin-tab-kb').click();
    const table = page.locator('[data-testid="kb-table"][data-state="ready"]');
    await table.waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/admin/kb');
    const seeded = (await adminFetch('GET', '/admin/kb/articles?limit=1')).body as { total: number; articles: Array<{ id: string; title: string }> };
    expect(seeded.total).toBeGreaterThan(0);
    await expect(page.getByTestId('kb-count').textContent()).resolves.toContain(`of ${seeded.total}`);
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await screenshot(page, 'admin-kb');

    // Searching narrows the list to titles containing the words.
    const firstTitle = seeded.articles[0]?.title ?? '';
    await page.getByLabel('Search titles').fill(firstTitle);
    await page.getByTestId('kb-search-submit').click();
    await expect.poll(() => page.locator(`[data-testid="kb-row"][data-article-id="${seeded.articles[0]?.id}"]`).count(), { timeout: STEP_TIMEOUT_MS }).toBe(1);
    await page.getByRole('button', { name: 'Clear search' }).click();
    await expect.poll(() => page.getByTestId('kb-count').textContent(), { timeout: STEP_TIMEOUT_MS }).toContain(`of ${seeded.total}`);

    // A new article: the focus on its title; a link that is not a web address is refused with the API's message.
    await page.getByTestId('kb-new').click();
    const editor = page.getByTestId('article-form');
    await editor.waitFor();
    await expect(focusedTestId(page)).resolves.toBe('article-title');
    await page.getByLabel('Title', { exact: true }).fill('Travelling with a pet');
    await page.getByLabel('Body').fill('# Pets in the cabin\nSmall cats and dogs travel in the cabin in a carrier under the seat, for a fee of 50 EUR.');
    await page.getByLabel('Category (optional)').fill('Pets');
    await page.getByLabel('Public link (optional)').fill('javascript:alert(1)');
    await page.getByTestId('article-save').click();
    await expect(page.getByTestId('article-error').textContent()).resolves.toContain('url');
    await expect(page.getByLabel('Public link (optional)').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByLabel('Public link (optional)').fill('https://skyway.example/help/pets');
    await page.getByTestId('article-save').click();
    await page.getByTestId('article-notice').waitFor();
    await expect(page.getByTestId('article-id-shown').textContent()).resolves.toBe(ARTICLE_ID);
    const created = await adminFetch('GET', `/admin/kb/articles/${ARTICLE_ID}`);
    expect(created.status).toBe(200);
    expect(created.body.article).toMatchObject({
      id: ARTICLE_ID,
      title: 'Travelling with a pet',
      category: 'Pets',
      url: 'https://skyway.example/help/pets',
      locale: 'en',
      source: 'admin',
      body: '# Pets in the cabin\nSmall cats and dogs travel in the cabin in a carrier under the seat, for a fee of 50 EUR.',
    });
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await screenshot(page, 'admin-kb-editor');

    // Edited: the whole article replaced with the new text.
    await page.getByLabel('Body').fill('# Pets in the cabin\nSmall cats and dogs travel in the cabin for a fee of 60 EUR.');
    await page.getByLabel('Category (optional)').fill('');
    await page.getByTestId('article-save').click();
    await expect.poll(async () => (await adminFetch('GET', `/admin/kb/articles/${ARTICLE_ID}`)).body.article, { timeout: STEP_TIMEOUT_MS }).toMatchObject({
      body: '# Pets in the cabin\nSmall cats and dogs travel in the cabin for a fee of 60 EUR.',
      category: null,
      title: 'Travelling with a pet',
    });
    await page.getByTestId('article-notice').waitFor();

    // Deleted, asked first: gone from the API and the list; the focus back on "New article".
    await page.getByTestId('article-delete').click();
    const dialog = page.getByRole('dialog', { name: 'Delete this article?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete article' }).click();
    await page.getByTestId('kb-notice').waitFor();
    await expect(page.getByTestId('kb-notice').textContent()).resolves.toBe('Deleted “Travelling with a pet”.');
    expect((await adminFetch('GET', `/admin/kb/articles/${ARTICLE_ID}`)).status).toBe(404);
    await expect(focusedTestId(page)).resolves.toBe('kb-new');
    await table.waitFor();
    await expect(page.locator(`[data-testid="kb-row"][data-article-id="${ARTICLE_ID}"]`).count()).resolves.toBe(0);
    expect(sam.pageErrors).toEqual([`HTTP 400 POST ${server.url}/admin/kb/articles`]);
    sam.pageErrors.length = 0;
  });

  it('(d) harmful messages: the crisis text and actions saved in the console are what the next message meets; an emptied language falls back to English', async () => {
    const { page } = sam;
    await page.getByTestId('admin-tab-controls').click();
    const form = page.getByTestId('guardrail-rules-form');
    await form.waitFor();
    const before = (await adminFetch('GET', '/admin/guardrails/policy')).body as { version: number; value: GuardrailPolicy };
    await expect(page.getByTestId('rule-self_harm-action').inputValue()).resolves.toBe('hotline');
    await expect(page.getByTestId('rule-self_harm-human').isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('English', { exact: true }).inputValue()).resolves.toBe(before.value.hotline.en);
    // "Warn, then act" shows its two settings; another action hides them.
    await expect(page.getByTestId('rule-abuse-warnings').inputValue()).resolves.toBe(String(before.value.input.abuse.warningsBeforeAction));
    await expect(page.getByTestId('rule-injection-warnings').count()).resolves.toBe(0);

    // English cannot be empty (it is every other language's fallback): refused in the page, the focus on it.
    await page.getByLabel('English', { exact: true }).fill('   ');
    await page.getByTestId('guardrail-rules-save').click();
    await expect(page.getByTestId('guardrail-rules-error').textContent()).resolves.toContain('Crisis text in English');
    await expect(focusedTestId(page)).resolves.toBe('hotline-en');

    const crisis = 'You are not alone. Call the Skyway care line on 0800 000 111 at any hour, or 112 in an emergency.';
    await page.getByLabel('English', { exact: true }).fill(crisis);
    await page.getByLabel('Spanish (optional)').fill('');
    await page.getByTestId('rule-abuse-warnings').fill('2');
    await page.getByTestId('rule-abuse-after').selectOption('end');
    await page.getByTestId('rule-injection-action').selectOption('neutralise');
    await page.getByLabel('Replies checked by').selectOption('local');
    await page.getByTestId('guardrail-rules-save').click();
    await page.getByTestId('guardrail-rules-notice').waitFor();
    await expect(page.getByTestId('policy-version').getAttribute('data-version')).resolves.toBe(String(before.version + 1));
    const after = (await adminFetch('GET', '/admin/guardrails/policy')).body as { version: number; updatedBy: string; value: GuardrailPolicy };
    const { es: _spanish, ...otherTexts } = before.value.hotline;
    expect(after.updatedBy).toBe(`agent:${samId}`);
    expect(after.value).toEqual({
      ...before.value,
      input: { ...before.value.input, abuse: { ...before.value.input.abuse, warningsBeforeAction: 2, afterWarnings: 'end' }, injection: { ...before.value.input.injection, action: 'neutralise' } },
      hotline: { ...otherTexts, en: crisis },
      output: { ...before.value.output, moderation: 'local' },
    });
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await screenshot(page, 'admin-guardrails', 'guardrail-rules');

    // The next crisis message, in Spanish: the English text (no Spanish one now), then a person.
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_alice') });
    const client = await ChatTestClient.connect(server.url, session.token);
    try {
      const { reply, from } = await client.ask('ya no puedo más, quiero morir');
      expect(reply.text).toBe(crisis);
      await client.waitFor('escalated', () => true, { from });
    } finally {
      client.close();
    }
    expect(sam.pageErrors).toEqual([]);
  });

  it('(e) a save over another admin’s change is refused: their version is shown, Sam’s edit is kept, and his second save keeps both', async () => {
    const { page } = sam;
    await page.reload();
    await page.getByTestId('settings-form').waitFor();
    const loaded = (await adminFetch('GET', '/admin/settings')).body as { version: number; value: Record<string, unknown> };
    await expect(page.getByTestId('settings-version').getAttribute('data-version')).resolves.toBe(String(loaded.version));

    // Another admin (the API key) renames the company while Sam's page still shows the version before.
    const theirs = await adminFetch('PUT', '/admin/settings', { ...loaded.value, companyName: 'Skyway Holidays' });
    expect(theirs.status).toBe(200);
    const persona = 'Warm, brief and exact; never guesses.';
    await page.getByLabel('Persona').fill(persona);
    await page.getByTestId('settings-save').click();
    const error = page.getByTestId('settings-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe(`Not saved: version ${loaded.version + 1}, saved meanwhile by the admin API key, is shown now. Your edits are still here: check them and save again.`);
    // Their change is shown (Sam had not touched the name); his persona is still his.
    await expect(page.getByTestId('settings-version').getAttribute('data-version')).resolves.toBe(String(loaded.version + 1));
    await expect(page.getByLabel('Company name').inputValue()).resolves.toBe('Skyway Holidays');
    await expect(page.getByLabel('Persona').inputValue()).resolves.toBe(persona);
    expect(((await adminFetch('GET', '/admin/settings')).body.value as { persona: string }).persona).not.toBe(persona);
    await screenshot(page, 'admin-conflict', 'assistant-settings');

    // Saved again, now on their version: both changes stand.
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-notice').waitFor();
    const now = (await adminFetch('GET', '/admin/settings')).body as { version: number; updatedBy: string; value: Record<string, unknown> };
    expect(now).toMatchObject({ version: loaded.version + 2, updatedBy: `agent:${samId}`, value: { ...loaded.value, companyName: 'Skyway Holidays', persona } });
    expect(sam.pageErrors).toEqual([`HTTP 409 PUT ${server.url}/admin/settings`]);
  });
});
