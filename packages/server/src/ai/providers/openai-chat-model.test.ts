import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_DEFAULT_ANSWER, startFakeOpenAIServer } from '../../../test/fake-openai-server.js';
import type { FakeOpenAIServer, RecordedRequest } from '../../../test/fake-openai-server.js';
import { ModelProviderError } from '../../errors/app-error.js';
import type { ChatModel, ModelRequest, ModelStreamEvent, ToolDefinition } from '../model-port.js';
import { createAzureChatModel, createOpenAIChatModel } from './openai-chat-model.js';
import type { OpenAIChatModelOptions } from './openai-chat-model.js';

const API_KEY = 'sk-test-0123456789-secret';

const orderTool: ToolDefinition = {
  name: 'get_order_status',
  description: 'Looks up the status of an order.',
  parameters: {
    type: 'object',
    properties: { orderId: { type: 'string' }, includeItems: { type: 'boolean' } },
    required: ['orderId'],
    additionalProperties: false,
  },
};

const simpleRequest: ModelRequest = {
  messages: [
    { role: 'system', content: 'You are a support assistant.' },
    { role: 'user', content: 'Hi!' },
  ],
  tools: [],
};

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

function openai(overrides: Partial<OpenAIChatModelOptions> = {}): ChatModel {
  return createOpenAIChatModel({
    provider: 'openai',
    apiKey: API_KEY,
    model: 'gpt-test',
    baseURL: fake.url,
    maxRetries: 0,
    timeoutMs: 2000,
    ...overrides,
  });
}

function azure(apiKey = API_KEY): ChatModel {
  return createAzureChatModel({
    endpoint: fake.azureEndpoint,
    apiKey,
    deployment: 'support-gpt',
    apiVersion: '2024-10-21',
    maxRetries: 0,
    timeoutMs: 2000,
  });
}

async function collect(events: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const seen: ModelStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

async function collectFailure(
  events: AsyncIterable<ModelStreamEvent>,
): Promise<{ seen: ModelStreamEvent[]; error: unknown }> {
  const seen: ModelStreamEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
  } catch (error) {
    return { seen, error };
  }
  throw new Error(`expected the stream to fail, got ${JSON.stringify(seen)}`);
}

function providerError(error: unknown): ModelProviderError {
  expect(error).toBeInstanceOf(ModelProviderError);
  if (!(error instanceof ModelProviderError)) throw new Error('unreachable');
  return error;
}

function text(events: ModelStreamEvent[]): string {
  return events.map((event) => (event.type === 'text_delta' ? event.delta : '')).join('');
}

function onlyRequest(): RecordedRequest {
  expect(fake.requests).toHaveLength(1);
  const [request] = fake.requests;
  if (request === undefined) throw new Error('unreachable');
  return request;
}

