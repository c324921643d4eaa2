import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { MAX_TEXT_LENGTH, REDACTED, createSecretScrubber, secretsFromConfig } from './secret-scrubber.js';

const OPENAI_KEY = 'sk-live-abc123DEF456ghi789jkl';
const ADMIN_KEY = 'admin-key-0123456789abcdefghij';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjdXNfYWxpY2UifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('secret scrubber', () => {
  const scrub = createSecretScrubber({ secrets: [OPENAI_KEY, ADMIN_KEY, 'a-host-secret-value with spaces & "quotes"', 'short', undefined, null] });

  it('replaces configured secrets by value, wherever they appear and however they are encoded', () => {
    expect(scrub.text(`401 Incorrect API key provided: ${OPENAI_KEY}.`)).toBe(`401 Incorrect API key provided: ${REDACTED}.`);
    expect(scrub.text(`key ${ADMIN_KEY}!`)).toBe(`key ${REDACTED}!`);
    expect(scrub.text(`x=${encodeURIComponent('a-host-secret-value with spaces & "quotes"')}`)).not.toContain('host-secret');
    expect(scrub.text(JSON.stringify({ body: 'a-host-secret-value with spaces & "quotes"' }))).not.toContain('host-secret');
    // Too short to be told apart from ordinary words: left alone.
    expect(scrub.text('a short answer')).toBe('a short answer');
  });

  it('replaces credential-shaped text it was not told about', () => {
    const cases: Array<[string, string]> = [
      ['Incorrect API key provided: sk-unknown-0123456789abcdef.', `Incorrect API key provided: ${REDACTED}.`],
      // As OpenAI echoes a key, partly masked.
      ['Incorrect API key provided: sk-proj-********************wxyz.', `Incorrect API key provided: ${REDACTED}.`],
      ['Stripe said sk_live_51Habcdefghijklmnop', `Stripe said ${REDACTED}`],
      ['sent Bearer abcdefghijklmnop.qrstuv to the host', `sent Bearer ${REDACTED} to the host`],
      ['authorization: Basic dXNlcjpwYXNzd29yZA==', `authorization: ${REDACTED}`],
      ['{"Authorization":"Bearer abcdefghijklmnop"}', `{"Authorization":"${REDACTED}"}`],
      [`customer token ${JWT} expired`, `customer token ${REDACTED} expired`],
      ['GET /v1/x?api_key=hunter2hunter2&limit=5', `GET /v1/x?api_key=${REDACTED}&limit=5`],
      ['api-key: 0123456789abcdef', `api-key: ${REDACTED}`],
      ['token=abc123 and password: "p4ss w0rd"', `token=${REDACTED} and password: "${REDACTED}"`],
      ['{"token":"abc","client_secret":\'x y\'}', `{"token":"${REDACTED}","client_secret":'${REDACTED}'}`],
      ['customerToken: zzzzzzzz', `customerToken: ${REDACTED}`],
      ['connect to postgres://app:s3cr3t-pass@db.internal:5432/support failed', `connect to postgres://app:${REDACTED}@db.internal:5432/support failed`],
      ['redis://:pa55word@cache:6379', `redis://:${REDACTED}@cache:6379`],
    ];
    for (const [input, expected] of cases) expect(scrub.text(input), input).toBe(expected);
  });

  it('leaves ordinary log text alone, and is idempotent', () => {
    const ordinary = [
      'model call failed; sent the fallback reply',
      'embedded 42 knowledge-base chunk(s) at start-up',
      'max_tokens: 400, prompt_tokens=12',
      'GET /support/chat/session 201 in 12ms',
      'task-force-0123456789 finished',
      'https://api.openai.com/v1/chat/completions',
    ];
    for (const line of ordinary) expect(scrub.text(line)).toBe(line);
    const once = scrub.text(`token=abc Bearer abcdefghijkl ${OPENAI_KEY} authorization: x ${JWT}`);
    expect(scrub.text(once)).toBe(once);
    expect(once).not.toMatch(/abcdefghijkl|abc123|eyJ/);
  });

  it('redacts every query value whose name looks secret, keeping the rest of the URL', () => {
    expect(scrub.url('/admin/kb/articles?key=k1&api_key=k2&token=k3&limit=5#top')).toBe(
      `/admin/kb/articles?key=${REDACTED}&api_key=${REDACTED}&token=${REDACTED}&limit=5#top`,
    );
    expect(scrub.url('/support/chat/ws?access_token=abc&X-Amz-Signature=def&sig=ghi&password=jkl&q=refund')).toBe(
      `/support/chat/ws?access_token=${REDACTED}&X-Amz-Signature=${REDACTED}&sig=${REDACTED}&password=${REDACTED}&q=refund`,
    );
    // A secret passed under an innocent name is still found by value.
    expect(scrub.url(`/search?q=${ADMIN_KEY}`)).toBe(`/search?q=${REDACTED}`);
    expect(scrub.url('/healthz')).toBe('/healthz');
    expect(scrub.url('/x?flag&author=bob')).toBe('/x?flag&author=bob');
  });

  it('serializes an error with its cause and response body, all scrubbed', () => {
    class FakeApiError extends Error {
      readonly status = 401;
      readonly headers = new Headers({ 'x-request-id': 'req_1', 'set-cookie': 'session=abc' });
      readonly error = { message: `Incorrect API key provided: ${OPENAI_KEY}`, code: 'invalid_api_key' };
      constructor() {
        super(`401 Incorrect API key provided: ${OPENAI_KEY}`);
        this.name = 'AuthenticationError';
      }
    }
    const upstream = new FakeApiError();
    const wrapped = new Error('openai answered 401', { cause: upstream });
    const serialized = scrub.error(wrapped) as Record<string, unknown>;

    const text = JSON.stringify(serialized);
    expect(text).not.toContain(OPENAI_KEY);
    expect(text).not.toContain('session=abc');
    expect(serialized).toMatchObject({
      type: 'Error',
      message: `openai answered 401: 401 Incorrect API key provided: ${REDACTED}`,
      cause: {
        type: 'FakeApiError',
        status: 401,
        headers: { 'x-request-id': 'req_1', 'set-cookie': REDACTED },
        error: { message: `Incorrect API key provided: ${REDACTED}`, code: 'invalid_api_key' },
      },
    });
    expect(serialized.stack).toContain('openai answered 401');
  });

  it('follows plain values (arrays, objects, URLs), redacts secret-named fields, and survives cycles', () => {
    const cyclic: Record<string, unknown> = { url: new URL(`https://host.example/api?token=t0k3n&page=2`), list: [`Bearer ${'x'.repeat(20)}`] };
    cyclic.self = cyclic;
    const scrubbed = scrub.value({ nested: cyclic, apiKey: 'plain-but-named', promptTokens: 12, password: 'hunter2' });
    expect(scrubbed).toEqual({
      nested: { url: `https://host.example/api?token=${REDACTED}&page=2`, list: [`Bearer ${REDACTED}`], self: '[Circular]' },
      apiKey: REDACTED,
      promptTokens: 12,
      password: REDACTED,
    });
  });

  it('takes the secrets of a configuration', () => {
    const config = loadConfig({
      AI_PROVIDER: 'openai',
      OPENAI_API_KEY: OPENAI_KEY,
      EMBEDDING_PROVIDER: 'azure',
      AZURE_OPENAI_ENDPOINT: 'https://example.openai.azure.com',
      AZURE_OPENAI_API_KEY: 'azure-key-0123456789',
      AZURE_OPENAI_EMBEDDING_DEPLOYMENT: 'embeddings',
      ADMIN_API_KEY: ADMIN_KEY,
      HOST_JWT_SECRET: 'host-jwt-secret-that-is-at-least-32-chars',
      HOST_ADAPTER: 'http',
      HOST_API_BASE_URL: 'https://host.example/api',
      HOST_API_TOKEN: 'host-api-token-0123456789',
      DATABASE_URL: 'postgres://app:db-password-123@db:5432/support',
      REDIS_URL: 'redis://:redis-password-456@cache:6379',
    });
    expect(secretsFromConfig(config).sort()).toEqual(
      [OPENAI_KEY, 'azure-key-0123456789', ADMIN_KEY, 'host-jwt-secret-that-is-at-least-32-chars', 'host-api-token-0123456789', 'db-password-123', 'redis-password-456'].sort(),
    );
    // A keyless compatible server's placeholder is not a secret.
    expect(secretsFromConfig(loadConfig({ AI_PROVIDER: 'openai-compatible', OPENAI_BASE_URL: 'http://localhost:11434/v1' }))).toEqual([]);
  });

  it('cuts long strings before scrubbing, so a crafted string costs a bounded amount, and still scrubs what is kept', () => {
    const scrubber = createSecretScrubber({ secrets: ['sk-live-0123456789abcdef'] });
    const crafted = `api_key=abc123secret ${'a-'.repeat(20_000)} sk-live-0123456789abcdef`;
    const scrubbed = scrubber.text(crafted);
    expect(scrubbed.length).toBeLessThan(MAX_TEXT_LENGTH + 64);
    expect(scrubbed).toContain(`api_key=${REDACTED}`);
    expect(scrubbed).not.toContain('abc123secret');
    // The tail (with the key) is not logged at all.
    expect(scrubbed).not.toContain('sk-live-0123456789abcdef');
    expect(scrubbed).toMatch(/more characters\]$/);
  });
});
