/**
 * A real HTTP server speaking the Chat Completions and Embeddings protocols
 * (OpenAI and Azure OpenAI flavours), so the real SDK and everything above it can be tested
 * end to end without the network. Responses are scripted per request.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

export interface FakeUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface FakeToolCall {
  /** Defaults to a generated `call_...` id. */
  id?: string;
  name: string;
  /** An object is serialised; a string is sent as is (lets a test send broken JSON). */
  arguments: Record<string, unknown> | string;
}

export type FakeResponse =
  | {
      kind: 'text';
      chunks: string[];
      /** null: send no usage even when the client asked for it. Omitted: a made-up count. */
      usage?: FakeUsage | null;
      finishReason?: string;
      /** Pause between SSE chunks; by default only a turn of the event loop. */
      chunkDelayMs?: number;
    }
  | {
      kind: 'tool_calls';
      calls: FakeToolCall[];
      /** Text streamed before the calls, as some models do. */
      text?: string;
      usage?: FakeUsage | null;
      chunkDelayMs?: number;
    }
  | {
      kind: 'error';
      status: number;
      /** Defaults to an OpenAI-style `{ error: { message, type, code } }` body. */
      body?: unknown;
      headers?: Record<string, string>;
    }
  | {
      /** Streams these text chunks, then destroys the socket without finishing. */
      kind: 'disconnect';
      chunks?: string[];
    }
  | {
      /**
       * Streams these text chunks, then reports an error inside the stream (status 200
       * already sent) and ends it, as OpenAI does when it fails mid-answer.
       */
      kind: 'stream_error';
      chunks?: string[];
      /** The `error` object; defaults to an OpenAI rate-limit error. */
      error?: unknown;
      /** 'event': an SSE `event: error` frame; 'chunk' (default): a data chunk with an `error` field. */
      as?: 'event' | 'chunk';
    };

/** Lenient on purpose: it should accept whatever a real server accepts. */
const wireToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const wireMessageSchema = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(z.unknown())]).nullish(),
  tool_call_id: z.string().optional(),
  tool_calls: z.array(wireToolCallSchema).optional(),
});

