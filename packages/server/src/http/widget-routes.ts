import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { contentEtag, contentTypeOf, isFile, matchesIfNoneMatch, readInside, safePathSegments, sendNotBuilt } from './static-files.js';

/** Where `npm run build -w @support/widget` writes the embeddable chat widget. */
const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../../widget/dist/', import.meta.url));

/**
 * The widget's major version: the path a host page embeds
 * (`<script src="https://support.example/widget/v1/widget.js">`). A build
 * that breaks what pages embedding v1 rely on gets a new major and path.
 */
export const WIDGET_MAJOR_VERSION = 1;
export const WIDGET_PATH_PREFIX = `/widget/v${WIDGET_MAJOR_VERSION}`;
const ENTRY_FILE = 'widget.js';

/**
 * The v1 path is mutable (every v1 build is served under it), so it is
 * never cached for good: five minutes fresh, then a day in which a cache may
 * serve the old copy while it revalidates (If-None-Match against the ETag,
 * 304 when the bytes are the same).
 */
export const WIDGET_CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=86400';

const NOT_BUILT_TEXT = 'The chat widget is not built yet.\nRun `npm run build -w @support/widget`, then reload this page.\n';

/**
 * The chat widget at /widget/v1/: widget.js and every other file of its
 * build (a source map, a stylesheet). Any web page may load it
 * (`access-control-allow-origin: *`: it is public code and carries no
 * secrets; what it may then do with the chat API is ALLOWED_ORIGINS'
 * business). Only files inside the dist folder are read (static-files.ts);
 * without a build, 503 and how to make one.
 */
export function registerWidgetRoutes(app: FastifyInstance, options: { distDir?: string } = {}) {
  const distDir = resolve(options.distDir ?? DEFAULT_DIST_DIR);

  app.get(`${WIDGET_PATH_PREFIX}/*`, async (request, reply: FastifyReply) => {
    const segments = safePathSegments(request);
    const file = segments.length === 0 ? null : await readInside(distDir, segments);
    if (file === null) {
      // widget.js itself, or anything while it is not built, says how to build it; another missing file is a 404.
      const isEntry = segments.length === 1 && segments[0] === ENTRY_FILE;
      if (isEntry || !(await isFile(join(distDir, ENTRY_FILE)))) return sendNotBuilt(reply, NOT_BUILT_TEXT);
      throw new AppError('not_found', 'No such file in the chat widget.', { status: 404 });
    }
    const etag = contentEtag(file.body);
    void reply
      .header('etag', etag)
      .header('cache-control', WIDGET_CACHE_CONTROL)
      .header('access-control-allow-origin', '*')
      // Loadable from any page, also one that isolates itself (COEP require-corp).
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('x-content-type-options', 'nosniff');
    if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type(contentTypeOf(file.path)).send(file.body);
  });
}
