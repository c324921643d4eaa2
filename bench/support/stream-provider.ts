/**
 * A fake model provider for the load benchmark: a real HTTP server speaking
 * the OpenAI chat-completions streaming protocol (SSE chunks, a final usage
 * chunk, `data: [DONE]`), so the service's real adapter (the `openai` SDK)
 * is what runs. Its time to first token and token rate are set per run:
 * with both at zero every millisecond a turn takes is the service's own.
 *
 * Run as its own process (`node --import tsx bench/support/stream-provider.ts
 * --port 0 --ttft-ms 0 --tokens-per-second 0 --tokens 12`): it prints its URL on
 * stdout and keeps no per-request state, so a long run does not grow it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'ttft-ms': { type: 'string', default: '0' },
    'tokens-per-second': { type: 'string', default: '0' },
    tokens: { type: 'string', default: '12' },
  },
});
const ttftMs = Number(values['ttft-ms']);
const tokensPerSecond = Number(values['tokens-per-second']);
const tokenCount = Math.max(1, Number(values.tokens));
// The reply opens with a one-word sentence, as many do ("Yes."): the service streams a reply a sentence at a
// time (its output moderation checks each sentence before it goes out), so the first delta can leave as soon as
// the first sentence is complete, and the time to first token measures the service, not the sentence's length.
const words = 'Yes. Cancelling a flight is free within 24 hours of booking; after that the fare rules apply [1].'.split(' ');
const tokens = Array.from({ length: tokenCount }, (_, index) => `${index === 0 ? '' : ' '}${words[index % words.length]}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(request: IncomingMessage): Promise<{ model?: string; stream?: boolean }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model?: string; stream?: boolean };
}

function chunk(id: string, model: string, delta: Record<string, unknown>, finishReason: string | null, usage?: Record<string, number>): string {
  const body = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: usage ? [] : [{ index: 0, delta, finish_reason: finishReason }], ...(usage ? { usage } : {}) };
  return `data: ${JSON.stringify(body)}\n\n`;
}

let served = 0;
async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
    return;
  }
  const body = await readBody(request);
  const model = body.model ?? 'bench-model';
  const id = `chatcmpl-${(served += 1)}`;
  if (ttftMs > 0) await sleep(ttftMs);
  if (body.stream === false) {
    const message = { role: 'assistant', content: tokens.join('') };
    const usage = { prompt_tokens: 200, completion_tokens: tokenCount, total_tokens: 200 + tokenCount };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model, choices: [{ index: 0, message, finish_reason: 'stop' }], usage }));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const gapMs = tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0;
  for (let index = 0; index < tokens.length; index += 1) {
    if (index > 0 && gapMs > 0) await sleep(gapMs);
    response.write(chunk(id, model, index === 0 ? { role: 'assistant', content: tokens[index] } : { content: tokens[index] }, null));
  }
  response.write(chunk(id, model, {}, 'stop'));
  response.write(chunk(id, model, {}, null, { prompt_tokens: 200, completion_tokens: tokenCount, total_tokens: 200 + tokenCount }));
  response.end('data: [DONE]\n\n');
}

const server = createServer((request, response) => {
  handle(request, response).catch(() => {
    if (!response.headersSent) response.writeHead(500).end();
    else response.destroy();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : ''}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
