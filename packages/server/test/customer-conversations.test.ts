import { customerConversationsResponseSchema, type CustomerConversationsResponse } from '@support/protocol';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentLogin, MAYA } from './agent-client.js';
import { ChatTestClient } from './chat-client.js';
import { openSession, postSession, signCustomerToken, startTestServer, TEST_HOST_SECRET, testDrivers, type RunningTestServer } from './test-server.js';

/**
 * GET /support/chat/conversations: a signed-in customer's earlier
 * conversations (host-signed customer token only), and reopening one with
 * resumeSessionId, which only its own customer may do.
 */
describe.each(testDrivers)('a customer\'s earlier conversations on %s', (driver) => {
  let server: RunningTestServer;

  beforeAll(async () => {
    server = await startTestServer({ driver });
  });
  afterAll(async () => {
    await server?.close();
  });

  const list = (authorization?: string, query = '') =>
    fetch(`${server.url}/support/chat/conversations${query}`, { headers: authorization === undefined ? {} : { authorization } });

  const listOf = async (customerToken: string, query = ''): Promise<CustomerConversationsResponse['conversations']> => {
    const response = await list(`Bearer ${customerToken}`, query);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    return customerConversationsResponseSchema.parse(await response.json()).conversations;
  };

  /** A conversation of the customer whose token this is: one question per text, each answered. */
  const converse = async (customerToken: string | null, texts: string[], resumeSessionId?: string) => {
    const session = await openSession(server.url, { ...(customerToken ? { customerToken } : {}), ...(resumeSessionId ? { resumeSessionId } : {}) });
    const client = await ChatTestClient.connect(server.url, session.token);
    for (const text of texts) await client.ask(text);
    client.close();
    return session.sessionId;
  };

  it('lists each customer\'s own conversations only, newest activity first, with a redacted, clipped preview', async () => {
    const lucia = await signCustomerToken(server, 'cus_lucia');
    const omar = await signCustomerToken(server, 'cus_omar');
    const long = `Hello, I have a question about baggage allowance on my next trip, ${'and a lot more detail about the bags '.repeat(6)}`;
    const first = await converse(lucia, ['Please write to me at lucia.private@example.com about my refund', 'Thanks!']);
    const second = await converse(lucia, [long]);
    const omars = await converse(omar, ['What is the baggage allowance?']);
    await converse(null, ['A guest asks about baggage']);
    await openSession(server.url, { customerToken: lucia }); // opened, never used: not a conversation
    // A later message in the first conversation makes it the most recent one.
    await converse(lucia, ['One more thing about my refund'], first);

    const lucias = await listOf(lucia);
    expect(lucias.map((conversation) => conversation.sessionId)).toEqual([first, second]);
    const [newest, older] = lucias;
    expect(newest?.preview).toBe('Please write to me at [EMAIL] about my refund');
    expect(newest?.status).toBe('ai');
    expect(Date.parse(newest?.lastMessageAt ?? '')).toBeGreaterThanOrEqual(Date.parse(older?.lastMessageAt ?? ''));
    expect(Date.parse(newest?.startedAt ?? '')).toBeLessThanOrEqual(Date.parse(older?.startedAt ?? ''));
    expect(Date.parse(newest?.lastMessageAt ?? '')).toBeGreaterThan(Date.parse(newest?.startedAt ?? ''));
    expect(Array.from(older?.preview ?? '')).toHaveLength(120);
    expect(older?.preview).toMatch(/^Hello, I have a question about baggage allowance on my next trip, and a lot more detail.*…$/);
    expect(JSON.stringify(lucias)).not.toContain('lucia.private@example.com');

    expect((await listOf(omar)).map((conversation) => conversation.sessionId)).toEqual([omars]);
    // Omar's list holds nothing of Lucía's, and the other way round.
    expect(JSON.stringify(await listOf(omar))).not.toContain(first);
    expect(JSON.stringify(lucias)).not.toContain(omars);
  });

  it('takes ?limit= from 1 to 50 (20 by default)', async () => {
    const amara = await signCustomerToken(server, 'cus_amara');
    const sessions = [];
    for (const text of ['First question about baggage', 'Second question about seats']) sessions.push(await converse(amara, [text]));
    expect((await listOf(amara, '?limit=1')).map((conversation) => conversation.sessionId)).toEqual([sessions[1]]);
    expect(await listOf(amara, '?limit=50')).toHaveLength(2);
    for (const bad of ['0', '51', '2.5', 'many']) {
      const response = await list(`Bearer ${amara}`, `?limit=${bad}`);
      expect(response.status, bad).toBe(400);
      expect(await response.json(), bad).toMatchObject({ error: { code: 'invalid_request' } });
    }
  });

  it('refuses a guest, a session token, an agent token, an agent login token and a bad signature with 401', async () => {
    const guest = await openSession(server.url);
    const customerSession = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_alice') });
    const agent = await agentLogin(server.url, MAYA.email);
    expect(agent.token).toMatch(/^at_/);
    const agentLoginToken = await server.customerTokens.sign({ sub: 'agent_x', name: 'Maya', email: 'maya@example.com', role: 'agent' });
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('cus_alice').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(`${TEST_HOST_SECRET}-not`));
    const refusals: Array<[string, string | undefined]> = [
      ['no token (a guest)', undefined],
      ['an empty header', ''],
      ['not a bearer', `Basic ${Buffer.from('a:b').toString('base64')}`],
      ['a guest session token', `Bearer ${guest.token}`],
      ['a customer session token', `Bearer ${customerSession.token}`],
      ['an agent token', `Bearer ${agent.token}`],
      ['a host-signed agent login', `Bearer ${agentLoginToken}`],
      ['a bad signature', `Bearer ${forged}`],
    ];
    for (const [label, authorization] of refusals) {
      const response = await list(authorization);
      expect(response.status, label).toBe(401);
      const body = (await response.json()) as { error: { code: string }; conversations?: unknown };
      expect(['unauthorized', 'invalid_customer_token'], label).toContain(body.error.code);
      expect(body.conversations, label).toBeUndefined();
    }
  });

  it('reopens a conversation only for its own customer: another customer\'s token with its id is refused', async () => {
    const lucia = await signCustomerToken(server, 'cus_lucia');
    const omar = await signCustomerToken(server, 'cus_omar');
    const omars = await converse(omar, ['Question about my wallet']);
    const [listed] = await listOf(omar, '?limit=1');
    expect(listed?.sessionId).toBe(omars);

    const byLucia = await postSession(server.url, { customerToken: lucia, resumeSessionId: omars });
    expect(byLucia.status).toBe(404);
    expect(byLucia.body).toMatchObject({ error: { code: 'session_not_found' } });
    expect(JSON.stringify(byLucia.body)).not.toContain('"token"');
    const byGuest = await postSession(server.url, { resumeSessionId: omars });
    expect(byGuest.status).toBe(404);

    // Omar still can, and the conversation is the one he had.
    const resumed = await openSession(server.url, { customerToken: omar, resumeSessionId: omars });
    expect(resumed.sessionId).toBe(omars);
    const history = await fetch(`${server.url}/support/chat/session/${omars}/messages`, { headers: { authorization: `Bearer ${resumed.token}` } });
    expect(((await history.json()) as { messages: Array<{ text: string }> }).messages[0]?.text).toBe('Question about my wallet');
  });
});

describe('the conversation list is limited per client address', () => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { RATE_LIMIT_SESSIONS_PER_IP_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 429 rate_limited with Retry-After past the budget, also to bad tokens', async () => {
    const token = await signCustomerToken(server, 'cus_alice');
    const statuses: number[] = [];
    for (const authorization of [`Bearer ${token}`, 'Bearer not-a-token', `Bearer ${token}`]) {
      statuses.push((await fetch(`${server.url}/support/chat/conversations`, { headers: { authorization } })).status);
    }
    expect(statuses).toEqual([200, 401, 200]);
    const over = await fetch(`${server.url}/support/chat/conversations`, { headers: { authorization: `Bearer ${token}` } });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await over.json()).toMatchObject({ error: { code: 'rate_limited', retryable: true } });
    // Its own budget: creating a session is still allowed.
    expect((await postSession(server.url, {})).status).toBe(201);
  });
});
