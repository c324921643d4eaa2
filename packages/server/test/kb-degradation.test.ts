import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { askAsNewGuest } from './chat-client.js';
import { eventually } from './eventually.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const FAQ = 'How much does it cost to cancel a flight?';
const FAQ_ARTICLE = 'flight-cancellation-fees-by-fare';

const readySchema = z.object({
  status: z.string(),
  vectorSearch: z.string(),
  knowledgeBase: z.object({
    retrieval: z.enum(['hybrid', 'full_text_only']),
    embeddings: z.enum(['ok', 'degraded']),
    embeddingProvider: z.string(),
    vectorSearch: z.enum(['ok', 'degraded']),
    since: z.string().nullable(),
    lastError: z.string().nullable(),
  }),
});

const logLineSchema = z.looseObject({ level: z.number(), msg: z.string().optional() });

async function readiness(server: RunningTestServer) {
  const response = await fetch(`${server.url}/readyz`);
  return { status: response.status, body: readySchema.parse(await response.json()) };
}

function parsedLines(lines: string[]) {
  return lines.map((line) => logLineSchema.parse(JSON.parse(line)));
}

const ask = (server: RunningTestServer, text: string) => askAsNewGuest(server.url, text);

/**
 * A hosted embedder that is down must not silence the knowledge base: full
 * text keeps answering, the degradation is logged (once, not per question)
 * and shown in /readyz, and the vector half comes back with the embedder.
 */
describe.each(testDrivers)('knowledge base with a failing embedding provider on %s', (driver) => {
  let fake: FakeOpenAIServer | undefined;
  let server: RunningTestServer | undefined;

  afterEach(async () => {
    await server?.close();
    await fake?.close();
    server = undefined;
    fake = undefined;
  });

  const env = (baseUrl: string) => ({ EMBEDDING_PROVIDER: 'openai-compatible', OPENAI_BASE_URL: baseUrl, EMBEDDING_MODEL: 'nomic-embed-text' });

  it('starts with the embedder unreachable (closed port) and answers FAQs by full text, with a citation', async () => {
    const gone = await startFakeOpenAIServer();
    const closedUrl = gone.url;
    await gone.close();
    const logLines: string[] = [];
    server = await startTestServer({ driver, env: env(closedUrl), logLines });

    const reply = await ask(server, FAQ);
    expect(reply.role).toBe('assistant');
    expect(reply.text).not.toMatch(/couldn't reach/i);
    expect(reply.citations.map((citation) => citation.articleId)).toContain(FAQ_ARTICLE);

    const ready = await readiness(server);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.knowledgeBase).toMatchObject({ retrieval: 'full_text_only', embeddings: 'degraded', embeddingProvider: 'openai-compatible', lastError: 'ai_unavailable' });
    expect(Number.isNaN(Date.parse(ready.body.knowledgeBase.since ?? ''))).toBe(false);

    const warnings = parsedLines(logLines).filter((line) => line.level === 40 && /embed/i.test(line.msg ?? ''));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatchObject({ provider: 'openai-compatible', err: { message: expect.stringMatching(/unreachable/) } });
  });

  it('keeps answering through an outage after start, logs it once, shows it in /readyz, and recovers', async () => {
    fake = await startFakeOpenAIServer();
    const logLines: string[] = [];
    server = await startTestServer({ driver, env: env(fake.url), logLines });
    expect((await readiness(server)).body.knowledgeBase).toMatchObject({ retrieval: 'hybrid', embeddings: 'ok', since: null });

    fake.setEmbeddingsDefault({ kind: 'error', status: 500 });
    const reply = await ask(server, FAQ);
    expect(reply.text).not.toMatch(/couldn't reach/i);
    expect(reply.citations.map((citation) => citation.articleId)).toContain(FAQ_ARTICLE);
    const refund = await ask(server, 'How long does a refund take?');
    expect(refund.citations.length).toBeGreaterThan(0);
    for (const question of ['Can I bring my dog on the plane?', 'What is the cabin bag size limit?', 'I forgot my password']) await ask(server, question);

    const ready = await readiness(server);
    expect(ready.status).toBe(200);
    expect(ready.body.knowledgeBase).toMatchObject({ retrieval: 'full_text_only', embeddings: 'degraded', lastError: 'ai_unavailable' });
    // Once per outage, not once per question.
    const embeddingWarnings = () => parsedLines(logLines).filter((line) => line.level === 40 && line.part === 'embeddings');
    expect(embeddingWarnings()).toHaveLength(1);
    expect(embeddingWarnings()[0]).toMatchObject({ provider: 'openai-compatible', code: 'ai_unavailable', err: { message: expect.stringMatching(/answered 500/) } });

    // The provider is back: a question (answered meanwhile by full text) lets the probe find out.
    fake.setEmbeddingsDefault({ kind: 'vectors' });
    let asked = 0;
    await eventually(async () => {
      asked += 1;
      await ask(server as RunningTestServer, `How much does it cost to cancel a flight, case ${asked}?`);
      return (await readiness(server as RunningTestServer)).body.knowledgeBase.embeddings === 'ok';
    }, 'embeddings to recover');
    expect((await readiness(server)).body.knowledgeBase).toMatchObject({ retrieval: 'hybrid', embeddings: 'ok', since: null, lastError: null });
    expect(parsedLines(logLines).some((line) => line.level === 30 && line.part === 'embeddings' && /work again/.test(line.msg ?? ''))).toBe(true);

    // Questions are embedded again.
    fake.reset();
    await ask(server, 'What is the baggage allowance?');
    expect(fake.requests.some((request) => JSON.stringify(request.body).includes('baggage allowance'))).toBe(true);
  });

  it('embeds what start-up missed once the provider is back', async () => {
    fake = await startFakeOpenAIServer();
    fake.setEmbeddingsDefault({ kind: 'error', status: 503 });
    server = await startTestServer({ driver, env: env(fake.url) });
    const model = 'openai-compatible:nomic-embed-text:384';
    const missing = async () => {
      const { rows } = await (server as RunningTestServer).db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM kb_chunks WHERE embedding_model IS DISTINCT FROM $1',
        [model],
      );
      return rows[0]?.n ?? -1;
    };
    expect(await missing()).toBeGreaterThan(0);
    expect((await ask(server, FAQ)).citations.map((citation) => citation.articleId)).toContain(FAQ_ARTICLE);

    fake.setEmbeddingsDefault({ kind: 'vectors' });
    let asked = 0;
    await eventually(async () => {
      asked += 1;
      await ask(server as RunningTestServer, `Cancellation fee question ${asked}`);
      return (await missing()) === 0;
    }, 'the chunks start-up missed to be embedded');
    expect((await readiness(server)).body.knowledgeBase.embeddings).toBe('ok');
  });
});
