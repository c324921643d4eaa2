/**
 * The customer-word triggers through the real chat socket, on both drivers:
 * "yes" to the assistant's offer of a person hands over (once, with its
 * source on the ticket), "no" gets an acknowledgement instead of the same
 * offer again, a request in French hands over, and anger building over three
 * messages hands over with its scores as the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from './chat-client.js';
import { openSession, startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const OFFER = 'Would you like me to connect you with a human agent?';

async function guestChat(server: RunningTestServer) {
  const session = await openSession(server.url, {});
  const client = await ChatTestClient.connect(server.url, session.token);
  await client.waitFor('session_state');
  return { sessionId: session.sessionId, client };
}

async function ticketsOf(server: RunningTestServer, sessionId: string) {
  const { rows } = await server.db.query<{ source: string; reason: string }>('SELECT source, reason FROM support_tickets WHERE session_id = $1', [sessionId]);
  return rows;
}

describe.each(testDrivers)('customer-word triggers on %s', (driver) => {
  let server: RunningTestServer;
  beforeAll(async () => {
    server = await startTestServer({ driver });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('"yes" to the offer of a person hands the conversation over, with accepted_offer on the ticket', async () => {
    const { sessionId, client } = await guestChat(server);
    const first = await client.ask('What is the weather on Mars?');
    expect(first.reply.text).toContain(OFFER);

    const yes = await client.ask('yes please');
    expect(yes.reply).toMatchObject({ role: 'system', kind: 'handoff', replyToMessageId: yes.ack.messageId });
    await client.waitFor('escalated');
    expect(await ticketsOf(server, sessionId)).toEqual([{ source: 'accepted_offer', reason: 'Accepted the assistant\'s offer of a person: "yes please"' }]);
    client.close();
  });

  it('"no" gets an acknowledgement, not the offer again; then a request in French hands over', async () => {
    const { sessionId, client } = await guestChat(server);
    expect((await client.ask('What is the weather on Mars?')).reply.text).toContain(OFFER);
    const no = await client.ask('no thanks');
    expect(no.reply).toMatchObject({ role: 'assistant', replyToMessageId: no.ack.messageId });
    expect(no.reply.text).toBe("No problem, I'm still here. What else can I help you with?");
    expect(await ticketsOf(server, sessionId)).toEqual([]);

    const french = await client.ask('Je voudrais parler à un conseiller');
    expect(french.reply).toMatchObject({ role: 'system', kind: 'handoff' });
    expect((await ticketsOf(server, sessionId)).map((ticket) => ticket.source)).toEqual(['explicit_request']);
    client.close();
  });

  it('anger building over three messages hands over, with the scores as the reason', async () => {
    const { sessionId, client } = await guestChat(server);
    // Annoyed, but asking questions the assistant answers: no handoff until the third.
    const first = await client.ask('Ugh, this is so annoying. How much does it cost to cancel a flight?');
    const second = await client.ask('I hate these fees. What is the baggage allowance?');
    expect([first.reply.role, second.reply.role]).toEqual(['assistant', 'assistant']);
    expect(await ticketsOf(server, sessionId)).toEqual([]);
    const third = await client.ask('Terrible. How long does a refund take?');
    expect(third.reply).toMatchObject({ role: 'system', kind: 'handoff', replyToMessageId: third.ack.messageId });
    const [ticket] = await ticketsOf(server, sessionId);
    expect(ticket?.source).toBe('negative_sentiment');
    expect(ticket?.reason).toMatch(/^Negative sentiment over the last 3 messages \(scores -\d+, -\d+, -\d+; total -\d+\)/);
    client.close();
  });

});
