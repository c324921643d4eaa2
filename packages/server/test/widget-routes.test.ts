/**
 * The widget's static routes (src/http/widget-routes.ts) against a temporary
 * dist folder: /widget/v1/widget.js and the rest of the build, loadable from
 * any page, revalidated by ETag (the v1 path is mutable, so never cached for
 * good), nothing outside the folder, and a 503 that says how to build it.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { appWithRoutes, expectTraversalRefused } from './support/static-routes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWidgetRoutes, WIDGET_CACHE_CONTROL } from '../src/http/widget-routes.js';
import { startTestServer } from './test-server.js';

const WIDGET_JS = '(function(){console.log("skyway widget v1")})();\n//# sourceMappingURL=widget.js.map\n';
const WIDGET_MAP = '{"version":3,"sources":["widget.ts"],"mappings":""}';
const WIDGET_CSS = '.skyway-chat{position:fixed}';


const buildApp = (distDir: string) => appWithRoutes((app) => registerWidgetRoutes(app, { distDir }));

describe('widget routes', () => {
  let root: string;
  let dist: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'widget-routes-'));
    dist = join(root, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'widget.js'), WIDGET_JS);
    await writeFile(join(dist, 'widget.js.map'), WIDGET_MAP);
    await writeFile(join(dist, 'assets', 'widget.css'), WIDGET_CSS);
    await writeFile(join(root, 'secret.txt'), 'top secret');
    await symlink(join(root, 'secret.txt'), join(dist, 'linked-secret.txt'));
    app = await buildApp(dist);
  });

  afterAll(async () => {
    await app?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves widget.js to any page: JavaScript, nosniff, revalidated after 5 minutes, with a content ETag', async () => {
    const response = await app.inject({ method: 'GET', url: '/widget/v1/widget.js', headers: { origin: 'https://www.skyway.example' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=86400');
    expect(WIDGET_CACHE_CONTROL).not.toContain('immutable');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
    expect(response.body).toBe(WIDGET_JS);
  });

  it('answers 304 to a matching If-None-Match (plain, weak or in a list), 200 to another', async () => {
    const first = await app.inject({ method: 'GET', url: '/widget/v1/widget.js' });
    const etag = String(first.headers.etag);
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await app.inject({ method: 'GET', url: '/widget/v1/widget.js', headers: { 'if-none-match': ifNoneMatch } });
      expect(response.statusCode, ifNoneMatch).toBe(304);
      expect(response.body, ifNoneMatch).toBe('');
      expect(response.headers.etag, ifNoneMatch).toBe(etag);
      expect(response.headers['cache-control'], ifNoneMatch).toBe(WIDGET_CACHE_CONTROL);
    }
    const stale = await app.inject({ method: 'GET', url: '/widget/v1/widget.js', headers: { 'if-none-match': '"not-the-etag"' } });
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(WIDGET_JS);
  });

  it('changes the ETag when the build changes, so a revalidating cache gets the new file', async () => {
    const before = await app.inject({ method: 'GET', url: '/widget/v1/assets/widget.css' });
    await writeFile(join(dist, 'assets', 'widget.css'), `${WIDGET_CSS}.skyway-chat{z-index:9}`);
    try {
      const after = await app.inject({ method: 'GET', url: '/widget/v1/assets/widget.css', headers: { 'if-none-match': String(before.headers.etag) } });
      expect(after.statusCode).toBe(200);
      expect(after.headers.etag).not.toBe(before.headers.etag);
      expect(after.body).toContain('z-index:9');
    } finally {
      await writeFile(join(dist, 'assets', 'widget.css'), WIDGET_CSS);
    }
  });

  it('serves the rest of the build the same way, each file with its content type', async () => {
    const cases: Array<[string, string, string]> = [
      ['/widget/v1/widget.js.map', 'application/json; charset=utf-8', WIDGET_MAP],
      ['/widget/v1/assets/widget.css', 'text/css; charset=utf-8', WIDGET_CSS],
    ];
    for (const [url, type, body] of cases) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toBe(type);
      expect(response.headers['cache-control'], url).toBe(WIDGET_CACHE_CONTROL);
      expect(response.headers['access-control-allow-origin'], url).toBe('*');
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers.etag, url).toBeDefined();
      expect(response.body, url).toBe(body);
    }
    const head = await app.inject({ method: 'HEAD', url: '/widget/v1/widget.js' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['cache-control']).toBe(WIDGET_CACHE_CONTROL);
    expect(head.body).toBe('');
  });

  it('a missing file is a JSON 404; nothing answers outside /widget/v1/', async () => {
    for (const url of ['/widget/v1/nope.js', '/widget/v1/assets/', '/widget/v1/', '/widget/v1/assets']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ error: { code: 'not_found' } });
    }
    for (const url of ['/widget/v2/widget.js', '/widget/widget.js', '/widget/v1', '/widget/v1x/widget.js']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });

  it('refuses directory traversal, plain or encoded, and never reads outside dist', async () => {
    await expectTraversalRefused(app, {
      injected: ['/widget/v1/../secret.txt', '/widget/v1/%2e%2e/secret.txt', '/widget/v1/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/widget/v1/..%5csecret.txt', '/widget/v1/widget.js%00.html'],
      raw: ['/widget/v1/../secret.txt', '/widget/v1/assets/../../secret.txt', '/widget/v1/%2e%2e/secret.txt', '/widget/v1/..\\secret.txt'],
      // A link inside dist that points out of it is not followed.
      linkedOut: '/widget/v1/linked-secret.txt',
      secret: 'top secret',
    });
  });

  it('without a build, answers 503 saying how to build the widget', async () => {
    for (const distDir of [join(root, 'no-such-dist'), join(dist, 'assets')]) {
      const missing = await buildApp(distDir);
      try {
        for (const url of ['/widget/v1/widget.js', '/widget/v1/widget.js.map', '/widget/v1/']) {
          const response = await missing.inject({ method: 'GET', url });
          expect(response.statusCode, `${distDir} ${url}`).toBe(503);
          expect(response.headers['content-type'], url).toBe('text/plain; charset=utf-8');
          expect(response.headers['cache-control'], url).toBe('no-store');
          expect(response.body, url).toContain('npm run build -w @support/widget');
        }
      } finally {
        await missing.close();
      }
    }
  });
});

describe('the service serves the widget', () => {
  it('at /widget/v1/widget.js: the build when there is one, otherwise how to make it', async () => {
    const server = await startTestServer();
    try {
      const built = existsSync(fileURLToPath(new URL('../../widget/dist/widget.js', import.meta.url)));
      const response = await fetch(`${server.url}/widget/v1/widget.js`, { headers: { origin: 'https://www.skyway.example' } });
      expect(response.status).toBe(built ? 200 : 503);
      if (built) {
        expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
      } else {
        expect(await response.text()).toContain('npm run build -w @support/widget');
      }
    } finally {
      await server.close();
    }
  });
});
