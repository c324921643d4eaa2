import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentConversationSchema, agentQueueResponseSchema, messageHistoryResponseSchema, queueEntrySchema, type AgentServerEvent } from '@support/protocol';
import { z } from 'zod';
import { CLOSE_UNAUTHORIZED } from '../src/ws/chat-socket.js';
import { agentCall, agentLogin, AgentTestClient, MAYA, SAM } from './agent-client.js';
import { ChatTestClient } from './chat-client.js';
import { openSession, postSession, signCustomerToken, startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const errorCode = (body: unknown) => z.object({ error: z.object({ code: z.string() }) }).parse(body).error.code;
const isQueueUpdateFor = (sessionId: string, status?: 'waiting' | 'assigned') => (event: AgentServerEvent) =>
  event.type === 'queue_updated' && event.entry?.sessionId === sessionId && (status === undefined || event.entry.status === status);

async function customerChat(server: RunningTestServer, customerId?: string) {
  const session = await openSession(server.url, customerId ? { customerToken: await signCustomerToken(server, customerId) } : {});
  const client = await ChatTestClient.connect(server.url, session.token);
  await client.waitFor('session_state');
  return { session, client };
}

describe.each(testDrivers)('the agent desk on %s', (driver) => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer({ driver, env: { RATE_LIMIT_AGENT_LOGINS_PER_ACCOUNT_PER_MINUTE: '1000' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('signs a demo agent in, and answers a wrong password and an unknown e-mail alike', async () => {
    const maya = await agentLogin(server.url, MAYA.email);
    expect(maya.agent).toMatchObject({ name: 'Maya Chen', email: MAYA.email, role: 'agent' });
    expect(maya.token).toMatch(/^at_/);
    const me = await agentCall(server.url, maya.token, 'GET', '/support/agent/me');
    expect(me.body).toEqual({ agent: maya.agent });

    const attempt = (email: string, password: string) =>
      fetch(`${server.url}/support/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) }).then(async (response) => ({ status: response.status, body: await response.json() }));
    const wrongPassword = await attempt(MAYA.email, 'not-her-password');
    const unknownEmail = await attempt('nobody@agents.skyway.example', 'not-her-password');
    expect(wrongPassword).toEqual({ status: 401, body: { error: { code: 'invalid_credentials', message: 'The e-mail or password is wrong.' } } });
    expect(unknownEmail).toEqual(wrongPassword);

    // Refresh: a new token, and the old one stops working.
    const refreshed = await agentCall(server.url, maya.token, 'POST', '/support/agent/token/refresh');
    const token = z.object({ token: z.string(), expiresAt: z.string() }).parse(refreshed.body).token;
    expect((await agentCall(server.url, maya.token, 'GET', '/support/agent/queue')).status).toBe(401);
    expect((await agentCall(server.url, token, 'GET', '/support/agent/queue')).status).toBe(200);
    expect((await agentCall(server.url, token, 'POST', '/support/agent/logout')).status).toBe(204);
    expect((await agentCall(server.url, token, 'GET', '/support/agent/queue')).status).toBe(401);
  });

  it('takes a host-signed agent token as a login, which is no customer token, and a customer token is no agent login', async () => {
    const hostToken = await server.customerTokens.sign({ sub: 'host-agent-7', name: 'Priya Nair', email: 'priya@host.example', role: 'agent' });
    const login = await fetch(`${server.url}/support/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hostToken }) });
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ agent: { name: 'Priya Nair', email: 'priya@host.example', role: 'agent' } });
    // The same token opens no customer chat…
    expect((await postSession(server.url, { customerToken: hostToken })).status).toBe(401);
    // …and a customer's token is no agent login.
    const customerToken = await signCustomerToken(server, 'cus_alice');
    const refused = await fetch(`${server.url}/support/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hostToken: customerToken }) });
    expect(refused.status).toBe(401);
    expect(errorCode(await refused.json())).toBe('invalid_credentials');
  });

  it('refuses customer and guest tokens on every agent endpoint and the agent socket, and agent tokens on the customer side', async () => {
    const { session: customer, client } = await customerChat(server, 'cus_kenji');
    const { session: guest, client: guestClient } = await customerChat(server);
    const sessionId = customer.sessionId;
    const endpoints: Array<['GET' | 'POST', string, unknown?]> = [
      ['GET', '/support/agent/me'],
      ['GET', '/support/agent/queue'],
      ['GET', '/support/agent/canned-responses'],
      ['GET', `/support/agent/conversations/${sessionId}`],
      ['POST', `/support/agent/conversations/${sessionId}/claim`],
      ['POST', `/support/agent/conversations/${sessionId}/messages`, { text: 'I am an agent now' }],
      ['POST', `/support/agent/conversations/${sessionId}/notes`, { text: 'note' }],
      ['POST', `/support/agent/conversations/${sessionId}/resolve`],
      ['POST', `/support/agent/conversations/${sessionId}/hand-back`],
      ['POST', '/support/agent/token/refresh'],
    ];
    for (const token of [customer.token, guest.token]) {
      for (const [method, path, body] of endpoints) {
        const response = await agentCall(server.url, token, method, path, body);
        expect({ path, status: response.status }).toEqual({ path, status: 401 });
      }
      const socket = await AgentTestClient.connect(server.url, token);
      expect(await socket.waitForClose()).toBe(CLOSE_UNAUTHORIZED);
    }
    const maya = await agentLogin(server.url, MAYA.email);
    const history = await fetch(`${server.url}/support/chat/session/${sessionId}/messages`, { headers: { authorization: `Bearer ${maya.token}` } });
    expect(history.status).toBe(401);
    const refresh = await fetch(`${server.url}/support/chat/session/${sessionId}/refresh`, { method: 'POST', headers: { authorization: `Bearer ${maya.token}` } });
    expect(refresh.status).toBe(401);
    const asCustomer = await ChatTestClient.connect(server.url, maya.token);
    expect(await asCustomer.waitForClose()).toBe(CLOSE_UNAUTHORIZED);
    client.close();
    guestClient.close();
  });

  it('with nobody online, makes a ticket; the reply an agent writes later reaches the customer on reconnect', async () => {
    const { session, client } = await customerChat(server, 'cus_amara');
    client.send({ type: 'escalate', reason: 'My hotel booking T6WJ2R shows the wrong dates' });
    expect(await client.waitFor('escalated')).toMatchObject({ mode: 'ticket' });
    const notice = await client.waitFor('message', (event) => event.message.kind === 'handoff');
    expect(notice.message.text).toMatch(/No agent is free to chat at the moment/);
    client.close();

    const maya = await agentLogin(server.url, MAYA.email);
    const queue = agentQueueResponseSchema.parse((await agentCall(server.url, maya.token, 'GET', '/support/agent/queue')).body);
    const entry = queue.conversations.find((candidate) => candidate.sessionId === session.sessionId);
    expect(entry).toMatchObject({ status: 'waiting', assignedTo: null, mode: 'ticket', trigger: 'customer_button', customer: { id: 'cus_amara', name: 'Amara Okafor' } });
    // Posting before claiming is refused: only the holder writes.
    expect((await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${session.sessionId}/messages`, { text: 'Hello' })).status).toBe(403);
    const claimed = await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${session.sessionId}/claim`);
    expect(claimed.status).toBe(200);
    expect(queueEntrySchema.parse(z.object({ entry: z.unknown() }).parse(claimed.body).entry)).toMatchObject({ status: 'assigned', assignedTo: maya.agent.id, assignedToName: 'Maya Chen' });
    // Claiming again (after an auto-assignment, say) is fine.
    expect((await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${session.sessionId}/claim`)).status).toBe(200);
    const posted = await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${session.sessionId}/messages`, { text: 'I have corrected the dates of T6WJ2R.' });
    expect(posted.status).toBe(201);

    const back = await ChatTestClient.connect(server.url, session.token);
    await back.waitFor('session_state');
    back.send({ type: 'resume' });
    const reply = await back.waitFor('message', (event) => event.message.role === 'agent');
    expect(reply.message).toMatchObject({ text: 'I have corrected the dates of T6WJ2R.', authorName: 'Maya Chen' });
    // agent_joined came first, once, then its notice, then the reply.
    const joinedAt = back.events.findIndex((event) => event.type === 'agent_joined');
    expect(back.events.filter((event) => event.type === 'agent_joined')).toEqual([{ type: 'agent_joined', agentName: 'Maya Chen' }]);
    expect(joinedAt).toBeGreaterThan(-1);
    expect(joinedAt).toBeLessThan(back.events.indexOf(reply));
    back.close();
    const history = messageHistoryResponseSchema.parse(
      await (await fetch(`${server.url}/support/chat/session/${session.sessionId}/messages`, { headers: { authorization: `Bearer ${session.token}` } })).json(),
    );
    expect(history.messages.map((message) => message.kind ?? message.role)).toEqual(['handoff', 'agent_joined', 'agent']);
  });

  it('live: assigns to the online agent, shows the customer to the holder live, keeps notes internal, and after resolve the AI answers without a new handoff', async () => {
    const maya = await agentLogin(server.url, MAYA.email);
    const sam = await agentLogin(server.url, SAM.email);
    const mayaSocket = await AgentTestClient.online(server.url, maya.token);
    const samSocket = await AgentTestClient.online(server.url, sam.token);
    // Sam is at their cap-free desk too but away: only Maya is a candidate.
    samSocket.send({ type: 'presence', status: 'away' });
    await samSocket.waitFor((event) => event.type === 'presence' && event.status === 'away');

    const { session, client } = await customerChat(server, 'cus_lucia');
    const sessionId = session.sessionId;
    client.send({ type: 'send_message', clientMessageId: 'human-1', text: 'I want to talk to a human' });
    expect(await client.waitFor('escalated')).toMatchObject({ mode: 'live_agent' });
    expect(await client.waitFor('agent_joined')).toEqual({ type: 'agent_joined', agentName: 'Maya Chen' });
    // Every agent sees the queue change live.
    await mayaSocket.waitFor(isQueueUpdateFor(sessionId, 'assigned'));
    await samSocket.waitFor(isQueueUpdateFor(sessionId, 'assigned'));

    // The customer's next message is the holder's, live; the AI stays out of it.
    client.send({ type: 'send_message', clientMessageId: 'human-2', text: 'My flight P9AS5M was moved, can I change it for free?' });
    await client.waitFor('ack', (event) => event.clientMessageId === 'human-2');
    const live = await mayaSocket.waitFor((event) => event.type === 'message' && event.sessionId === sessionId);
    expect(live).toMatchObject({ message: { role: 'user', text: 'My flight P9AS5M was moved, can I change it for free?' } });
    expect(samSocket.events.filter((event) => event.type === 'message')).toEqual([]);

    // Another agent can read it but not take it or write in it.
    expect(agentConversationSchema.parse((await agentCall(server.url, sam.token, 'GET', `/support/agent/conversations/${sessionId}`)).body).customer).toMatchObject({ id: 'cus_lucia', tier: 'Silver' });
    const stolen = await agentCall(server.url, sam.token, 'POST', `/support/agent/conversations/${sessionId}/claim`);
    expect({ status: stolen.status, code: errorCode(stolen.body) }).toEqual({ status: 409, code: 'already_claimed' });
    for (const path of ['messages', 'notes', 'resolve', 'hand-back']) {
      const response = await agentCall(server.url, sam.token, 'POST', `/support/agent/conversations/${sessionId}/${path}`, path === 'messages' || path === 'notes' ? { text: 'not mine' } : undefined);
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }

    mayaSocket.send({ type: 'typing', sessionId });
    expect(await client.waitFor('typing', (event) => event.role === 'agent')).toMatchObject({ role: 'agent' });
    expect((await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${sessionId}/notes`, { text: 'Schedule change: waive the fee.' })).status).toBe(201);
    expect((await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${sessionId}/messages`, { text: 'Yes, I have moved it for you at no cost.' })).status).toBe(201);
    await client.waitFor('message', (event) => event.message.role === 'agent');

    const view = agentConversationSchema.parse((await agentCall(server.url, maya.token, 'GET', `/support/agent/conversations/${sessionId}`)).body);
    expect(view.notes.map((note) => note.text)).toEqual(['Schedule change: waive the fee.']);
    expect(view.bookings.map((booking) => booking.reference)).toContain('P9AS5M');
    expect(view.summary).toContain('I want to talk to a human');

    expect((await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${sessionId}/resolve`)).status).toBe(200);
    expect((await client.waitFor('message', (event) => event.message.kind === 'resolved')).message.text).toMatch(/Maya Chen marked this conversation as resolved/);
    await mayaSocket.waitFor((event) => event.type === 'queue_updated' && event.removedSessionId === sessionId);

    // Back to the AI: the next question is answered, and nothing escalates again.
    const from = client.events.length;
    const { reply } = await client.ask('How much does it cost to cancel a flight?');
    expect(reply.role).toBe('assistant');
    expect(client.events.slice(from).filter((event) => event.type === 'escalated')).toEqual([]);
    const history = messageHistoryResponseSchema.parse(
      await (await fetch(`${server.url}/support/chat/session/${sessionId}/messages`, { headers: { authorization: `Bearer ${session.token}` } })).json(),
    );
    expect(history.messages.map((message) => message.text).join('\n')).not.toContain('waive the fee');
    const tickets = await server.db.query<{ status: string; resolution: string }>('SELECT status, resolution FROM support_tickets WHERE session_id = $1', [sessionId]);
    expect(tickets.rows).toEqual([{ status: 'solved', resolution: 'resolved' }]);
    client.close();
    mayaSocket.close();
    samSocket.close();
  });

  it('orders the queue by priority, then by wait, and hand-back gives the AI the conversation again', async () => {
    const maya = await agentLogin(server.url, MAYA.email);
    const guest = await customerChat(server);
    guest.client.send({ type: 'escalate' });
    await guest.client.waitFor('escalated');
    // Alice is a Gold customer: her handoff goes before the guest's, though it came later.
    const alice = await customerChat(server, 'cus_alice');
    alice.client.send({ type: 'escalate' });
    await alice.client.waitFor('escalated');
    const queue = agentQueueResponseSchema.parse((await agentCall(server.url, maya.token, 'GET', '/support/agent/queue')).body).conversations;
    const order = queue.filter((entry) => [guest.session.sessionId, alice.session.sessionId].includes(entry.sessionId)).map((entry) => [entry.sessionId, entry.priority]);
    expect(order).toEqual([
      [alice.session.sessionId, 'high'],
      [guest.session.sessionId, 'normal'],
    ]);

    await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${guest.session.sessionId}/claim`);
    expect((await agentCall(server.url, maya.token, 'POST', `/support/agent/conversations/${guest.session.sessionId}/hand-back`)).status).toBe(200);
    expect((await guest.client.waitFor('message', (event) => event.message.kind === 'handed_back')).message.text).toMatch(/handed the conversation back/);
    expect((await guest.client.ask('Can I bring my dog on the plane?')).reply.role).toBe('assistant');
    guest.client.close();
    alice.client.close();
  });
});
