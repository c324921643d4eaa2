/**
 * What the browser suites share: Debian's Chromium (skipped, not failed, where
 * it is not installed), a page that collects its own errors, the demo page's
 * identity picker, and where screenshots go.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
export const SCREENSHOT_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));
/** Final assistant replies on the demo page (a streaming one carries data-pending). */
export const ASSISTANT_REPLIES = '[data-testid="message"][data-role="assistant"]:not([data-pending])';

export function warnIfNoChromium(suite: string): void {
  if (!hasChromium) console.warn(`[${suite} e2e] skipped: ${CHROMIUM_PATH} not found (install it with: apt-get install -y chromium)`);
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and console errors of the page (and, with failedRequests, its failed requests). */
  pageErrors: string[];
}

export async function newPage(
  browser: Browser,
  viewport: { width: number; height: number },
  options: { stepTimeoutMs: number; failedRequests?: boolean },
): Promise<TestPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(options.stepTimeoutMs);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // Failed requests are judged by URL (below), not by their console line.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${message.text()}`);
  });
  if (options.failedRequests) {
    page.on('response', (response) => {
      // The server has no favicon; every other request of the page should succeed.
      if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico') {
        pageErrors.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
      }
    });
  }
  return { context, page, pageErrors };
}

/** Debian's Chromium, headless; without the background-networking flags it keeps dialling out of this closed network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** On the demo page: picks an identity and waits until the chat is live (history loaded, socket open). */
export async function chooseIdentity(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).click();
  // (On a narrow screen the list folds away once an identity is chosen, hence "attached".)
  await page.locator(`[data-testid="${testId}"][aria-pressed="true"]`).waitFor({ state: 'attached' });
  await page.locator('[data-testid="connection-status"][data-state="online"]').waitFor();
  await page.locator('[data-testid="message-input"]:not([disabled])').waitFor();
}

const VITE_BIN = fileURLToPath(new URL('../../../node_modules/vite/bin/vite.js', import.meta.url));
const builds = new Map<string, Promise<unknown>>();
/** Each package's `npm run build`, step by step (the widget's ends with its size report, dist/size.json). */
const BUILD_STEPS: Record<'console' | 'widget', string[][]> = {
  console: [[VITE_BIN, 'build', '--logLevel', 'warn']],
  widget: [[VITE_BIN, 'build', '--logLevel', 'warn'], ['scripts/report-size.mjs']],
};
/**
 * Builds a front-end package once per run, as its `npm run build` does, in its own process (a production
 * build, whatever NODE_ENV vitest set).
 */
export function buildFrontEnd(name: 'console' | 'widget'): Promise<unknown> {
  const dir = fileURLToPath(new URL(`../../${name}/`, import.meta.url));
  let build = builds.get(name);
  if (!build) {
    build = BUILD_STEPS[name].reduce<Promise<unknown>>(
      (previous, args) =>
        previous.then(() => promisify(execFile)(process.execPath, args, { cwd: dir, env: { ...process.env, NODE_ENV: 'production' }, timeout: 180_000 })),
      Promise.resolve(),
    );
    builds.set(name, build);
  }
  return build;
}

/** The text frames a page's websocket to `path` receives, to tell a live update from a reload or a poll. */
export function recordSocketFrames(page: Page, path: '/support/agent/ws' | '/support/chat/ws'): string[] {
  const frames: string[] = [];
  page.on('websocket', (socket) => {
    if (!socket.url().includes(path)) return;
    socket.on('framereceived', (frame) => {
      if (typeof frame.payload === 'string') frames.push(frame.payload);
    });
  });
  return frames;
}
