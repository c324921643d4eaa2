import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from './chat-client.js';
import { openSession, signCustomerToken, startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

/**
 * ALLOWED_ORIGINS (src/http/origin-policy.ts): which web pages may use the
 * chat from a browser. Allowed origins get CORS headers on /support/chat/*;
 * any other Origin is refused with 403 before any work, on REST and at the
 * websocket upgrade; a request without Origin (not a browser page) is judged
 * by its token alone, as before.
 */
const ALLOWED = 'https://www.skyway.example';
const ALSO_ALLOWED = 'https://m.skyway.example';
const FOREIGN = 'https://evil.example';

type Upgrade = { opened: true; socket: WebSocket } | { opened: false; status: number; body: string };

/**
 * A websocket upgrade as a browser on `origin` makes it (or without Origin).
 * A refusal resolves once the server has also closed the connection (the
 * client never does it here): a refused upgrade must hold no socket.
 */
function upgrade(url: string, path: string, origin?: string): Promise<Upgrade> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}${path}`, origin === undefined ? {} : { origin });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ opened: true, socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      const ended = new Promise<void>((done) => response.on('end', done));
      const closed = new Promise<void>((done) => (response.socket.destroyed ? done() : response.socket.once('close', () => done())));
      void Promise.all([ended, closed]).then(() => resolve({ opened: false, status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

const varyNames = (response: Response) => (response.headers.get('vary') ?? '').split(',').map((name) => name.trim().toLowerCase());

describe.each(testDrivers)('ALLOWED_ORIGINS on %s', (driver) => {
  let server: RunningTestServer;

  beforeAll(async () => {
    server = await startTestServer({ driver, env: { ALLOWED_ORIGINS: `${ALLOWED}, ${ALSO_ALLOWED}` } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const sessionRows = async () => (await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM support_chat_sessions')).rows[0]?.n ?? -1;
  const createSession = (headers: Record<string, string> = {}, body: unknown = {}) =>
    fetch(`${server.url}/support/chat/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('answers an allowed origin with CORS headers for exactly that origin, without credentials', async () => {
    for (const origin of [ALLOWED, ALSO_ALLOWED]) {
      const response = await createSession({ origin });
      expect(response.status, origin).toBe(201);
      expect(response.headers.get('access-control-allow-origin'), origin).toBe(origin);
      expect(varyNames(response), origin).toContain('origin');
      expect(response.headers.get('access-control-allow-credentials'), origin).toBeNull();
      expect(response.headers.get('access-control-expose-headers'), origin).toBe('retry-after, date');
    }
    // Errors carry the headers too, so that the page can read what went wrong.
    const refused = await fetch(`${server.url}/support/chat/conversations`, { headers: { origin: ALLOWED } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('answers the preflight of an allowed origin: GET and POST, content-type and authorization', async () => {
    for (const [path, method, headers] of [
      ['/support/chat/session', 'POST', 'content-type'],
      ['/support/chat/conversations', 'GET', 'authorization'],
      ['/support/chat/session/ses_x/refresh', 'POST', 'authorization, content-type'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'OPTIONS',
        headers: { origin: ALLOWED, 'access-control-request-method': method, 'access-control-request-headers': headers },
      });
      expect(response.status, path).toBe(204);
      expect(response.headers.get('access-control-allow-origin'), path).toBe(ALLOWED);
      expect(response.headers.get('access-control-allow-methods'), path).toBe('GET, POST');
      expect(response.headers.get('access-control-allow-headers'), path).toBe('content-type, authorization');
      expect(response.headers.get('access-control-allow-credentials'), path).toBeNull();
      expect(varyNames(response), path).toContain('origin');
    }
  });

  it('refuses another origin with 403 origin_not_allowed before any work: no session row, no CORS headers', async () => {
    const before = await sessionRows();
    const customerToken = await signCustomerToken(server, 'cus_alice');
    for (const origin of [FOREIGN, 'null', `${ALLOWED}.evil.example`, 'http://www.skyway.example']) {
      const response = await createSession({ origin }, { customerToken });
      expect(response.status, origin).toBe(403);
      expect(await response.json(), origin).toEqual({ error: { code: 'origin_not_allowed', message: expect.stringContaining('ALLOWED_ORIGINS') } });
      expect(response.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
    // A bad body from a foreign origin is refused for its origin too: nothing was parsed.
    const garbage = await fetch(`${server.url}/support/chat/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: FOREIGN }, body: '{' });
    expect(garbage.status).toBe(403);
    expect(await sessionRows()).toBe(before);

    const preflight = await fetch(`${server.url}/support/chat/session`, { method: 'OPTIONS', headers: { origin: FOREIGN, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

    // Every customer route, the ones with a token too.
    const session = await openSession(server.url);
    for (const [method, path] of [
      ['GET', `/support/chat/session/${session.sessionId}/messages`],
      ['POST', `/support/chat/session/${session.sessionId}/refresh`],
      ['GET', '/support/chat/conversations'],
      ['GET', '/support/chat/no-such-route'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method, headers: { origin: FOREIGN, authorization: `Bearer ${method === 'GET' && path.endsWith('conversations') ? customerToken : session.token}` } });
      expect(response.status, path).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code, path).toBe('origin_not_allowed');
    }
    // The refused refresh did not rotate the token.
    const messages = await fetch(`${server.url}/support/chat/session/${session.sessionId}/messages`, { headers: { authorization: `Bearer ${session.token}` } });
    expect(messages.status).toBe(200);
  });

  it('serves requests without an Origin header (server-side integrations, curl) by their tokens, as before', async () => {
    const response = await createSession();
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const unauthenticated = await fetch(`${server.url}/support/chat/session/ses_nope/messages`);
    expect(unauthenticated.status).toBe(401);
  });

  it('lets the service\'s own pages through (same origin), e.g. a page it serves itself', async () => {
    const response = await createSession({ origin: server.url });
    expect(response.status).toBe(201);
  });

  it('refuses the websocket upgrade from another origin (HTTP 403, no socket); the same token connects without Origin or from an allowed one', async () => {
    const session = await openSession(server.url);
    const path = `/support/chat/ws?token=${encodeURIComponent(session.token)}`;
    const refused = await upgrade(server.url, path, FOREIGN);
    expect(refused).toMatchObject({ opened: false, status: 403 });
    if (!refused.opened) expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'origin_not_allowed' } });

    for (const origin of [undefined, ALLOWED]) {
      const accepted = await upgrade(server.url, path, origin);
      expect(accepted.opened, String(origin)).toBe(true);
      if (accepted.opened) accepted.socket.close();
    }
    // And it is a working chat socket.
    const client = await ChatTestClient.connect(server.url, session.token);
    expect(await client.waitFor('session_state')).toMatchObject({ sessionId: session.sessionId });
    client.close();
  });

  it('refuses a foreign origin on the agent API and socket too, and never sends CORS headers there', async () => {
    const login = (origin?: string) =>
      fetch(`${server.url}/support/agent/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password' }),
      });
    const foreign = await login(FOREIGN);
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
    // The console (same origin), an allowed origin and a client without Origin reach the login itself.
    for (const origin of [server.url, ALLOWED, undefined]) {
      const response = await login(origin);
      expect(response.status, String(origin)).toBe(401);
      expect(response.headers.get('access-control-allow-origin'), String(origin)).toBeNull();
    }
    const preflight = await fetch(`${server.url}/support/agent/queue`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(404);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

    const socket = await upgrade(server.url, '/support/agent/ws?token=at_nope', FOREIGN);
    expect(socket).toMatchObject({ opened: false, status: 403 });
  });

  it('leaves /healthz, /readyz and the other routes alone', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(`${server.url}${path}`, { headers: { origin: FOREIGN } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('access-control-allow-origin'), path).toBeNull();
      expect(response.headers.get('vary'), path).toBeNull();
    }
  });
});

describe('ALLOWED_ORIGINS unset (demo and development)', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('is permissive: any page may embed the chat, its origin echoed back', async () => {
    const response = await fetch(`${server.url}/support/chat/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: FOREIGN }, body: '{}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBe(FOREIGN);
    const session = (await response.json()) as { token: string };
    const socket = await upgrade(server.url, `/support/chat/ws?token=${encodeURIComponent(session.token)}`, FOREIGN);
    expect(socket.opened).toBe(true);
    if (socket.opened) socket.socket.close();
  });
});
