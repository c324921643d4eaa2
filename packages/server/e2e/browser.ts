/**
 * What the browser suites share: Debian's Chromium (skipped, not failed, where
 * it is not installed), a page that collects its own errors, the chat widget
 * on the demo site as a customer uses it, and where screenshots go.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
export const SCREENSHOT_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));

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

// The widget renders in shadow roots; Playwright's CSS locators pierce them.

/** The chat panel (the launcher's, or the one embedded on Support). */
export const widgetPanel = (page: Page): Locator => page.locator('.sc-panel');
/** Final assistant replies (a streaming one carries data-streaming). */
export const assistantReplies = (page: Page): Locator => page.locator('.sc-msg[data-role="assistant"]:not([data-streaming])');

/** Waits until the widget is live: history loaded, socket open. */
export async function widgetOnline(page: Page): Promise<void> {
  await page.locator('.sc-dot[data-state="online"]').first().waitFor();
}

/** Opens the floating launcher's panel and waits until it is live; returns the composer. */
export async function openLauncher(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Chat with support' }).click();
  const composer = page.getByLabel('Your message');
  await composer.waitFor();
  await widgetOnline(page);
  return composer;
}

/** Sends a question through the composer and returns the final reply to it (the next assistant reply). */
export async function ask(page: Page, text: string): Promise<Locator> {
  const before = await assistantReplies(page).count();
  const composer = page.getByLabel('Your message');
  await composer.fill(text);
  await composer.press('Enter');
  const reply = assistantReplies(page).nth(before);
  await reply.waitFor();
  return reply;
}

/** The demo site's pretend login (its cookie), as its header's "Signed in as" sets it; null signs out. */
export async function signIn(page: Page, baseUrl: string, customerId: string | null): Promise<void> {
  const response = await page.request.post(`${baseUrl}/demo/login`, { data: { customerId } });
  expect(response.status()).toBe(200);
}

/** The server ids of the messages the widget shows, in order (a customer message waiting for its ack has none). */
export function messageIdsOnPage(page: Page): Promise<string[]> {
  return page.locator('.sc-msg[data-message-id]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-message-id') ?? ''));
}

const VITE_BIN = fileURLToPath(new URL('../../../node_modules/vite/bin/vite.js', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const builds = new Map<string, Promise<unknown>>();
/** Each package's `npm run build`, step by step (the widget's ends with its size report, dist/size.json). */
const BUILD_STEPS: Record<'console' | 'widget', string[][]> = {
  console: [[VITE_BIN, 'build', '--logLevel', 'warn']],
  widget: [[VITE_BIN, 'build', '--logLevel', 'warn'], ['scripts/report-size.mjs']],
};
/** What a front-end build is made from: its package (less dist and node_modules) and the shared protocol. */
const BUILD_INPUTS: Record<'console' | 'widget', string[]> = { console: ['console', 'protocol/src'], widget: ['widget', 'protocol/src'] };
/** Where the lock and the record of the last build live: outside dist/, which the service serves. */
const STATE_PREFIX = join(tmpdir(), `support-e2e-build-${createHash('sha256').update(PACKAGES).digest('hex').slice(0, 12)}`);

/** A fingerprint of every input file's path, size and modification time (and of what dist/ holds now). */
function fingerprint(name: 'console' | 'widget'): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) {
        const stat = statSync(child);
        hash.update(`${child}\0${stat.size}\0${stat.mtimeMs}\n`);
      }
    }
  };
  for (const input of BUILD_INPUTS[name]) walk(join(PACKAGES, input));
  return hash.digest('hex');
}

/**
 * One build at a time across processes: vitest runs test files in parallel workers, and vite refuses a
 * second build of a package while one runs (nor should a build rewrite files that another file's tests
 * are serving). The lock is a directory (mkdir is atomic) naming its owner; a dead owner's is taken over.
 */
async function withBuildLock<T>(name: string, run: () => Promise<T>): Promise<T> {
  const lock = `${STATE_PREFIX}-${name}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // just created, pid not written yet: the owner is alive
      }
      if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) rmSync(lock, { recursive: true, force: true });
      else await sleep(200); // waiting for the other process's build to finish
    }
  }
  try {
    return await run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Builds a front-end package as its `npm run build` does, in its own process (a production build, whatever
 * NODE_ENV vitest set): once per process, and not at all when another test process has just built it from
 * the same sources (its record of the build says so).
 */
export function buildFrontEnd(name: 'console' | 'widget'): Promise<unknown> {
  const dir = fileURLToPath(new URL(`../../${name}/`, import.meta.url));
  let build = builds.get(name);
  if (!build) {
    build = withBuildLock(name, async () => {
      const marker = `${STATE_PREFIX}-${name}.built`;
      const sources = fingerprint(name);
      const built = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
      // The record also holds dist's own state, so a build by hand in between is not mistaken for ours.
      if (built !== '' && built === `${sources} ${distState(dir)}`) return;
      for (const args of BUILD_STEPS[name]) {
        await promisify(execFile)(process.execPath, args, { cwd: dir, env: { ...process.env, NODE_ENV: 'production' }, timeout: 180_000 });
      }
      writeFileSync(marker, `${sources} ${distState(dir)}`);
    });
    builds.set(name, build);
  }
  return build;
}

/** Size and modification time of every file in dist/. */
function distState(dir: string): string {
  const dist = join(dir, 'dist');
  const hash = createHash('sha256');
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) {
        const stat = statSync(child);
        hash.update(`${child}\0${stat.size}\0${stat.mtimeMs}\n`);
      }
    }
  };
  if (existsSync(dist)) walk(dist);
  return hash.digest('hex');
}

/**
 * The text frames a page's websocket to `path` receives (or, with direction 'sent', sends), to tell a live
 * update from a reload or a poll, or to see what a client asked for.
 */
export function recordSocketFrames(page: Page, path: '/support/agent/ws' | '/support/chat/ws', direction: 'received' | 'sent' = 'received'): string[] {
  const frames: string[] = [];
  page.on('websocket', (socket) => {
    if (!socket.url().includes(path)) return;
    const keep = (frame: { payload: string | Buffer }) => {
      if (typeof frame.payload === 'string') frames.push(frame.payload);
    };
    if (direction === 'sent') socket.on('framesent', keep);
    else socket.on('framereceived', keep);
  });
  return frames;
}
