import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { contentTypeOf, isFile, readIfFile, readInside, safePathSegments, sendNotBuilt } from './static-files.js';

/** Where `npm run build -w @support/console` writes the agent console. */
const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

const NO_CACHE = 'no-cache';
/** Vite puts a content hash in every name under assets/: a changed file gets a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The console is a same-origin client of the agent API and socket: nothing inline, nothing from elsewhere. */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT_TEXT = 'The agent console is not built yet.\nRun `npm run build -w @support/console`, then reload this page.\n';

/**
 * The agent console (packages/console, a Vite build) at /console: every
 * client route gets index.html (revalidated on each load), hashed assets are
 * cached for good. Only files inside the dist folder are ever read; a path
 * with `..`, a backslash or a NUL is refused. Without a build, 503 and how to
 * make one.
 */
export function registerConsoleRoutes(app: FastifyInstance, options: { distDir?: string } = {}) {
  const distDir = resolve(options.distDir ?? DEFAULT_DIST_DIR);

  async function sendIndex(reply: FastifyReply) {
    const html = await readIfFile(join(distDir, 'index.html'));
    if (html === null) return sendNotBuilt(reply, NOT_BUILT_TEXT);
    return reply
      .type(contentTypeOf('index.html'))
      .header('cache-control', NO_CACHE)
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(html);
  }

  app.get('/console', async (_request, reply) => sendIndex(reply));

  app.get('/console/*', async (request, reply) => {
    const segments = safePathSegments(request);
    if (segments.length === 0) return sendIndex(reply);

    const isAsset = segments[0] === 'assets';
    const file = await readInside(distDir, segments);
    if (file !== null) {
      return reply
        .type(contentTypeOf(file.path))
        .header('cache-control', isAsset ? IMMUTABLE : NO_CACHE)
        .header('x-content-type-options', 'nosniff')
        .send(file.body);
    }
    if (!(await isFile(join(distDir, 'index.html')))) return sendNotBuilt(reply, NOT_BUILT_TEXT);
    // A missing asset or file is a 404, never the page: a stale tab must not run HTML as a script.
    const last = segments.at(-1) ?? '';
    if (isAsset || last.includes('.')) throw new AppError('not_found', 'No such file in the agent console.', { status: 404 });
    return sendIndex(reply); // a client route (/console/conversations/ses_…)
  });
}
