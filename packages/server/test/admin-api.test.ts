import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentCall, agentLogin, MAYA, SAM } from './agent-client.js';
import { z } from 'zod';
import type { ChatModel } from '../src/ai/model-port.js';
import type { KbChunkIndexer } from '../src/kb/kb-chunk-indexer.js';
import { ChatTestClient } from './chat-client.js';
import { openSession, signCustomerToken, startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const ADMIN_API_KEY = 'test-admin-key-0123456789abcdef';

/** Says whether the prompt it got carried the marker article, so a test can see what retrieval served. */
const promptEcho: ChatModel = {
  provider: 'test',
  model: 'prompt-echo',
  async *stream(request) {
    const system = request.messages.find((message) => message.role === 'system')?.content ?? '';
    yield { type: 'text_delta', delta: system.includes('Zorblax') ? 'passage seen' : 'no passage' };
    yield { type: 'finish', reason: 'stop', usage: { promptTokens: 1, completionTokens: 1 } };
  },
};

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const chunkSchema = z.object({ id: z.string(), position: z.number(), heading: z.string().nullable(), body: z.string() });
const articleSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  category: z.string().nullable(),
  url: z.string(),
  locale: z.string(),
  entity: z.string().nullable(),
  source: z.string(),
  sourcePath: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  updatedAt: z.string(),
  chunks: z.array(chunkSchema),
});
const articleBody = z.object({ article: articleSchema });
const listBody = z.object({
  articles: z.array(articleSchema.omit({ body: true, metadata: true, chunks: true })),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
});

