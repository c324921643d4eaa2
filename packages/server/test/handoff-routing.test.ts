import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentCall, agentLogin, AgentTestClient, MAYA, SAM } from './agent-client.js';
import { ChatTestClient } from './chat-client.js';
import { startRedisNodes } from './support/redis-nodes.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { openSession, signCustomerToken, startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const SLOW_CHUNKS = ['Refunds ', 'usually ', 'reach ', 'your ', 'card ', 'in ', 'five ', 'to ', 'ten ', 'business ', 'days, ', 'depending ', 'on ', 'your ', 'bank.'];

/**
 * Bot silence: a reply the model is still writing when the conversation is
 * handed to a person is cut there. Not one more delta, no final AI message,
 * nothing stored: after `agent_joined` only people speak.
 */
describe.each(testDrivers)('a handoff during a streaming reply on %s', (driver) => {
  let fake: FakeOpenAIServer;
  let server: RunningTestServer;
  beforeAll(async () => {
    fake = await startFakeOpenAIServer();
    // About three seconds of streaming: the handoff lands in the middle.
    fake.setDefault(() => ({ kind: 'text', chunks: SLOW_CHUNKS, chunkDelayMs: 200 }));
    server = await startTestServer({ driver, modelFromConfig: true, env: { AI_PROVIDER: 'openai-compatible', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'fake', AI_MAX_RETRIES: '0' } });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('never lets the running reply reach the customer after agent_joined, and stores none of it', async () => {
    const maya = await agentLogin(server.url, MAYA.email);
    const desk = await AgentTestClient.online(server.url, maya.token);
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    client.send({ type: 'send_message', clientMessageId: 'slow-1', text: 'How long does a refund take?' });
    const question = (await client.waitFor('ack')).messageId;
    await client.waitFor('message_delta');

    client.send({ type: 'escalate', reason: 'I would rather ask a person' });
    const joined = await client.waitFor('agent_joined');
    // Let the model finish streaming what it would have said.
    await new Promise((resolve) => setTimeout(resolve, SLOW_CHUNKS.length * 200 + 500));
    await client.settle(300);

    const after = client.events.slice(client.events.indexOf(joined));
    expect(after.filter((event) => event.type === 'message_delta')).toEqual([]);
    expect(after.filter((event) => event.type === 'message' && event.message.role === 'assistant')).toEqual([]);
    const stored = await server.db.query<{ role: string; kind: string | null }>('SELECT role, kind FROM support_chat_messages WHERE reply_to_id = $1', [question]);
    // The one answer the question got is the handoff notice (which also ends the cut stream in clients).
    expect(stored.rows).toEqual([{ role: 'system', kind: 'handoff' }]);
    expect((await server.db.query('SELECT 1 FROM support_pending_replies WHERE session_id = $1', [session.sessionId])).rows).toEqual([]);
    client.close();
    desk.close();
  }, 30_000);
});

describe('business hours', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    // A Saturday, 11:00 in London.
    const saturday = new Date('2026-12-05T11:00:00Z');
    server = await startTestServer({ now: () => saturday, env: { BUSINESS_HOURS: 'mon-fri 09:00-18:00', BUSINESS_TIMEZONE: 'Europe/London' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('outside them, a handoff is a ticket even with an agent online, and the customer is told when the team is back', async () => {
    const maya = await agentLogin(server.url, MAYA.email);
    const desk = await AgentTestClient.online(server.url, maya.token);
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    client.send({ type: 'escalate' });
    expect(await client.waitFor('escalated')).toMatchObject({ mode: 'ticket' });
    const notice = await client.waitFor('message', (event) => event.message.kind === 'handoff');
    expect(notice.message.text).toContain('Mon–Fri 09:00–18:00 (Europe/London)');
    expect(notice.message.text).toContain('Monday 09:00 (Europe/London)');
    // Not assigned: nobody joins a chat out of hours; it waits in the queue as a ticket.
    await desk.waitFor((event) => event.type === 'queue_updated' && event.entry?.sessionId === session.sessionId && event.entry.mode === 'ticket');
    expect(client.events.filter((event) => event.type === 'agent_joined')).toEqual([]);
    client.close();
    desk.close();
  });
});

/**
 * Nobody waits in the live queue longer than it takes an agent to be free:
 * Maya (one chat at a time here) is busy, so the next customer waits; when she
 * resolves, that customer is hers at once. Sam (the admin) is away; the moment
 * he is online the next waiting customer goes to him.
 */
describe('the waiting live queue drains', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { AGENT_MAX_CHATS: '1' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function customerAsksForAPerson() {
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    client.send({ type: 'escalate' });
    expect(await client.waitFor('escalated')).toMatchObject({ mode: 'live_agent' });
    return { sessionId: session.sessionId, client };
  }

  it('assigns the longest-waiting live chat when an agent frees a slot or comes online', async () => {
    const maya = await agentLogin(server.url, MAYA.email);
    const sam = await agentLogin(server.url, SAM.email);
    const mayaDesk = await AgentTestClient.online(server.url, maya.token);
    const samDesk = await AgentTestClient.connect(server.url, sam.token);
    samDesk.send({ type: 'presence', status: 'away' });
    await samDesk.waitFor((event) => event.type === 'presence' && event.status === 'away');

    const first = await customerAsksForAPerson();
    expect(await first.client.waitFor('agent_joined')).toEqual({ type: 'agent_joined', agentName: 'Maya Chen' });
    // Maya is at her cap: the next two wait, first come first served.
    const second = await customerAsksForAPerson();
    const third = await customerAsksForAPerson();
    await mayaDesk.waitFor((event) => event.type === 'queue_updated' && event.entry?.sessionId === third.sessionId && event.entry.status === 'waiting');
    expect(second.client.events.some((event) => event.type === 'agent_joined')).toBe(false);

    expect((await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${first.sessionId}/resolve`)).status).toBe(200);
    expect(await second.client.waitFor('agent_joined')).toEqual({ type: 'agent_joined', agentName: 'Maya Chen' });
    await mayaDesk.waitFor((event) => event.type === 'queue_updated' && event.entry?.sessionId === second.sessionId && event.entry.assignedTo === maya.agent.id);

    samDesk.send({ type: 'presence', status: 'online' });
    expect(await third.client.waitFor('agent_joined')).toEqual({ type: 'agent_joined', agentName: 'Sam Rivera' });
    for (const socket of [first.client, second.client, third.client, mayaDesk, samDesk]) socket.close();
  });
});

/**
 * Server mode: the customer's socket on node A, the agent's on node B, one
 * PostgreSQL and one Redis. Everything crosses: the queue, the join, the
 * customer's messages and the agent's reply.
 */
describe.runIf(process.env.TEST_REDIS_URL && process.env.TEST_DATABASE_URL)('customer on node A, agent on node B', () => {
  let deployment: Awaited<ReturnType<typeof startRedisNodes>> | undefined;
  let nodes: RunningTestServer[] = [];

  beforeAll(async () => {
    deployment = await startRedisNodes(2);
    nodes = deployment.nodes;
  });
  afterAll(async () => {
    await deployment?.close();
  });

  it('hands over, joins, chats and resolves across the two nodes', async () => {
    const [nodeA, nodeB] = nodes;
    if (!nodeA || !nodeB) throw new Error('nodes missing');
    const maya = await agentLogin(nodeB.url, MAYA.email);
    const desk = await AgentTestClient.online(nodeB.url, maya.token);
    const session = await openSession(nodeA.url, { customerToken: await signCustomerToken(nodeA, 'cus_omar') });
    const client = await ChatTestClient.connect(nodeA.url, session.token);
    await client.waitFor('session_state');

    client.send({ type: 'send_message', clientMessageId: 'a-1', text: 'Can I speak to a human please?' });
    // Maya's presence (node B's row) makes it a live chat on node A, assigned to her.
    expect(await client.waitFor('escalated')).toMatchObject({ mode: 'live_agent' });
    expect(await client.waitFor('agent_joined')).toEqual({ type: 'agent_joined', agentName: 'Maya Chen' });
    await desk.waitFor((event) => event.type === 'queue_updated' && event.entry?.sessionId === session.sessionId && event.entry.status === 'assigned');

    client.send({ type: 'send_message', clientMessageId: 'a-2', text: 'My booking is W3KR6E.' });
    await desk.waitFor((event) => event.type === 'message' && event.sessionId === session.sessionId && event.message.text === 'My booking is W3KR6E.');
    expect((await agentCall(nodeB.url, maya.token, 'POST', `/support/agent/conversations/${session.sessionId}/messages`, { text: 'Thanks Omar, looking at W3KR6E now.' })).status).toBe(201);
    expect((await client.waitFor('message', (event) => event.message.role === 'agent')).message).toMatchObject({ text: 'Thanks Omar, looking at W3KR6E now.', authorName: 'Maya Chen' });
    expect((await agentCall(nodeB.url, maya.token, 'POST', `/support/agent/conversations/${session.sessionId}/resolve`)).status).toBe(200);
    await client.waitFor('message', (event) => event.message.kind === 'resolved');
    expect((await client.ask('What is the cabin baggage allowance?')).reply.role).toBe('assistant');
    client.close();
    desk.close();
  });
});