describe('OpenAI chat model', () => {
  it('streams text deltas in order, then one finish with the usage', async () => {
    fake.script({ kind: 'text', chunks: ['Hel', 'lo', ' there', '!'], usage: { promptTokens: 21, completionTokens: 4 } });

    const events = await collect(
      openai().stream({ ...simpleRequest, tools: [orderTool], temperature: 0.2, maxOutputTokens: 300 }),
    );

    expect(events).toEqual([
      { type: 'text_delta', delta: 'Hel' },
      { type: 'text_delta', delta: 'lo' },
      { type: 'text_delta', delta: ' there' },
      { type: 'text_delta', delta: '!' },
      { type: 'finish', reason: 'stop', usage: { promptTokens: 21, completionTokens: 4 } },
    ]);
    const request = onlyRequest();
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.chat).toMatchObject({
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_completion_tokens: 300,
      messages: [
        { role: 'system', content: 'You are a support assistant.' },
        { role: 'user', content: 'Hi!' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: orderTool.name, description: orderTool.description, parameters: orderTool.parameters },
        },
      ],
    });
  });

  it('omits tools when there are none and reports zero usage when the server sends none', async () => {
    fake.script({ kind: 'text', chunks: ['ok'], usage: null });

    const events = await collect(openai().stream(simpleRequest));

    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', usage: { promptTokens: 0, completionTokens: 0 } });
    expect(onlyRequest().body).not.toHaveProperty('tools');
  });

  it('assembles a tool call streamed in pieces and sends its result back in the next round', async () => {
    const args = { orderId: 'A-1001', includeItems: true };
    fake.script(
      { kind: 'tool_calls', calls: [{ id: 'call_order_1', name: 'get_order_status', arguments: args }] },
      (body) => {
        const result = body.messages.find((message) => message.role === 'tool');
        return { kind: 'text', chunks: ['Your order is ', `${String(result?.content)}.`] };
      },
    );
    const model = openai();
    const question: ModelRequest = {
      messages: [{ role: 'user', content: 'Where is my order A-1001?' }],
      tools: [orderTool],
    };

    const first = await collect(model.stream(question));

    expect(first).toHaveLength(2);
    const [callEvent, finish] = first;
    expect(finish).toMatchObject({ type: 'finish', reason: 'tool_calls' });
    if (callEvent?.type !== 'tool_call') throw new Error(`expected a tool call, got ${JSON.stringify(callEvent)}`);
    expect(callEvent.call.id).toBe('call_order_1');
    expect(callEvent.call.name).toBe('get_order_status');
    expect(JSON.parse(callEvent.call.arguments)).toEqual(args);

    const second = await collect(
      model.stream({
        ...question,
        messages: [
          ...question.messages,
          { role: 'assistant', content: '', toolCalls: [callEvent.call] },
          { role: 'tool', toolCallId: callEvent.call.id, content: 'shipped' },
        ],
      }),
    );

    expect(text(second)).toBe('Your order is shipped.');
    expect(second.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]?.chat?.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_order_1', type: 'function', function: { name: 'get_order_status', arguments: callEvent.call.arguments } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_order_1', content: 'shipped' },
    ]);
  });

  it('masks cards, IBANs and passport numbers in what it sends, in the conversation and in tool results', async () => {
    fake.script({ kind: 'text', chunks: ['ok'] });

    await collect(
      openai().stream({
        messages: [
          { role: 'system', content: 'You are a support assistant.' },
          { role: 'user', content: 'Pay with 4111 1111 1111 1111 or iban gb29 nwbk 6016 1331 9268 19; booking SKY4F2, mail me at ana@example.com' },
          { role: 'assistant', content: 'Your card ４１１１１１１１１１１１１１１１ is noted.', toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{}' }] },
          { role: 'tool', toolCallId: 'call_1', content: '{"passenger":"Ana","passport":"passport 533380006","total":"€1,846.40"}' },
        ],
        tools: [],
      }),
    );

    const sent = onlyRequest().chat?.messages.map((message) => message.content);
    expect(sent).toEqual([
      'You are a support assistant.',
      'Pay with [CARD] or iban [IBAN]; booking SKY4F2, mail me at ana@example.com',
      'Your card [CARD] is noted.',
      '{"passenger":"Ana","passport":"passport [PASSPORT]","total":"€1,846.40"}',
    ]);
  });

  it('keeps parallel tool calls apart and streams text that comes before them', async () => {
    fake.script({
      kind: 'tool_calls',
      text: 'Let me check.',
      calls: [
        { name: 'get_order_status', arguments: { orderId: 'A-1' } },
        { name: 'get_order_status', arguments: { orderId: 'B-2' } },
      ],
    });

    const events = await collect(openai().stream({ ...simpleRequest, tools: [orderTool] }));

    expect(events[0]).toEqual({ type: 'text_delta', delta: 'Let me check.' });
    const calls = events.flatMap((event) => (event.type === 'tool_call' ? [event.call] : []));
    expect(calls.map((call) => JSON.parse(call.arguments))).toEqual([{ orderId: 'A-1' }, { orderId: 'B-2' }]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    expect(events.at(-1)?.type).toBe('finish');
  });

  it('maps 429 to a retryable ai_rate_limited error that does not quote the key or the body', async () => {
    fake.script({
      kind: 'error',
      status: 429,
      body: { error: { message: `Rate limit reached for key ${API_KEY}`, type: 'requests', code: 'rate_limit_exceeded' } },
    });

    const { seen, error } = await collectFailure(openai().stream(simpleRequest));

    expect(seen).toEqual([]);
    const failure = providerError(error);
    expect(failure).toMatchObject({ code: 'ai_rate_limited', retryable: true, upstreamStatus: 429, provider: 'openai' });
    expect(failure.message).not.toContain(API_KEY);
    expect(failure.message).not.toContain('Rate limit reached');
    expect(failure.cause).toBeInstanceOf(Error);
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 500 to a retryable ai_unavailable error', async () => {
    fake.script({ kind: 'error', status: 500 });

    const failure = providerError((await collectFailure(openai().stream(simpleRequest))).error);

    expect(failure).toMatchObject({ code: 'ai_unavailable', retryable: true, upstreamStatus: 500 });
  });

  it('retries a 500 when retries are allowed', async () => {
    // retry-after-ms keeps the backoff short.
    fake.script({ kind: 'error', status: 500, headers: { 'retry-after-ms': '10' } }, { kind: 'text', chunks: ['recovered'] });

    const events = await collect(openai({ maxRetries: 1 }).stream(simpleRequest));

    expect(text(events)).toBe('recovered');
    expect(fake.requests).toHaveLength(2);
  });

  it('does not retry when the server says x-should-retry: false', async () => {
    fake.script({ kind: 'error', status: 500, headers: { 'x-should-retry': 'false', 'retry-after-ms': '10' } }, { kind: 'text', chunks: ['unused'] });

    const failure = providerError((await collectFailure(openai({ maxRetries: 2 }).stream(simpleRequest))).error);

    expect(failure).toMatchObject({ code: 'ai_unavailable', upstreamStatus: 500 });
    expect(fake.requests).toHaveLength(1);
  });

  it('honours a Retry-After that fits in the budget, and the retry answers', async () => {
    fake.script({ kind: 'error', status: 429, headers: { 'retry-after': '1' } }, { kind: 'text', chunks: ['after the wait'] });

    const events = await collect(openai({ maxRetries: 2, timeoutMs: 10_000 }).stream(simpleRequest));

    expect(text(events)).toBe('after the wait');
    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests;
    // It waited as asked (a little slack for clock granularity).
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('fails at once with ai_rate_limited when the Retry-After does not fit in the budget', async () => {
    const timeoutMs = 2000;
    fake.script({ kind: 'error', status: 429, headers: { 'retry-after': '30' } }, { kind: 'text', chunks: ['too late'] });

    const started = Date.now();
    const failure = providerError((await collectFailure(openai({ maxRetries: 2, timeoutMs }).stream(simpleRequest))).error);

    expect(failure).toMatchObject({ code: 'ai_rate_limited', retryable: true, upstreamStatus: 429 });
    expect(fake.requests).toHaveLength(1);
    // Nowhere near the 30 s the server asked for: within the budget, generously.
    expect(Date.now() - started).toBeLessThan(timeoutMs * 3);
  });

  it('stops waiting between attempts as soon as the signal aborts', async () => {
    fake.script({ kind: 'error', status: 503, headers: { 'retry-after': '20' } }, { kind: 'text', chunks: ['too late'] });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);

    const { error } = await collectFailure(openai({ maxRetries: 2, timeoutMs: 60_000 }).stream(simpleRequest, controller.signal));

    expect(error).not.toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(fake.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('maps a rate limit reported inside the stream (error chunk or SSE error event) to ai_rate_limited', async () => {
    for (const as of ['chunk', 'event'] as const) {
      fake.reset();
      fake.script({ kind: 'stream_error', chunks: ['Partial'], as });

      const { seen, error } = await collectFailure(openai({ maxRetries: 2 }).stream(simpleRequest));

      expect(text(seen)).toBe('Partial');
      expect(providerError(error)).toMatchObject({ code: 'ai_rate_limited', retryable: true, upstreamStatus: undefined });
      expect(providerError(error).message).not.toContain('Rate limit reached');
      // A stream that has started is never retried: its text has been delivered.
      expect(fake.requests).toHaveLength(1);
    }
  });

  it('maps another error inside the stream to ai_unavailable', async () => {
    fake.script({ kind: 'stream_error', error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null } });

    const failure = providerError((await collectFailure(openai().stream(simpleRequest))).error);

    expect(failure).toMatchObject({ code: 'ai_unavailable', upstreamStatus: undefined });
  });

  it('maps a rejected key to ai_misconfigured without quoting the key', async () => {
    const wrongKey = 'sk-wrong-key-do-not-leak';

    const failure = providerError((await collectFailure(openai({ apiKey: wrongKey }).stream(simpleRequest))).error);

    expect(failure).toMatchObject({ code: 'ai_misconfigured', retryable: false, upstreamStatus: 401 });
    expect(failure.message).not.toContain(wrongKey);
  });

  it('maps other 4xx answers to ai_bad_response', async () => {
    fake.script({ kind: 'error', status: 400 });

    const failure = providerError((await collectFailure(openai().stream(simpleRequest))).error);

    expect(failure).toMatchObject({ code: 'ai_bad_response', retryable: false, upstreamStatus: 400 });
  });

  it('maps an unreachable server to ai_unavailable', async () => {
    const gone = await startFakeOpenAIServer();
    await gone.close();

    const failure = providerError((await collectFailure(openai({ baseURL: gone.url }).stream(simpleRequest))).error);

    expect(failure).toMatchObject({ code: 'ai_unavailable', retryable: true, upstreamStatus: undefined });
  });

  it('maps a connection dropped mid-stream to ai_unavailable after the text already sent', async () => {
    fake.script({ kind: 'disconnect', chunks: ['Partial', ' answer'] });

    const { seen, error } = await collectFailure(openai().stream(simpleRequest));

    expect(text(seen)).toBe('Partial answer');
    expect(seen.some((event) => event.type === 'finish')).toBe(false);
    expect(providerError(error)).toMatchObject({ code: 'ai_unavailable', retryable: true });
  });

  it('stops with an abort error, not a provider error, when the signal is aborted mid-stream', async () => {
    fake.script({ kind: 'text', chunks: ['one', ' two', ' three', ' four', ' five'], chunkDelayMs: 30 });
    const controller = new AbortController();
    const seen: ModelStreamEvent[] = [];

    let caught: unknown;
    try {
      for await (const event of openai().stream(simpleRequest, controller.signal)) {
        seen.push(event);
        controller.abort();
      }
    } catch (error) {
      caught = error;
    }

    expect(caught).not.toBeInstanceOf(ModelProviderError);
    expect(caught).toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([{ type: 'text_delta', delta: 'one' }]);
  });

  it('does not call the server when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();

    const { error } = await collectFailure(openai().stream(simpleRequest, controller.signal));

    expect(error).toMatchObject({ name: 'AbortError' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('Azure OpenAI chat model', () => {
  it('calls the deployment path with api-version and the api-key header, and streams text', async () => {
    fake.script({ kind: 'text', chunks: ['Azure', ' says', ' hi'], usage: { promptTokens: 9, completionTokens: 3 } });
    const model = azure();

    const events = await collect(model.stream(simpleRequest));

    expect(model.provider).toBe('azure');
    expect(model.model).toBe('support-gpt');
    expect(events).toEqual([
      { type: 'text_delta', delta: 'Azure' },
      { type: 'text_delta', delta: ' says' },
      { type: 'text_delta', delta: ' hi' },
      { type: 'finish', reason: 'stop', usage: { promptTokens: 9, completionTokens: 3 } },
    ]);
    const request = onlyRequest();
    expect(request.path).toBe('/openai/deployments/support-gpt/chat/completions?api-version=2024-10-21');
    expect(request.headers['api-key']).toBe(API_KEY);
    expect(request.headers.authorization).toBeUndefined();
  });

  it('streams a tool call', async () => {
    fake.script({ kind: 'tool_calls', calls: [{ id: 'call_az', name: 'get_order_status', arguments: { orderId: 'Z-9' } }] });

    const events = await collect(azure().stream({ ...simpleRequest, tools: [orderTool] }));

    expect(events).toEqual([
      { type: 'tool_call', call: { id: 'call_az', name: 'get_order_status', arguments: '{"orderId":"Z-9"}' } },
      { type: 'finish', reason: 'tool_calls', usage: expect.objectContaining({ completionTokens: 10 }) },
    ]);
    expect(onlyRequest().chat?.tools?.[0]?.function.name).toBe('get_order_status');
  });

  it('maps a rejected api-key to ai_misconfigured', async () => {
    const failure = providerError((await collectFailure(azure('wrong-azure-key').stream(simpleRequest))).error);

    expect(failure).toMatchObject({ code: 'ai_misconfigured', upstreamStatus: 401, provider: 'azure' });
    expect(failure.message).not.toContain('wrong-azure-key');
  });
});

describe('OpenAI-compatible chat model', () => {
  it('talks to the configured baseURL like OpenAI, with max_tokens', async () => {
    const model = openai({ provider: 'openai-compatible', model: 'llama3.1:8b' });

    const events = await collect(model.stream({ ...simpleRequest, maxOutputTokens: 50 }));

    expect(model.provider).toBe('openai-compatible');
    expect(text(events)).toBe(FAKE_DEFAULT_ANSWER);
    expect(onlyRequest().chat).toMatchObject({ model: 'llama3.1:8b', max_tokens: 50 });
  });

  it('refuses to start without a baseURL', () => {
    expect(() =>
      createOpenAIChatModel({ provider: 'openai-compatible', apiKey: 'x', model: 'm' }),
    ).toThrow(ModelProviderError);
  });
});
