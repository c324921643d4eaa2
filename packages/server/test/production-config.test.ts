import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOSE_SERVICE_RESTART } from '../src/ws/chat-socket.js';
import { ChatTestClient } from './chat-client.js';
import { logLine, START_TIMEOUT_MS, startService, stopService } from './support/service-process.js';

/**
 * `npm start` (node --import tsx packages/server/src/main.ts) as a deploy runs
 * it: production refuses the demo before it opens a database, and the demo
 * listens on loopback unless HOST says otherwise.
 */
const SECRET = 'production-test-host-secret-0123456789';

let workDir: string;
beforeAll(() => {
  // The working directory too: main.ts reads a .env from it, and a developer's must not leak in.
  workDir = mkdtempSync(join(tmpdir(), 'support-start-'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

const startMain = (env: Record<string, string>) => startService(env, workDir);
const stop = stopService;

describe('start-up with NODE_ENV=production', () => {
  it('refuses demo mode when DEMO_ENABLED is only defaulted, with one clear line and no stack trace, before touching DATA_DIR', async () => {
    const dataDir = join(workDir, 'data-defaulted');
    const started = startMain({ NODE_ENV: 'production', HOST_JWT_SECRET: SECRET, DATA_DIR: dataDir });
    expect(await started.exited).toBe(1);
    const stderr = started.stderr();
    expect(stderr).toContain(
      '  DEMO_ENABLED: must be false when NODE_ENV=production (it defaults to true) (demo mode seeds a fictional company and signs demo tokens); set DEMO_ENABLED=false\n',
    );
    expect(stderr).toMatch(/^invalid configuration:\n/);
    expect(stderr).toContain('See .env.example for every setting.');
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain('fatal:');
    expect(stderr).not.toContain(SECRET);
    expect(started.stdout()).toBe('');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses DEMO_ENABLED=true, TRUST_PROXY=true, and ALLOWED_ORIGINS unset or *, naming what to set', async () => {
    const otherwiseFine = {
      NODE_ENV: 'production',
      HOST_JWT_SECRET: SECRET,
      DATA_DIR: join(workDir, 'data-explicit'),
      HOST_ADAPTER: 'http',
      HOST_API_BASE_URL: 'http://127.0.0.1:9/adapter',
      HOST_API_HMAC_SECRET: 'h'.repeat(32),
      ALLOWED_ORIGINS: 'https://www.skyway.example',
    };
    const problemLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('  '));

    const demo = startMain({ ...otherwiseFine, DEMO_ENABLED: 'true' });
    expect(await demo.exited).toBe(1);
    expect(problemLines(demo.stderr())).toEqual([
      '  DEMO_ENABLED: must be false when NODE_ENV=production (demo mode seeds a fictional company and signs demo tokens); set DEMO_ENABLED=false',
    ]);
    expect(demo.stderr()).not.toMatch(/^\s+at /m);

    const proxy = startMain({ ...otherwiseFine, DEMO_ENABLED: 'false', TRUST_PROXY: 'true' });
    expect(await proxy.exited).toBe(1);
    expect(problemLines(proxy.stderr())).toEqual([
      expect.stringMatching(/^ {2}TRUST_PROXY: true is refused: .*give the number of proxies in front of the service \(e\.g\. 1\) or their addresses/),
    ]);
    expect(proxy.stderr()).not.toMatch(/^\s+at /m);

    // Which pages may embed the chat must be spelled out: neither left unset nor "*".
    const { ALLOWED_ORIGINS: _listed, ...unlisted } = otherwiseFine;
    const missing = startMain({ ...unlisted, DEMO_ENABLED: 'false' });
    expect(await missing.exited).toBe(1);
    expect(problemLines(missing.stderr())).toEqual([
      '  ALLOWED_ORIGINS: required when NODE_ENV=production: the origins of the pages that embed the chat, comma-separated (e.g. ALLOWED_ORIGINS=https://www.skyway.example,https://m.skyway.example)',
    ]);
    const any = startMain({ ...otherwiseFine, DEMO_ENABLED: 'false', ALLOWED_ORIGINS: '*' });
    expect(await any.exited).toBe(1);
    expect(problemLines(any.stderr())).toEqual([expect.stringMatching(/^ {2}ALLOWED_ORIGINS: must not be \* when NODE_ENV=production .*e\.g\. ALLOWED_ORIGINS=https:\/\/www\.skyway\.example$/)]);
    expect(any.stderr()).not.toMatch(/^\s+at /m);
  });

  it('starts with the demo off: no demo site, no demo token endpoint, on every interface by default', async () => {
    const started = startMain({
      NODE_ENV: 'production',
      HOST_JWT_SECRET: SECRET,
      DATA_DIR: join(workDir, 'data-production'),
      DEMO_ENABLED: 'false',
      HOST_ADAPTER: 'http',
      HOST_API_BASE_URL: 'http://127.0.0.1:9/adapter',
      HOST_API_HMAC_SECRET: 'h'.repeat(32),
      ALLOWED_ORIGINS: 'https://www.skyway.example',
      PORT: '0',
    });
    try {
      const ready = await logLine(started, /^support chat listening on /);
      expect(ready).toMatchObject({ host: '0.0.0.0', demo: false, msg: expect.stringContaining('all interfaces') });
      const base = `http://127.0.0.1:${String(ready.port)}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/`)).status).toBe(404);
      const token = await fetch(`${base}/demo/customer-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"customerId":"cus_alice"}' });
      expect(token.status).toBe(404);
      expect(started.stdout()).not.toContain('demo data seeded');
    } finally {
      expect(await stop(started)).toBe(0);
    }
  }, START_TIMEOUT_MS);
});

describe('start-up in demo mode', () => {
  it('listens on 127.0.0.1 unless HOST is set, says so, its demo tokens open sessions, and SIGTERM closes sockets with 1012', async () => {
    const started = startMain({ DATA_DIR: join(workDir, 'data-demo'), PORT: '0' });
    try {
      const ready = await logLine(started, /^support chat listening on /);
      expect(ready).toMatchObject({ host: '127.0.0.1', demo: true, listening: `http://127.0.0.1:${String(ready.port)}` });
      expect(ready.msg).toMatch(/^support chat listening on http:\/\/127\.0\.0\.1:\d+: loopback only \(set HOST=0\.0\.0\.0 to accept other machines\)/);
      const base = `http://127.0.0.1:${String(ready.port)}`;
      const issued = await fetch(`${base}/demo/customer-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"customerId":"cus_alice"}' });
      const { customerToken } = (await issued.json()) as { customerToken: string };
      const session = await fetch(`${base}/support/chat/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerToken }) });
      expect(session.status).toBe(201);
      const created = (await session.json()) as { customer: { id: string }; token: string };
      expect(created).toMatchObject({ customer: { id: 'cus_alice' } });

      // A graceful stop tells the open socket to reconnect elsewhere, and exits cleanly.
      const client = await ChatTestClient.connect(base, created.token);
      await client.waitFor('session_state');
      const closed = client.waitForClose(60_000);
      expect(await stop(started)).toBe(0);
      expect(await closed).toBe(CLOSE_SERVICE_RESTART);
    } finally {
      expect(await stop(started)).toBe(0);
    }
  }, START_TIMEOUT_MS);
});
