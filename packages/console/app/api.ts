/**
 * The agent API over fetch: the bearer token on every call, every answer
 * validated against the contract's zod schemas (@support/protocol), every
 * failure an ApiError carrying the API's own code and message.
 */
import {
  agentConversationSchema,
  agentLoginResponseSchema,
  agentNoteSchema,
  agentQueueResponseSchema,
  agentSchema,
  messageSchema,
  queueEntrySchema,
  type AgentConversation,
  type AgentLoginResponse,
  type AgentNote,
  type Agent,
  type Message,
  type QueueEntry,
} from '@support/protocol';
import { z } from 'zod';

export type { Agent, AgentConversation, AgentNote, Message, QueueEntry };

const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string().optional(), retryable: z.boolean().optional() }) });
const refreshResponseSchema = z.object({ token: z.string(), expiresAt: z.string() });
const meResponseSchema = z.object({ agent: agentSchema });
const claimResponseSchema = z.object({ entry: queueEntrySchema });
const messageResponseSchema = z.object({ message: messageSchema });
const noteResponseSchema = z.object({ note: agentNoteSchema });
const emptyResponseSchema = z.object({}).passthrough();
export const cannedResponseSchema = z.object({ id: z.string(), title: z.string(), text: z.string() });
export type CannedResponse = z.infer<typeof cannedResponseSchema>;
const cannedResponsesSchema = z.object({ responses: z.array(cannedResponseSchema) });

const REFRESH_PATH = '/support/agent/token/refresh';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the service could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** The current agent token, read on every call (it changes on refresh). */
  getToken: () => string | null;
  /** A call other than login was refused with 401: the token is gone. */
  onUnauthorized: () => void;
  baseUrl?: string;
}

const FALLBACK_MESSAGES: Record<number, string> = {
  0: 'Cannot reach the support service. Check your connection and try again.',
  401: 'Please sign in again.',
  403: 'You are not allowed to do that.',
  404: 'Not found.',
  409: 'Someone else changed this first.',
  429: 'Too many attempts; wait a moment and try again.',
};

export class ApiClient {
  /** Server clock minus this browser's, from the Date header: expiresAt and waitingSince are the server's times. */
  clockOffsetMs = 0;
  private clockKnown = false;

  constructor(private readonly options: ApiClientOptions) {}

  /** The server's "now" in this browser's clock terms. */
  serverNow(): number {
    return Date.now() + this.clockOffsetMs;
  }

  login(email: string, password: string): Promise<AgentLoginResponse> {
    return this.request('POST', '/support/agent/login', agentLoginResponseSchema, { body: { email, password }, auth: false });
  }

  refresh(): Promise<{ token: string; expiresAt: string }> {
    return this.request('POST', REFRESH_PATH, refreshResponseSchema);
  }

  async logout(): Promise<void> {
    await this.request('POST', '/support/agent/logout', null, { quietUnauthorized: true });
  }

  async me(): Promise<Agent> {
    return (await this.request('GET', '/support/agent/me', meResponseSchema)).agent;
  }

  async queue(): Promise<QueueEntry[]> {
    return (await this.request('GET', '/support/agent/queue', agentQueueResponseSchema)).conversations;
  }

  conversation(sessionId: string): Promise<AgentConversation> {
    return this.request('GET', `/support/agent/conversations/${encodeURIComponent(sessionId)}`, agentConversationSchema);
  }

  async claim(sessionId: string): Promise<QueueEntry> {
    return (await this.request('POST', `${conversationPath(sessionId)}/claim`, claimResponseSchema)).entry;
  }

  async sendMessage(sessionId: string, text: string): Promise<Message> {
    return (await this.request('POST', `${conversationPath(sessionId)}/messages`, messageResponseSchema, { body: { text } })).message;
  }

  async addNote(sessionId: string, text: string): Promise<AgentNote> {
    return (await this.request('POST', `${conversationPath(sessionId)}/notes`, noteResponseSchema, { body: { text } })).note;
  }

  async resolve(sessionId: string): Promise<void> {
    await this.request('POST', `${conversationPath(sessionId)}/resolve`, emptyResponseSchema);
  }

  async handBack(sessionId: string): Promise<void> {
    await this.request('POST', `${conversationPath(sessionId)}/hand-back`, emptyResponseSchema);
  }

  async cannedResponses(): Promise<CannedResponse[]> {
    return (await this.request('GET', '/support/agent/canned-responses', cannedResponsesSchema)).responses;
  }

  /** A file the service sends (an export), with the same token and errors: its text. */
  async fetchText(path: string): Promise<string> {
    const token = this.options.getToken();
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl ?? ''}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, credentials: 'omit', cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'network_error', FALLBACK_MESSAGES[0] as string, true);
    }
    if (!response.ok) throw await readError(response);
    return response.text();
  }

  /** Any other JSON call with the same token, validation and errors (the admin API, admin-api.ts); `headers` such as If-Match. */
  call<T>(method: HttpMethod, path: string, schema: z.ZodType<T>, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return this.request(method, path, schema, { ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) });
  }

  private async request<T>(
    method: HttpMethod,
    path: string,
    schema: z.ZodType<T> | null,
    options: { body?: unknown; headers?: Record<string, string>; auth?: boolean; quietUnauthorized?: boolean; retried?: boolean } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
    const token = options.auth === false ? null : this.options.getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    // A body-less POST goes without a content type: the server refuses an empty JSON body.
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl ?? ''}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network_error', FALLBACK_MESSAGES[0] as string, true);
    }
    this.noteServerClock(response);
    if (!response.ok) {
      const error = await readError(response);
      if (response.status === 401 && token !== null && !options.quietUnauthorized) {
        // Sent just before a refresh replaced the token: once more with the new one.
        if (!options.retried && this.options.getToken() !== token && path !== REFRESH_PATH) return this.request(method, path, schema, { ...options, retried: true });
        this.options.onUnauthorized();
      }
      throw error;
    }
    if (schema === null || response.status === 204) return undefined as T;
    let raw: unknown;
    try {
      raw = await response.json();
    } catch {
      throw new ApiError(response.status, 'bad_response', 'The service sent an answer this console cannot read.');
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new ApiError(response.status, 'bad_response', 'The service sent an answer this console does not understand.');
    return parsed.data;
  }

  private noteServerClock(response: Response): void {
    const date = Date.parse(response.headers.get('date') ?? '');
    if (!Number.isFinite(date)) return;
    // Whole seconds: the server's time lies within the second after it. Small wobbles would make timers jump.
    const offset = date + 500 - Date.now();
    if (!this.clockKnown || Math.abs(offset - this.clockOffsetMs) > 1500) this.clockOffsetMs = offset;
    this.clockKnown = true;
  }
}

function conversationPath(sessionId: string): string {
  return `/support/agent/conversations/${encodeURIComponent(sessionId)}`;
}

async function readError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): the status speaks for itself.
  }
  const parsed = errorBodySchema.safeParse(body);
  const fallback = FALLBACK_MESSAGES[response.status] ?? `The service answered ${response.status}.`;
  if (!parsed.success) return new ApiError(response.status, response.status >= 500 ? 'unavailable' : 'http_error', fallback, response.status >= 500);
  const { code, message, retryable } = parsed.data.error;
  return new ApiError(response.status, code, message || fallback, retryable ?? response.status >= 500);
}
