import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';

/**
 * Serving a build folder (the agent console's, the widget's): the one place
 * that decides which path may be read, what content type a file gets, and
 * how a missing build is answered. Only regular files whose real path
 * (symlinks followed) is inside the folder are ever read; a path with `..`,
 * `.`, a backslash or a NUL is refused before the file system is asked.
 */

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

/** The content type a file is served with, by its extension; unknown ones are plain bytes. */
export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The segments of the path below a route's prefix (the `*` parameter), or a
 * 400 for traversal. Decoded by the router: "%2e%2e%2f" arrives here as
 * "../" and is refused like the plain form.
 */
export function safePathSegments(request: FastifyRequest): string[] {
  const relative = (request.params as { '*'?: string })['*'] ?? '';
  const segments = relative.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '..' || segment === '.' || segment.includes('\\') || segment.includes('\0'))) {
    throw new AppError('invalid_request', 'That path is not allowed.', { status: 400 });
  }
  return segments;
}

/** The file at `segments` under `root`, if it is a regular file whose real path (symlinks followed) is inside `root`. */
export async function readInside(root: string, segments: string[]): Promise<{ path: string; body: Buffer } | null> {
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

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export function readIfFile(path: string): Promise<string | null>;
export function readIfFile(path: string, encoding: null): Promise<Buffer | null>;
export async function readIfFile(path: string, encoding: 'utf8' | null = 'utf8'): Promise<string | Buffer | null> {
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

/** A build that is not there: 503, never cached, with how to make it. */
export function sendNotBuilt(reply: FastifyReply, howToBuild: string) {
  return reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(howToBuild);
}

/** A strong ETag from the file's content (changes exactly when the bytes do). */
export function contentEtag(body: Buffer | string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether the client's If-None-Match names `etag` (RFC 9110: weak
 * comparison, a list, or `*`): then it may reuse what it has (304).
 */
export function matchesIfNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return value.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
