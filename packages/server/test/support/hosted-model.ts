import { SUMMARY_SYSTEM_PROMPT } from '../../src/escalation/model-summary.js';
import { ChatTestClient } from '../chat-client.js';
import { startFakeOpenAIServer, type ChatRequestBody, type FakeOpenAIServer } from '../fake-openai-server.js';
import { openSession, type RunningTestServer } from '../test-server.js';

/**
 * A service whose model is the fake OpenAI-protocol server, steered through the admin API, and
 * the checks that a change of its settings has reached a node: what the admin-settings tests and
 * the two-node console test share.
 */

export async function adminFetch(baseUrl: string, token: string | null, method: string, path: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

export const systemPromptOf = (body: ChatRequestBody | undefined) => {
  const content = body?.messages[0]?.content;
  return typeof content === 'string' ? content : '';
};

/** The model calls for replies (not the hand-over note, a model call of its own). */
export const replyRequests = (fake: FakeOpenAIServer) => fake.requests.filter((request) => request.chat && systemPromptOf(request.chat) !== SUMMARY_SYSTEM_PROMPT);

/** The fake model answering every reply the same; the hand-over note too. */
export async function startAnsweringFake(apiKey: string): Promise<FakeOpenAIServer> {
  const fake = await startFakeOpenAIServer({ apiKey });
  fake.setDefault({ kind: 'text', chunks: ['Happy to help.'] });
  return fake;
}

export const hostedModelEnv = (fake: FakeOpenAIServer, apiKey: string, adminKey: string) => ({ AI_PROVIDER: 'openai', OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: fake.url, AI_MAX_RETRIES: '0', ADMIN_API_KEY: adminKey });

/** A new conversation on `node`: whether the model call for its reply carried `instruction` in the system prompt. */
export async function replyPromptHas(node: RunningTestServer, fake: FakeOpenAIServer, instruction: string): Promise<boolean> {
  const session = await openSession(node.url);
  const client = await ChatTestClient.connect(node.url, session.token);
  try {
    const before = replyRequests(fake).length;
    await client.ask('What is the baggage allowance?');
    return replyRequests(fake).slice(before).some((request) => systemPromptOf(request.chat).includes(instruction));
  } finally {
    client.close();
  }
}

/** A new conversation on `node`: whether its first message went to a person as `ai_disabled` (the kill switch), not to the model. */
export async function handedOverAsAiDisabled(node: RunningTestServer): Promise<boolean> {
  const session = await openSession(node.url);
  const client = await ChatTestClient.connect(node.url, session.token);
  try {
    const from = client.events.length;
    client.send({ type: 'send_message', clientMessageId: 'k', text: 'Is my flight on time?' });
    const next = await client.waitFor('message', (event) => event.message.role !== 'user', { from, timeoutMs: 10_000 });
    return next.message.role === 'system' && (await node.db.query(`SELECT 1 FROM support_tickets WHERE session_id = $1 AND source = 'ai_disabled'`, [session.sessionId])).rows.length === 1;
  } finally {
    client.close();
  }
}
