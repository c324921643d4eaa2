/**
 * The dashboard's controls in server mode: two service nodes on one
 * PostgreSQL and one Redis, as behind a load balancer. Sam (admin) works in
 * the console served by node A; the customers chat with node B, which had
 * read (and cached) the settings before. His new instructions reach the
 * system prompt of node B's next reply, and his kill switch hands node B's
 * next conversation to a person, without a restart; switched back on, node
 * B's model answers again.
 *
 * Needs /usr/bin/chromium and TEST_DATABASE_URL + TEST_REDIS_URL; without
 * them the suite is skipped, not failed.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AGENT_PASSWORD } from '../src/agents/demo-agents.js';
import { SAM } from '../test/agent-client.js';
import type { FakeOpenAIServer } from '../test/fake-openai-server.js';
import { handedOverAsAiDisabled, hostedModelEnv, replyPromptHas, startAnsweringFake } from '../test/support/hosted-model.js';
import { startRedisNodes } from '../test/support/redis-nodes.js';
import type { RunningTestServer } from '../test/test-server.js';
import { buildFrontEnd, CHROMIUM_PATH, hasChromium, launchChromium, newPage, SCREENSHOT_DIR, type TestPage, warnIfNoChromium } from './browser.js';

const STEP_TIMEOUT_MS = 30_000;
const API_KEY = 'sk-test-admin-two-nodes-0123456789';
const ADMIN_KEY = 'admin-key-for-the-two-node-test-0123456789';
const INSTRUCTION = 'Mention the Nimbus lounge at gate B12.';
const serverMode = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

warnIfNoChromium('admin-two-nodes');

describe.runIf(hasChromium && serverMode)(
  hasChromium && serverMode
    ? 'the dashboard’s controls on two nodes (PostgreSQL and Redis)'
    : `admin controls on two nodes (skipped: ${hasChromium ? 'TEST_DATABASE_URL and TEST_REDIS_URL not set' : `${CHROMIUM_PATH} not installed`})`,
  { timeout: 120_000 },
  () => {
    let fake: FakeOpenAIServer;
    let cluster: Awaited<ReturnType<typeof startRedisNodes>>;
    let browser: Browser;
    let sam: TestPage;

    beforeAll(async () => {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      fake = await startAnsweringFake(API_KEY);
      const [started, launched] = await Promise.all([
        startRedisNodes(2, { modelFromConfig: true, env: { ...hostedModelEnv(fake, API_KEY, ADMIN_KEY), AGENT_AUTO_ASSIGN: 'false' } }),
        launchChromium(),
        buildFrontEnd('console'),
      ]);
      cluster = started;
      browser = launched;
      sam = await newPage(browser, { width: 1366, height: 900 }, { stepTimeoutMs: STEP_TIMEOUT_MS, failedRequests: true });
    }, 240_000);

    afterAll(async () => {
      await sam?.context.close();
      await browser?.close();
      await cluster?.close();
      await fake?.close();
    }, 60_000);

    it('instructions and the kill switch saved in node A’s console change node B’s next reply', async () => {
      const [nodeA, nodeB] = cluster.nodes as [RunningTestServer, RunningTestServer];
      // Node B answers (and so has read the settings) before anything changes.
      expect(await replyPromptHas(nodeB, fake, INSTRUCTION)).toBe(false);

      const { page } = sam;
      await page.goto(`${nodeA.url}/console/admin/controls`);
      await page.getByLabel('Work e-mail').fill(SAM.email);
      await page.getByLabel('Password').fill(DEMO_AGENT_PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('settings-form').waitFor();

      await page.getByLabel('Instructions').fill(INSTRUCTION);
      await page.getByTestId('settings-save').click();
      await page.getByTestId('settings-notice').waitFor();
      // Node B's cache of the settings is refreshed through Redis: within seconds, no restart.
      await expect.poll(() => replyPromptHas(nodeB, fake, INSTRUCTION), { timeout: 15_000, interval: 500 }).toBe(true);

      const killSwitch = page.getByRole('switch', { name: 'AI answers customers' });
      await killSwitch.click();
      await page.getByRole('dialog', { name: 'Switch off AI answers?' }).getByRole('button', { name: 'Switch off AI answers' }).click();
      await page.locator('[data-testid="kill-switch"][aria-checked="false"]').waitFor();
      await expect.poll(() => handedOverAsAiDisabled(nodeB), { timeout: 15_000, interval: 500 }).toBe(true);

      // Back on: node B's model answers again, with the instructions still in force.
      await killSwitch.click();
      await page.locator('[data-testid="kill-switch"][aria-checked="true"]').waitFor();
      await expect.poll(() => replyPromptHas(nodeB, fake, INSTRUCTION), { timeout: 15_000, interval: 500 }).toBe(true);
      expect(sam.pageErrors).toEqual([]);
    });
  },
);
