import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PROVIDER_FAILURE_TEXT } from '../src/ai/assistant-replies.js';
import { createOpenAIChatModel } from '../src/ai/providers/openai-chat-model.js';
import { ModelProviderError } from '../src/errors/app-error.js';
import { createLogger } from '../src/logger.js';
import { askAsNewGuest } from './chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const RIGHT_KEY = 'sk-right-key-000000000000000000';
// The configured key, which the fake rejects and echoes in its 401 body as OpenAI does.
const WRONG_KEY = 'sk-live-abc123XYZ789configuredSecret';
const ADMIN_KEY = 'admin-key-for-the-log-scrubbing-test-0123';

const lineSchema = z.looseObject({ level: z.number(), msg: z.string().optional() });

const askOnce = (server: RunningTestServer, text: string) => askAsNewGuest(server.url, text);

describe.each(testDrivers)('secrets in the log on %s', (driver) => {
  let fake: FakeOpenAIServer;
  let server: RunningTestServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: RIGHT_KEY });
    const env = {
      AI_PROVIDER: 'openai',
      OPENAI_API_KEY: WRONG_KEY,
      OPENAI_BASE_URL: fake.url,
      // Start-up embedding fails with the same echoing 401, and is logged.
      EMBEDDING_PROVIDER: 'openai',
      ADMIN_API_KEY: ADMIN_KEY,
      AI_MAX_RETRIES: '0',
    };
    // The model as main.ts builds it, from the same configuration.
    server = await startTestServer({ driver, modelFromConfig: true, env, logLines });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('logs what an upstream 401 said without the key it echoed', async () => {
    const reply = await askOnce(server, 'How much does it cost to cancel a flight?');
    expect(reply.text).toBe(PROVIDER_FAILURE_TEXT);
    // The fake really echoed it: the key was on the wire.
    expect(fake.requests.some((request) => request.headers.authorization === `Bearer ${WRONG_KEY}`)).toBe(true);

    const lines = logLines.map((line) => lineSchema.parse(JSON.parse(line)));
    const modelFailure = lines.find((line) => line.msg === 'model call failed; sent the fallback reply');
    expect(modelFailure).toBeDefined();
    // The upstream's own words are still there for whoever debugs it, minus the key.
    expect(JSON.stringify(modelFailure)).toContain('Incorrect API key provided: [REDACTED]');
    expect(logLines.some((line) => line.includes('could not embed') || line.includes('embeddings failed'))).toBe(true);

    for (const line of logLines) {
      expect(line).not.toContain(WRONG_KEY);
      expect(line).not.toContain('abc123XYZ789');
    }
  });

  it('logs admin requests without a key sent in the query string', async () => {
    for (const name of ['api_key', 'key', 'token', 'apiKey']) {
      const refused = await fetch(`${server.url}/admin/kb/articles?${name}=${encodeURIComponent(ADMIN_KEY)}&limit=5`);
      expect(refused.status).toBe(401);
    }
    const allowed = await fetch(`${server.url}/admin/kb/articles?api_key=${ADMIN_KEY}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(allowed.status).toBe(200);

    const urls = logLines.map((line) => lineSchema.parse(JSON.parse(line))).flatMap((line) => {
      const req = z.object({ url: z.string() }).safeParse(line.req);
      return req.success ? [req.data.url] : [];
    });
    expect(urls).toContain('/admin/kb/articles?api_key=[REDACTED]&limit=5');
    expect(urls).toContain('/admin/kb/articles?key=[REDACTED]&limit=5');
    expect(urls).toContain('/admin/kb/articles?token=[REDACTED]&limit=5');
    for (const line of logLines) {
      expect(line).not.toContain(ADMIN_KEY);
      expect(line).not.toContain(encodeURIComponent(ADMIN_KEY));
    }
  });
});

describe('secrets the logger was not told about', () => {
  it('still scrubs a key-shaped secret an upstream echoes', async () => {
    const fake = await startFakeOpenAIServer({ apiKey: RIGHT_KEY });
    const unknownKey = 'sk-proj-notInTheConfig0123456789abcdef';
    const logLines: string[] = [];
    // The configuration knows nothing of this key: only its shape gives it away.
    const server = await startTestServer({
      model: createOpenAIChatModel({ provider: 'openai', apiKey: unknownKey, model: 'gpt-test', baseURL: fake.url, maxRetries: 0 }),
      logLines,
    });
    try {
      expect((await askOnce(server, 'hello')).text).toBe(PROVIDER_FAILURE_TEXT);
      expect(logLines.some((line) => line.includes('Incorrect API key provided: [REDACTED]'))).toBe(true);
      for (const line of logLines) expect(line).not.toContain('notInTheConfig');
    } finally {
      await server.close();
      await fake.close();
    }
  });
});

describe('createLogger', () => {
  const capture = (secrets: string[] = []) => {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(line) }, { secrets });
    return { logger, lines, parsed: () => lines.map((line) => z.record(z.string(), z.unknown()).parse(JSON.parse(line))) };
  };

  it('scrubs errors: message, stack, nested cause and the response body', () => {
    const { logger, lines, parsed } = capture(['configured-secret-0123456789']);
    const upstream = Object.assign(new Error('401 Incorrect API key provided: sk-live-abcdefghijklmnop'), {
      status: 401,
      error: { message: 'Incorrect API key provided: sk-live-abcdefghijklmnop', echoed: 'configured-secret-0123456789' },
    });
    const error = new ModelProviderError('openai', 'ai_misconfigured', 'openai answered 401', { cause: upstream, upstreamStatus: 401 });
    logger.warn({ err: error }, 'model call failed');
    logger.error(new Error('direct: Bearer abcdefghijklmnopqrstuv'));

    expect(lines.join('\n')).not.toMatch(/abcdefghijklmnop|configured-secret/);
    const [first, second] = parsed();
    expect(first).toMatchObject({
      msg: 'model call failed',
      err: {
        type: 'ModelProviderError',
        code: 'ai_misconfigured',
        message: 'openai answered 401: 401 Incorrect API key provided: [REDACTED]',
        cause: { status: 401, error: { message: 'Incorrect API key provided: [REDACTED]', echoed: '[REDACTED]' } },
      },
    });
    expect(String((first?.err as { stack?: string }).stack)).toContain('openai answered 401');
    expect(second).toMatchObject({ msg: 'direct: Bearer [REDACTED]', err: { message: 'direct: Bearer [REDACTED]' } });
  });

  it('scrubs messages (with their arguments), every other field, and errors under other names', () => {
    const { logger, lines, parsed } = capture(['configured-secret-0123456789']);
    logger.info({ upstream: { url: new URL('https://host.example/x?token=t0k3n-value&page=1'), body: 'echo configured-secret-0123456789' }, failure: new Error('token=t0k3n-value') }, 'called %s with %s', 'https://host.example/x?api_key=k3y-value', 'configured-secret-0123456789');
    expect(lines.join('\n')).not.toMatch(/t0k3n-value|k3y-value|configured-secret/);
    expect(parsed()[0]).toMatchObject({
      msg: 'called https://host.example/x?api_key=[REDACTED] with [REDACTED]',
      upstream: { url: 'https://host.example/x?token=[REDACTED]&page=1', body: 'echo [REDACTED]' },
      failure: { type: 'Error', message: 'token=[REDACTED]' },
    });
  });

  it("scrubs a request's URL, and child loggers inherit all of it", () => {
    const { logger, lines, parsed } = capture(['configured-secret-0123456789']);
    logger.child({ reqId: 'req-1' }).info({ req: { id: 'req-1', method: 'GET', url: '/support/chat/ws?token=session-token-value&x=1' } }, 'incoming request');
    expect(lines.join('\n')).not.toContain('session-token-value');
    expect(parsed()[0]).toMatchObject({ reqId: 'req-1', req: { url: '/support/chat/ws?token=[REDACTED]&x=1' } });
  });
});