async function call(server: RunningTestServer, method: string, path: string, body?: unknown, options: { auth?: string | null } = {}) {
  const headers: Record<string, string> = {};
  const auth = options.auth === undefined ? ADMIN_API_KEY : options.auth;
  if (auth !== null) headers.authorization = `Bearer ${auth}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

const errorCode = (body: unknown) => errorBody.parse(body).error.code;

describe.each(testDrivers)('admin knowledge-base API on %s', (driver) => {
  let server: RunningTestServer;
  const indexed: Array<{ id: string; text: string }> = [];
  const indexer: KbChunkIndexer = {
    async index(_tx, chunks) {
      indexed.push(...chunks);
    },
  };

  beforeAll(async () => {
    server = await startTestServer({ driver, model: promptEcho, kbIndexer: indexer, env: { ADMIN_API_KEY } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses every endpoint without the admin key, whatever other token is shown', async () => {
    const guest = await openSession(server.url);
    const customer = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_alice') });
    const credentials = [null, 'wrong-key-wrong-key-wrong-key', guest.token, customer.token, await signCustomerToken(server, 'cus_alice'), `${ADMIN_API_KEY}x`];
    const endpoints: Array<[string, string, unknown?]> = [
      ['GET', '/admin/kb/articles'],
      ['GET', '/admin/kb/articles/reset-password'],
      ['POST', '/admin/kb/articles', { title: 'Hijack', body: 'x' }],
      ['PUT', '/admin/kb/articles/reset-password', { title: 'Hijack', body: 'x' }],
      ['DELETE', '/admin/kb/articles/reset-password'],
    ];
    for (const [method, path, body] of endpoints) {
      for (const auth of credentials) {
        const response = await call(server, method, path, body, { auth });
        expect(response.status, `${method} ${path} with ${String(auth)}`).toBe(401);
        expect(errorCode(response.body)).toBe('unauthorized');
      }
    }
    expect((await call(server, 'GET', '/admin/kb/articles/reset-password')).status).toBe(200);
    expect(indexed).toEqual([]);
  });

  it('takes an admin agent’s token as an admin credential, and refuses a plain agent’s', async () => {
    const sam = await agentLogin(server.url, SAM.email);
    const maya = await agentLogin(server.url, MAYA.email);
    const asSam = await call(server, 'GET', '/admin/kb/articles/reset-password', undefined, { auth: sam.token });
    expect(asSam.status).toBe(200);
    const asMaya = await call(server, 'DELETE', '/admin/kb/articles/reset-password', undefined, { auth: maya.token });
    expect({ status: asMaya.status, code: errorCode(asMaya.body) }).toEqual({ status: 403, code: 'forbidden' });
    const signedOut = await agentCall(server.url, sam.token, 'POST', '/support/agent/logout');
    expect(signedOut.status).toBe(204);
    const afterLogout = await call(server, 'GET', '/admin/kb/articles', undefined, { auth: sam.token });
    expect(afterLogout.status).toBe(401);
    expect((await call(server, 'GET', '/admin/kb/articles/reset-password')).status).toBe(200);
  });

  it('creates, reads, lists, replaces and deletes an article', async () => {
    const created = await call(server, 'POST', '/admin/kb/articles', {
      title: 'Lounge access for Gold members',
      body: 'Gold members may use partner lounges.\n\n## Guests\nOne guest is free.',
      category: 'loyalty',
      url: 'https://help.example.com/lounges',
    });
    expect(created.status).toBe(201);
    const { article } = articleBody.parse(created.body);
    expect(article).toMatchObject({ id: 'lounge-access-for-gold-members', source: 'admin', locale: 'en', entity: null, sourcePath: null });
    expect(article.chunks.map((chunk) => chunk.heading)).toEqual(['Lounge access for Gold members', 'Guests']);
    expect(indexed.map((chunk) => chunk.id)).toEqual(['lounge-access-for-gold-members#0', 'lounge-access-for-gold-members#1']);

    const again = await call(server, 'POST', '/admin/kb/articles', { id: article.id, title: 'Other', body: 'Other.' });
    expect(again.status).toBe(409);
    expect(errorCode(again.body)).toBe('article_exists');

    const fetched = articleBody.parse((await call(server, 'GET', `/admin/kb/articles/${article.id}`)).body);
    expect(fetched.article).toEqual(article);

    const listed = listBody.parse((await call(server, 'GET', '/admin/kb/articles?q=LOUNGE%20access&source=admin')).body);
    expect(listed).toMatchObject({ total: 1, limit: 20, offset: 0 });
    expect(listed.articles.map((entry) => entry.id)).toEqual([article.id]);

    // Replacing re-indexes only the section that changed.
    indexed.length = 0;
    const replaced = await call(server, 'PUT', `/admin/kb/articles/${article.id}`, {
      title: 'Lounge access for Gold members',
      body: 'Gold members may use partner lounges.\n\n## Guests\nTwo guests are free.',
      category: 'loyalty',
      url: 'https://help.example.com/lounges',
    });
    expect(replaced.status).toBe(200);
    expect(articleBody.parse(replaced.body).article.chunks[1]?.body).toBe('Two guests are free.');
    expect(indexed.map((chunk) => chunk.id)).toEqual(['lounge-access-for-gold-members#1']);

    const upserted = await call(server, 'PUT', '/admin/kb/articles/new-by-put', { title: 'New by PUT', body: 'Created.' });
    expect(upserted.status).toBe(201);

    expect((await call(server, 'DELETE', `/admin/kb/articles/${article.id}`)).status).toBe(204);
    const gone = await call(server, 'GET', `/admin/kb/articles/${article.id}`);
    expect(gone.status).toBe(404);
    expect(errorCode(gone.body)).toBe('not_found');
    expect((await call(server, 'DELETE', `/admin/kb/articles/${article.id}`)).status).toBe(404);
  });

  it('pages the list and matches the title filter literally', async () => {
    const all = listBody.parse((await call(server, 'GET', '/admin/kb/articles?source=demo&limit=100')).body);
    expect(all.total).toBeGreaterThanOrEqual(30);
    const page = listBody.parse((await call(server, 'GET', '/admin/kb/articles?source=demo&limit=5&offset=5')).body);
    expect(page.articles.map((entry) => entry.id)).toEqual(all.articles.slice(5, 10).map((entry) => entry.id));
    expect(page.total).toBe(all.total);
    expect(listBody.parse((await call(server, 'GET', '/admin/kb/articles?q=%25')).body).total).toBe(0);
  });

  it('takes over a demo article on PUT, so the demo seed no longer owns it', async () => {
    const current = articleBody.parse((await call(server, 'GET', '/admin/kb/articles/reset-password')).body).article;
    expect(current.source).toBe('demo');
    const response = await call(server, 'PUT', '/admin/kb/articles/reset-password', { title: current.title, body: `${current.body}\n\nEdited by support.`, category: current.category, url: current.url });
    expect(response.status).toBe(200);
    expect(articleBody.parse(response.body).article.source).toBe('admin');
  });

  it('answers invalid requests with invalid_request and the field at fault', async () => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', '/admin/kb/articles', { body: 'No title.' }, /title/],
      ['POST', '/admin/kb/articles', { title: 'T', body: '   ' }, /body/],
      ['POST', '/admin/kb/articles', { title: 'T', body: 'B', catgory: 'typo' }, /catgory/],
      ['POST', '/admin/kb/articles', { title: 'T', body: 'B', url: 'javascript:alert(1)' }, /url/],
      ['POST', '/admin/kb/articles', { id: 'Not An Id', title: 'T', body: 'B' }, /id/],
      ['PUT', '/admin/kb/articles/Bad%23Id', { title: 'T', body: 'B' }, /id/],
      ['POST', '/admin/kb/articles', '{not json', /JSON/],
      ['GET', '/admin/kb/articles?limit=1000', undefined, /limit/],
    ];
    for (const [method, path, body, message] of cases) {
      const response = await call(server, method, path, body);
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(errorBody.parse(response.body).error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(message) });
    }
  });

  it('never answers from a cached search after an article is deleted', async () => {
    const created = await call(server, 'POST', '/admin/kb/articles', { title: 'Zorblax lounge opening hours', body: 'The Zorblax lounge opens at 6am every day.' });
    expect(created.status).toBe(201);
    const client = await ChatTestClient.connect(server.url, (await openSession(server.url)).token);
    const question = 'When does the Zorblax lounge open?';
    expect((await client.ask(question)).reply.text).toBe('passage seen');
    expect((await call(server, 'DELETE', '/admin/kb/articles/zorblax-lounge-opening-hours')).status).toBe(204);
    // The same question within the cache's lifetime: only clearing the cache on writes makes this pass.
    expect((await client.ask(question)).reply.text).toBe('no passage');
    client.close();
  });
});

describe('admin API without ADMIN_API_KEY', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('is turned off for everyone', async () => {
    for (const auth of [null, ADMIN_API_KEY]) {
      const response = await call(server, 'GET', '/admin/kb/articles', undefined, { auth });
      expect(response.status).toBe(403);
      expect(errorCode(response.body)).toBe('admin_disabled');
    }
  });
});