const wireToolSchema = z.looseObject({
  type: z.string(),
  function: z.looseObject({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const chatRequestBodySchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(wireMessageSchema).min(1),
  tools: z.array(wireToolSchema).optional(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().nullish(),
  max_tokens: z.number().nullish(),
  max_completion_tokens: z.number().nullish(),
});

export type ChatRequestBody = z.infer<typeof chatRequestBodySchema>;
export type WireMessage = z.infer<typeof wireMessageSchema>;

export interface RecordedRequest {
  method: string;
  /** Path including the query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body as sent; undefined when it was not JSON. */
  body: unknown;
  /** The body parsed as a chat request; undefined when it is not one. */
  chat: ChatRequestBody | undefined;
  /** Set for Azure-style paths. */
  deployment: string | undefined;
  /** Date.now() when the request arrived, for tests of waits between retries. */
  receivedAt: number;
}

export type FakeResponder = (body: ChatRequestBody, request: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

/** What an embeddings request gets: deterministic vectors by default, or a scripted failure. */
export type FakeEmbeddingResponse =
  | {
      kind: 'vectors';
      /** Vectors of this size instead of the requested one (lets a test send the wrong size). */
      dimensions?: number;
    }
  | {
      kind: 'error';
      status: number;
      body?: unknown;
      headers?: Record<string, string>;
    };

/** What a moderation request gets: a verdict per input text (default: nothing flagged), or a failure. */
export type FakeModerationResponder = (input: string) => { flagged: boolean; categories?: string[] } | { kind: 'error'; status: number } | { kind: 'hang' };

/** The categories omni-moderation-latest reports, each false unless flagged. */
const MODERATION_CATEGORIES = [
  'harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit', 'illicit/violent', 'self-harm', 'self-harm/intent',
  'self-harm/instructions', 'sexual', 'sexual/minors', 'violence', 'violence/graphic',
];

/** Dimensions of the fake embedding model when the request names none (text-embedding-3-small's). */
const FAKE_EMBEDDING_DEFAULT_DIMENSIONS = 1536;

export interface FakeOpenAIServerOptions {
  /** When set, only this key is accepted (as Bearer token or Azure `api-key`); otherwise any non-empty key. */
  apiKey?: string;
}

export interface FakeOpenAIServer {
  /** Base URL for the OpenAI client's `baseURL`, ending in `/v1`. */
  readonly url: string;
  /** Origin for AzureOpenAI's `endpoint`. */
  readonly azureEndpoint: string;
  /** Every request received, in order, including rejected ones. */
  readonly requests: RecordedRequest[];
  /** Queues responses; each chat request consumes the next one. */
  script(...responses: (FakeResponse | FakeResponder)[]): void;
  /** What unscripted requests get; by default the text {@link FAKE_DEFAULT_ANSWER}. */
  setDefault(response: FakeResponse | FakeResponder): void;
  /** Scripted responses not yet consumed. */
  readonly pendingScripts: number;
  /** Queues embeddings responses; each embeddings request consumes the next one. */
  scriptEmbeddings(...responses: FakeEmbeddingResponse[]): void;
  /** What unscripted embeddings requests get; by default deterministic vectors (an outage: `{ kind: 'error', status: 500 }`). */
  setEmbeddingsDefault(response: FakeEmbeddingResponse): void;
  /** How /v1/moderations (and Azure's /openai/moderations) answers from now on. */
  setModeration(responder: FakeModerationResponder): void;
  /** Forgets recorded requests and queued scripts and restores the default answer. */
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_DEFAULT_ANSWER = 'Hello from the fake model.';
const DEFAULT_RESPONSE: FakeResponse = { kind: 'text', chunks: ['Hello', ' from the', ' fake model.'] };
const DEFAULT_EMBEDDING_RESPONSE: FakeEmbeddingResponse = { kind: 'vectors' };

const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

export async function startFakeOpenAIServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  const requests: RecordedRequest[] = [];
  const queue: (FakeResponse | FakeResponder)[] = [];
  const embeddingQueue: FakeEmbeddingResponse[] = [];
  let fallback: FakeResponse | FakeResponder = DEFAULT_RESPONSE;
  let embeddingFallback: FakeEmbeddingResponse = DEFAULT_EMBEDDING_RESPONSE;
  let moderation: FakeModerationResponder = () => ({ flagged: false });
  let sequence = 0;

  const server = createServer((req, res) => {
    res.on('error', () => {
      // The client went away mid-answer; nothing to do.
    });
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, undefined);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = parseJson(raw);
    const parsed = chatRequestBodySchema.safeParse(body);
    const azureMatch = AZURE_PATH.exec(url.pathname);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      headers: req.headers,
      body,
      chat: parsed.success ? parsed.data : undefined,
      deployment: azureMatch?.[1] === undefined ? undefined : decodeURIComponent(azureMatch[1]),
      receivedAt: Date.now(),
    };
    requests.push(recorded);

    const isEmbeddings = url.pathname === '/v1/embeddings' || azureMatch?.[2] === 'embeddings';
    const isModeration = url.pathname === '/v1/moderations' || url.pathname === '/openai/moderations';
    const isOpenAIPath = url.pathname === '/v1/chat/completions' || url.pathname === '/v1/embeddings' || url.pathname === '/v1/moderations';
    if (req.method !== 'POST' || (!isOpenAIPath && azureMatch === null && url.pathname !== '/openai/moderations')) {
      sendError(res, 404, { error: { message: 'Not found', type: 'invalid_request_error', param: null, code: null } });
      return;
    }
    if (azureMatch !== null || url.pathname === '/openai/moderations') {
      if (!url.searchParams.get('api-version')) {
        // What Azure answers when api-version is missing.
        sendError(res, 404, { error: { code: '404', message: 'Resource not found' } });
        return;
      }
      const key = singleHeader(req.headers['api-key']);
      if (!keyAccepted(key)) {
        sendError(res, 401, {
          error: {
            code: '401',
            message: 'Access denied due to invalid subscription key or wrong API endpoint.',
          },
        });
        return;
      }
    } else {
      const bearer = /^Bearer (.+)$/.exec(singleHeader(req.headers.authorization) ?? '')?.[1];
      if (!keyAccepted(bearer)) {
        // Echoes the key like OpenAI does (it masks part of it), so tests can prove
        // that callers do not pass the upstream message along.
        sendError(res, 401, {
          error: {
            message: `Incorrect API key provided: ${bearer ?? '(none)'}.`,
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        });
        return;
      }
    }
    if (isEmbeddings) {
      answerEmbeddings(res, body, embeddingQueue.shift() ?? embeddingFallback, recorded.deployment);
      return;
    }
    if (isModeration) {
      await answerModeration(res, body, moderation);
      return;
    }
    if (!parsed.success) {
      sendError(res, 400, {
        error: {
          message: 'We could not parse the JSON body of your request.',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
      return;
    }

    const next = queue.shift() ?? fallback;
    const response = typeof next === 'function' ? await next(parsed.data, recorded) : next;
    sequence += 1;
    const context: AnswerContext = {
      id: `chatcmpl-fake-${sequence}`,
      created: Math.floor(Date.now() / 1000),
      model: parsed.data.model ?? recorded.deployment ?? 'fake-model',
      promptTokens: estimateTokens(JSON.stringify(parsed.data.messages)),
      callPrefix: `call_fake_${sequence}`,
    };
    const streaming = parsed.data.stream === true;
    const includeUsage = parsed.data.stream_options?.include_usage === true;
    await answer(res, response, context, streaming, includeUsage);
  }

  function keyAccepted(key: string | undefined): boolean {
    if (key === undefined || key === '') return false;
    return options.apiKey === undefined || key === options.apiKey;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake OpenAI server has no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;

  return {
    url: `${origin}/v1`,
    azureEndpoint: origin,
    requests,
    script(...responses) {
      queue.push(...responses);
    },
    setDefault(response) {
      fallback = response;
    },
    get pendingScripts() {
      return queue.length;
    },
    scriptEmbeddings(...responses) {
      embeddingQueue.push(...responses);
    },
    setEmbeddingsDefault(response) {
      embeddingFallback = response;
    },
    setModeration(responder) {
      moderation = responder;
    },
    reset() {
      requests.length = 0;
      queue.length = 0;
      embeddingQueue.length = 0;
      fallback = DEFAULT_RESPONSE;
      embeddingFallback = DEFAULT_EMBEDDING_RESPONSE;
      moderation = () => ({ flagged: false });
    },
    async close() {
      // Keep-alive sockets from the SDK would otherwise hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

const embeddingRequestSchema = z.looseObject({
  model: z.string().optional(),
  input: z.union([z.string(), z.array(z.string())]),
  dimensions: z.number().int().positive().optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
});

function answerEmbeddings(res: ServerResponse, body: unknown, response: FakeEmbeddingResponse, deployment: string | undefined): void {
  if (response.kind === 'error') {
    sendError(res, response.status, response.body, response.headers);
    return;
  }
  const parsed = embeddingRequestSchema.safeParse(body);
  if (!parsed.success) {
    sendError(res, 400, { error: { message: "'input' is required.", type: 'invalid_request_error', param: 'input', code: null } });
    return;
  }
  const inputs = typeof parsed.data.input === 'string' ? [parsed.data.input] : parsed.data.input;
  const dimensions = response.dimensions ?? parsed.data.dimensions ?? FAKE_EMBEDDING_DEFAULT_DIMENSIONS;
  const base64 = parsed.data.encoding_format === 'base64';
  sendJson(res, 200, {
    object: 'list',
    data: inputs.map((input, index) => {
      const vector = fakeEmbedding(input, dimensions);
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
    }),
    model: parsed.data.model ?? deployment ?? 'fake-embedding-model',
    usage: { prompt_tokens: estimateTokens(inputs.join(' ')), total_tokens: estimateTokens(inputs.join(' ')) },
  });
}

/**
 * A deterministic vector for a text: the same text always gets the same
 * vector, different texts (almost surely) different ones. Deliberately not of
 * length 1, so that a test sees whether the caller normalises.
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  let seed = 2166136261;
  for (let index = 0; index < text.length; index += 1) seed = Math.imul(seed ^ text.charCodeAt(index), 16777619) >>> 0;
  const vector: number[] = [];
  for (let index = 0; index < dimensions; index += 1) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    vector.push((seed / 2 ** 32 - 0.5) * 3);
  }
  return vector;
}

interface AnswerContext {
  id: string;
  created: number;
  model: string;
  promptTokens: number;
  callPrefix: string;
}

async function answer(
  res: ServerResponse,
  response: FakeResponse,
  context: AnswerContext,
  streaming: boolean,
  includeUsage: boolean,
): Promise<void> {
  switch (response.kind) {
    case 'error':
      sendError(res, response.status, response.body, response.headers);
      return;
    case 'disconnect': {
      if (!streaming) {
        res.destroy();
        return;
      }
      const sse = openStream(res, context, false, undefined);
      for (const text of response.chunks ?? []) {
        if (!(await sse.choice({ content: text }, null))) return;
      }
      res.destroy();
      return;
    }
    case 'stream_error': {
      const error = response.error ?? (defaultErrorBody(429) as { error: unknown }).error;
      if (!streaming) {
        sendError(res, 500, { error });
        return;
      }
      const sse = openStream(res, context, false, undefined);
      if (!(await sse.choice({ role: 'assistant', content: '', refusal: null }, null))) return;
      for (const text of response.chunks ?? []) {
        if (!(await sse.choice({ content: text }, null))) return;
      }
      await sse.error(error, response.as ?? 'chunk');
      return;
    }
    case 'text': {
      const text = response.chunks.join('');
      const finishReason = response.finishReason ?? 'stop';
      const usage = usageFor(response.usage, context, response.chunks.length);
      if (!streaming) {
        sendCompletion(res, context, { role: 'assistant', content: text, refusal: null }, finishReason, usage);
        return;
      }
      const sse = openStream(res, context, includeUsage, response.chunkDelayMs);
      if (!(await sse.choice({ role: 'assistant', content: '', refusal: null }, null))) return;
      for (const piece of response.chunks) {
        if (!(await sse.choice({ content: piece }, null))) return;
      }
      if (!(await sse.choice({}, finishReason))) return;
      await sse.finish(usage);
      return;
    }
    case 'tool_calls': {
      const calls = response.calls.map((call, index) => ({
        id: call.id ?? `${context.callPrefix}_${index}`,
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      }));
      const usage = usageFor(response.usage, context, calls.length * 10);
      if (!streaming) {
        sendCompletion(
          res,
          context,
          {
            role: 'assistant',
            content: response.text ?? null,
            refusal: null,
            tool_calls: calls.map((call) => ({
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: call.arguments },
            })),
          },
          'tool_calls',
          usage,
        );
        return;
      }
      const sse = openStream(res, context, includeUsage, response.chunkDelayMs);
      if (!(await sse.choice({ role: 'assistant', content: response.text ?? null, refusal: null }, null))) return;
      for (const [index, call] of calls.entries()) {
        // As OpenAI does: id and name first with empty arguments, then the arguments in pieces.
        const head = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
        if (!(await sse.choice({ tool_calls: [head] }, null))) return;
        for (const piece of splitIntoPieces(call.arguments, 4)) {
          if (!(await sse.choice({ tool_calls: [{ index, function: { arguments: piece } }] }, null))) return;
        }
      }
      if (!(await sse.choice({}, 'tool_calls'))) return;
      await sse.finish(usage);
      return;
    }
  }
}

interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

function usageFor(usage: FakeUsage | null | undefined, context: AnswerContext, completion: number): WireUsage | null {
  if (usage === null) return null;
  const promptTokens = usage?.promptTokens ?? context.promptTokens;
  const completionTokens = usage?.completionTokens ?? completion;
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

interface SseWriter {
  /** Writes one choice chunk; false when the client is gone. */
  choice(delta: Record<string, unknown>, finishReason: string | null): Promise<boolean>;
  /** Writes the usage chunk (if asked for) and [DONE], then ends the response. */
  finish(usage: WireUsage | null): Promise<void>;
  /** Reports an error inside the stream, as an `event: error` frame or a data chunk with `error`, then ends the response. */
  error(error: unknown, as: 'event' | 'chunk'): Promise<void>;
}

function openStream(
  res: ServerResponse,
  context: AnswerContext,
  includeUsage: boolean,
  delayMs: number | undefined,
): SseWriter {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': `req_${context.id}`,
  });
  const gone = () => res.destroyed || res.writableEnded;
  const send = async (payload: string, event?: string): Promise<boolean> => {
    if (gone()) return false;
    res.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${payload}\n\n`);
    // A pause between writes, so the client really receives a stream of separate events.
    if (delayMs !== undefined && delayMs > 0) await sleep(delayMs);
    else await nextTurn();
    return !gone();
  };
  const base = { id: context.id, object: 'chat.completion.chunk', created: context.created, model: context.model };
  return {
    choice(delta, finishReason) {
      const chunk = {
        ...base,
        system_fingerprint: 'fp_fake',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        // OpenAI marks every chunk but the last with usage: null when usage was asked for.
        ...(includeUsage ? { usage: null } : {}),
      };
      return send(JSON.stringify(chunk));
    },
    async finish(usage) {
      if (includeUsage && usage !== null) {
        if (!(await send(JSON.stringify({ ...base, system_fingerprint: 'fp_fake', choices: [], usage })))) return;
      }
      if (!(await send('[DONE]'))) return;
      res.end();
    },
    async error(error, as) {
      if (!(await send(JSON.stringify({ error }), as === 'event' ? 'error' : undefined))) return;
      res.end();
    },
  };
}

function sendCompletion(
  res: ServerResponse,
  context: AnswerContext,
  message: Record<string, unknown>,
  finishReason: string,
  usage: WireUsage | null,
): void {
  sendJson(res, 200, {
    id: context.id,
    object: 'chat.completion',
    created: context.created,
    model: context.model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    ...(usage === null ? {} : { usage }),
  });
}

function sendError(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, status, body ?? defaultErrorBody(status), headers);
}

function defaultErrorBody(status: number): unknown {
  if (status === 429) {
    return {
      error: {
        message: 'Rate limit reached for requests. Please try again in 1s.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    };
  }
  if (status >= 500) {
    return {
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    };
  }
  return { error: { message: `Request failed with status ${status}.`, type: 'invalid_request_error', param: null, code: null } };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return undefined;
  }
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function splitIntoPieces(text: string, count: number): string[] {
  if (text.length <= 1) return [text];
  const size = Math.ceil(text.length / count);
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

const moderationRequestSchema = z.looseObject({ model: z.string().optional(), input: z.union([z.string(), z.array(z.string())]) });

/** The Moderations API's response: one result per input, every category named, the flagged ones true. */
async function answerModeration(res: ServerResponse, body: unknown, responder: FakeModerationResponder): Promise<void> {
  const parsed = moderationRequestSchema.safeParse(body);
  if (!parsed.success) {
    sendError(res, 400, { error: { message: "'input' is a required property", type: 'invalid_request_error', param: 'input', code: null } });
    return;
  }
  const inputs = typeof parsed.data.input === 'string' ? [parsed.data.input] : parsed.data.input;
  const results = [];
  for (const input of inputs) {
    const verdict = responder(input);
    if ('kind' in verdict) {
      if (verdict.kind === 'hang') {
        // Never answers: the caller's timeout is what ends it.
        await new Promise<void>((resolve) => res.on('close', () => resolve()));
        return;
      }
      sendError(res, verdict.status, undefined);
      return;
    }
    const flaggedCategories = new Set(verdict.categories ?? (verdict.flagged ? ['harassment'] : []));
    results.push({
      flagged: verdict.flagged,
      categories: Object.fromEntries(MODERATION_CATEGORIES.map((category) => [category, flaggedCategories.has(category)])),
      category_scores: Object.fromEntries(MODERATION_CATEGORIES.map((category) => [category, flaggedCategories.has(category) ? 0.97 : 0.001])),
      category_applied_input_types: Object.fromEntries(MODERATION_CATEGORIES.map((category) => [category, ['text']])),
    });
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: `modr-fake-${Date.now()}`, model: parsed.data.model ?? 'omni-moderation-latest', results }));
}
