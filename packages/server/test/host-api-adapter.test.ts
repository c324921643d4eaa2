import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from './chat-client.js';
import { startFakeHostServer, type FakeHostServer } from './fake-host-server.js';
import { openSession, signCustomerToken, startTestServer, type RunningTestServer } from './test-server.js';

const HMAC_SECRET = 'service-to-host-hmac-secret-abcdef012345';

/** The chat service with HOST_ADAPTER=http: the tools read the company's own API, signed, over real HTTP. */
describe('chat service on the host API adapter', () => {
  let host: FakeHostServer;
  let server: RunningTestServer;

  beforeAll(async () => {
    host = await startFakeHostServer({ hmacSecret: HMAC_SECRET });
    server = await startTestServer({
      env: { HOST_ADAPTER: 'http', HOST_API_BASE_URL: host.url, HOST_API_HMAC_SECRET: HMAC_SECRET, HOST_API_TIMEOUT_MS: '500', HOST_API_RETRIES: '1' },
    });
  });
  afterAll(async () => {
    await server?.close();
    await host?.close();
  });

  it('answers booking questions from the host API, as the signed-in customer, and never with someone else\'s', async () => {
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_omar') });
    const client = await ChatTestClient.connect(server.url, session.token);
    const own = await client.ask("What's the status of my booking W3KR6E?");
    expect(own.reply.text).toContain('W3KR6E');
    const other = await client.ask("What's the status of my booking SKY4F2?");
    expect(other.reply.text).toMatch(/couldn't find a booking/);
    const bookingCalls = host.requests.filter((request) => request.path.includes('/bookings/'));
    expect(bookingCalls.map((request) => request.path)).toEqual(['/api/customers/cus_omar/bookings/W3KR6E', '/api/customers/cus_omar/bookings/SKY4F2']);
    expect(bookingCalls.every((request) => request.authenticated && request.customerId === 'cus_omar')).toBe(true);
    client.close();
  });

  it('tells the customer when the host is down, offers a human, and audits the failure', async () => {
    const session = await openSession(server.url, { customerToken: await signCustomerToken(server, 'cus_omar') });
    const client = await ChatTestClient.connect(server.url, session.token);
    host.failNext(10, 503);
    const { reply } = await client.ask('What is my wallet balance?');
    host.failNext(0, 503);
    expect(reply.text).toMatch(/couldn't reach that system/);
    expect(reply.text).toMatch(/human agent/);
    const audit = await server.db.query<{ tool: string; outcome: string }>('SELECT tool, outcome FROM support_tool_audit WHERE session_id = $1', [session.sessionId]);
    expect(audit.rows).toEqual([{ tool: 'get_wallet_balance', outcome: 'tool_failed' }]);
    client.close();
  });
});
