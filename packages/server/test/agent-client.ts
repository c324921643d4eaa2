import WebSocket from 'ws';
import { agentLoginResponseSchema, agentServerEventSchema, type AgentLoginResponse, type AgentServerEvent } from '@support/protocol';
import { DEMO_AGENT_PASSWORD, DEMO_AGENTS } from '../src/agents/demo-agents.js';

export const MAYA = DEMO_AGENTS[0];
export const SAM = DEMO_AGENTS[1];

/** POST /support/agent/login as the console does; throws unless 200. */
export async function agentLogin(baseUrl: string, email: string, password = DEMO_AGENT_PASSWORD): Promise<AgentLoginResponse> {
  const response = await fetch(`${baseUrl}/support/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (response.status !== 200) throw new Error(`agent login failed with ${response.status}: ${await response.text()}`);
  return agentLoginResponseSchema.parse(await response.json());
}

/** An agent REST call with a bearer token; the body stays unknown until a test parses it. */
export async function agentCall(baseUrl: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text) };
}

/** The agent websocket for tests: records every event (validated against the contract) and waits for the ones expected. */
export class AgentTestClient {
  readonly events: AgentServerEvent[] = [];
  closeCode: number | null = null;
  private listeners: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.events.push(agentServerEventSchema.parse(JSON.parse(data.toString())));
      for (const listener of this.listeners) listener();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      for (const listener of this.listeners) listener();
    });
  }

  static async connect(baseUrl: string, token: string): Promise<AgentTestClient> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/support/agent/ws?token=${encodeURIComponent(token)}`);
    const client = new AgentTestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** Connected and counted as online: the server said so. */
  static async online(baseUrl: string, token: string): Promise<AgentTestClient> {
    const client = await AgentTestClient.connect(baseUrl, token);
    await client.waitFor((event) => event.type === 'presence' && event.status === 'online');
    return client;
  }

  send(event: unknown): void {
    this.socket.send(typeof event === 'string' ? event : JSON.stringify(event));
  }

  /** The first event (from index `from`) that matches, now or later. */
  waitFor(predicate: (event: AgentServerEvent) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<AgentServerEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(options.from ?? 0).find(predicate);
        if (!found) return false;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((listener) => listener !== onEvent);
        resolve(found);
        return true;
      };
      const onEvent = () => void check();
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((listener) => listener !== onEvent);
        reject(new Error(`timed out; agent socket got ${JSON.stringify(this.events.map((event) => event.type))}`));
      }, options.timeoutMs ?? 10_000);
      if (!check()) this.listeners.push(onEvent);
    });
  }

  waitForClose(timeoutMs = 5000): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.closeCode === null) return;
        clearTimeout(timer);
        resolve(this.closeCode);
      };
      const timer = setTimeout(() => reject(new Error('timed out waiting for close')), timeoutMs);
      this.listeners.push(check);
      check();
    });
  }

  close(): void {
    this.socket.close();
  }
}
