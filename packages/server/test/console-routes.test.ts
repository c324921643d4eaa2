/**
 * The agent console's static routes (src/http/console-routes.ts) against a
 * temporary dist folder: client routes get index.html, hashed assets are
 * cached for good, nothing outside the folder is served, and a missing build
 * is a 503 that says how to make one.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { appWithRoutes, expectTraversalRefused } from './support/static-routes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConsoleRoutes } from '../src/http/console-routes.js';

const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/console/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';


const buildApp = (distDir: string) => appWithRoutes((app) => registerConsoleRoutes(app, { distDir }));

describe('console routes', () => {
  let root: string;
  let dist: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'console-routes-'));
    dist = join(root, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), INDEX_HTML);
    await writeFile(join(dist, 'assets', 'index-abc123.js'), 'console.log("console");');
    await writeFile(join(dist, 'assets', 'index-def456.css'), 'body{margin:0}');
    await writeFile(join(dist, 'assets', 'logo-0a1b2c.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    // Outside dist: must never be served, neither by path nor through a link inside dist.
    await writeFile(join(root, 'secret.txt'), 'top secret');
    await symlink(join(root, 'secret.txt'), join(dist, 'assets', 'linked-secret.txt'));
    app = await buildApp(dist);
  });

  afterAll(async () => {
    await app?.close();
    await rm(root, { recursive: true, force: true });
  });

  it.each(['/console', '/console/', '/console/conversations/ses_123', '/console/login?next=%2Fconsole'])('%s is index.html, revalidated on every load', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.body).toBe(INDEX_HTML);
  });

  it('serves hashed assets with their content type, cached for a year and immutable', async () => {
    const cases: Array<[string, string, string]> = [
      ['/console/assets/index-abc123.js', 'text/javascript; charset=utf-8', 'console.log("console");'],
      ['/console/assets/index-def456.css', 'text/css; charset=utf-8', 'body{margin:0}'],
      ['/console/assets/logo-0a1b2c.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
    ];
    for (const [url, type, body] of cases) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toBe(type);
      expect(response.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.body, url).toBe(body);
    }
  });

  it('serves other files of the build (not hashed) with no-cache', async () => {
    const response = await app.inject({ method: 'GET', url: '/console/favicon.svg' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/svg+xml');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('answers HEAD like GET, without a body', async () => {
    const response = await app.inject({ method: 'HEAD', url: '/console/assets/index-abc123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toBe('');
  });

  it('a missing asset or file is a 404, never the page', async () => {
    for (const url of ['/console/assets/index-gone00.js', '/console/assets', '/console/assets/', '/console/robots.txt']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type'], url).toContain('application/json');
      expect(response.json(), url).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('refuses directory traversal, plain or encoded, and never reads outside dist', async () => {
    await expectTraversalRefused(app, {
      injected: [
      '/console/../secret.txt',
      '/console/assets/../../secret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/console/..%2fsecret.txt',
      '/console/assets/..%5c..%5csecret.txt',
      '/console/assets/index-abc123.js%00.html',
    ],
      raw: ['/console/../secret.txt', '/console/assets/../../secret.txt', '/console/%2e%2e/secret.txt', '/console/assets/..\\..\\secret.txt'],
      // A link inside dist that points out of it is not followed.
      linkedOut: '/console/assets/linked-secret.txt',
      secret: 'top secret',
    });
  });

  it('does not answer outside /console', async () => {
    for (const url of ['/consoles', '/console-x/assets/index-abc123.js', '/assets/index-abc123.js']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
    }
  });

  it('without a build, answers 503 saying how to build the console', async () => {
    const missing = await buildApp(join(root, 'no-such-dist'));
    try {
      for (const url of ['/console', '/console/', '/console/conversations/ses_1', '/console/assets/index-abc123.js']) {
        const response = await missing.inject({ method: 'GET', url });
        expect(response.statusCode, url).toBe(503);
        expect(response.headers['content-type'], url).toBe('text/plain; charset=utf-8');
        expect(response.headers['cache-control'], url).toBe('no-store');
        expect(response.body, url).toContain('npm run build -w @support/console');
      }
    } finally {
      await missing.close();
    }
  });
});
