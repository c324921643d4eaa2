import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors/app-error.js';

/** Where `npm run build -w @support/console` writes the agent console. */
const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

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
    if (html === null) return sendNotBuilt(reply);
    return reply
      .type(CONTENT_TYPES['.html'] as string)
      .header('cache-control', NO_CACHE)
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(html);
  }

  app.get('/console', async (_request, reply) => sendIndex(reply));

  app.get('/console/*', async (request, reply) => {
    const relative = (request.params as { '*'?: string })['*'] ?? '';
    const segments = relative.split('/').filter((segment) => segment !== '');
    // Decoded by the router: "%2e%2e%2f" arrives here as "../" and is refused like the plain form.
    if (segments.some((segment) => segment === '..' || segment === '.' || segment.includes('\\') || segment.includes('\0'))) {
      throw new AppError('invalid_request', 'That path is not allowed.', { status: 400 });
    }
    if (segments.length === 0) return sendIndex(reply);

    const isAsset = segments[0] === 'assets';
    const file = await readInside(distDir, segments);
    if (file !== null) {
      return reply
        .type(CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream')
        .header('cache-control', isAsset ? IMMUTABLE : NO_CACHE)
        .header('x-content-type-options', 'nosniff')
        .send(file.body);
    }
    if (!(await isFile(join(distDir, 'index.html')))) return sendNotBuilt(reply);
    // A missing asset or file is a 404, never the page: a stale tab must not run HTML as a script.
    const last = segments.at(-1) ?? '';
    if (isAsset || last.includes('.')) throw new AppError('not_found', 'No such file in the agent console.', { status: 404 });
    return sendIndex(reply); // a client route (/console/conversations/ses_…)
  });
}

function sendNotBuilt(reply: FastifyReply) {
  return reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT_TEXT);
}

/** The file at `segments` under `root`, if it is a regular file whose real path (symlinks followed) is inside `root`. */
async function readInside(root: string, segments: string[]): Promise<{ path: string; body: Buffer } | null> {
  const candidate = resolve(root, ...segments);
  if (!candidate.startsWith(root + sep)) return null;
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([realpath(candidate), realpath(root)]);
  } catch {
    return null;
  }
  if (!real.startsWith(realRoot + sep)) return null;
  const body = await readIfFile(real, null);
  return body === null ? null : { path: real, body };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function readIfFile(path: string): Promise<string | null>;
function readIfFile(path: string, encoding: null): Promise<Buffer | null>;
async function readIfFile(path: string, encoding: 'utf8' | null = 'utf8'): Promise<string | Buffer | null> {
  try {
    if (!(await stat(path)).isFile()) return null;
    return encoding === null ? await readFile(path) : await readFile(path, encoding);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
