import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeEmbedding, startFakeOpenAIServer, type FakeOpenAIServer } from '../../../test/fake-openai-server.js';
import { ModelProviderError } from '../../errors/app-error.js';
import type { Embedder } from './embedder.js';
import { createAzureEmbedder, createOpenAIEmbedder } from './openai-embedder.js';

const API_KEY = 'sk-test-embeddings-0123456789';
let fake: FakeOpenAIServer;

beforeAll(async () => {
  fake = await startFakeOpenAIServer({ apiKey: API_KEY });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

const common = { maxRetries: 0, timeoutMs: 2000, dimensions: 16 };
const openai = (overrides: { apiKey?: string; batchSize?: number } = {}) =>
  createOpenAIEmbedder({ provider: 'openai', apiKey: overrides.apiKey ?? API_KEY, model: 'text-embedding-3-small', baseURL: fake.url, ...common, ...(overrides.batchSize ? { batchSize: overrides.batchSize } : {}) });
const compatible = () => createOpenAIEmbedder({ provider: 'openai-compatible', apiKey: API_KEY, model: 'nomic-embed-text', baseURL: fake.url, ...common });
const azure = (apiKey = API_KEY) =>
  createAzureEmbedder({ endpoint: fake.azureEndpoint, apiKey, deployment: 'support-embeddings', apiVersion: '2024-10-21', ...common });

const unit = (vector: number[]) => {
  const length = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => value / length);
};

async function providerError(embedder: Embedder): Promise<ModelProviderError> {
  const error: unknown = await embedder.embed(['refund']).catch((caught: unknown) => caught);
  if (!(error instanceof ModelProviderError)) throw new Error(`expected a ModelProviderError, got ${String(error)}`);
  return error;
}

describe('OpenAI-style embedders against a real HTTP server', () => {
  it('embeds through /v1/embeddings with the model and size, decodes base64, and normalises', async () => {
    const embedder = openai();
    const vectors = await embedder.embed(['How do I get a refund?', 'Pets in the cabin']);
    expect(embedder.model).toBe('openai:text-embedding-3-small:16');
    expect(embedder.dimensions).toBe(16);
    expect(vectors).toHaveLength(2);
    const expected = unit(fakeEmbedding('How do I get a refund?', 16));
    vectors[0]?.forEach((value, index) => expect(value).toBeCloseTo(expected[index] ?? 0, 5));
    const request = fake.requests[0];
    expect(request?.path).toBe('/v1/embeddings');
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 16, encoding_format: 'base64', input: ['How do I get a refund?', 'Pets in the cabin'] });
  });

  it('asks compatible servers for plain floats, which many of them only speak', async () => {
    const vectors = await compatible().embed(['hello']);
    expect(vectors[0]).toHaveLength(16);
    expect(fake.requests[0]?.body).toMatchObject({ model: 'nomic-embed-text', encoding_format: 'float' });
  });

  it('calls the Azure deployment path with api-key and api-version', async () => {
    const embedder = azure();
    const vectors = await embedder.embed(['hello']);
    expect(vectors[0]).toHaveLength(16);
    expect(embedder.model).toBe('azure:support-embeddings:16');
    const request = fake.requests[0];
    expect(request?.path).toBe('/openai/deployments/support-embeddings/embeddings?api-version=2024-10-21');
    expect(request?.deployment).toBe('support-embeddings');
    expect(request?.headers['api-key']).toBe(API_KEY);
  });

  it('sends large inputs in batches and keeps the order', async () => {
    const texts = Array.from({ length: 7 }, (_, index) => `text number ${index}`);
    const vectors = await openai({ batchSize: 3 }).embed(texts);
    expect(fake.requests).toHaveLength(3);
    expect(vectors).toHaveLength(7);
    const last = unit(fakeEmbedding('text number 6', 16));
    expect(vectors[6]?.[0]).toBeCloseTo(last[0] ?? 0, 5);
  });

  it('maps 429 to ai_rate_limited and 500 to ai_unavailable, both retryable, without quoting the upstream body', async () => {
    fake.scriptEmbeddings({ kind: 'error', status: 429 });
    const limited = await providerError(openai());
    expect(limited).toMatchObject({ code: 'ai_rate_limited', retryable: true, upstreamStatus: 429, provider: 'openai' });
    fake.scriptEmbeddings({ kind: 'error', status: 500 });
    const down = await providerError(azure());
    expect(down).toMatchObject({ code: 'ai_unavailable', retryable: true, upstreamStatus: 500, provider: 'azure' });
    expect(down.message).not.toMatch(/Sorry about that/);
  });

  it('retries within its budget: a short Retry-After is honoured, one that does not fit fails at once', async () => {
    const retrying = createOpenAIEmbedder({ provider: 'openai', apiKey: API_KEY, model: 'text-embedding-3-small', baseURL: fake.url, dimensions: 16, maxRetries: 2, timeoutMs: 2000 });
    fake.scriptEmbeddings({ kind: 'error', status: 429, headers: { 'retry-after-ms': '20' } });
    expect(await retrying.embed(['refund'])).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);

    fake.reset();
    fake.scriptEmbeddings({ kind: 'error', status: 429, headers: { 'retry-after': '30' } });
    const started = Date.now();
    expect(await providerError(retrying)).toMatchObject({ code: 'ai_rate_limited', upstreamStatus: 429 });
    expect(fake.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000 * 3);
  });

  it('maps a wrong key to ai_misconfigured, and never echoes the key', async () => {
    const error = await providerError(openai({ apiKey: 'sk-wrong-key-123456789' }));
    expect(error).toMatchObject({ code: 'ai_misconfigured', upstreamStatus: 401 });
    expect(error.message).not.toContain('sk-wrong');
    expect(await providerError(azure('wrong'))).toMatchObject({ code: 'ai_misconfigured', upstreamStatus: 401 });
  });

  it('refuses vectors of another size than configured: stored vectors must all have one', async () => {
    fake.scriptEmbeddings({ kind: 'vectors', dimensions: 768 });
    const error = await providerError(openai());
    expect(error.code).toBe('ai_misconfigured');
    expect(error.message).toMatch(/768-dimensional.*EMBEDDING_DIMENSIONS is 16/);
  });

  it('maps an unreachable server to ai_unavailable', async () => {
    const embedder = createOpenAIEmbedder({ provider: 'openai-compatible', apiKey: 'x', model: 'm', baseURL: 'http://127.0.0.1:9/v1', ...common });
    expect(await providerError(embedder)).toMatchObject({ code: 'ai_unavailable' });
  });
});
