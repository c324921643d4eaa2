import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARY_SYSTEM_PROMPT } from '../src/escalation/model-summary.js';
import { ChatTestClient } from './chat-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './fake-openai-server.js';
import { openSession, signCustomerToken, startTestServer, testDrivers, type RunningTestServer } from './test-server.js';

const API_KEY = 'sk-test-redaction-0123456789abcdef';

/**
 * The customer's secrets in the variants that used to slip through, each
 * with the digits (or letters) that must not appear anywhere outside the
 * transcript, and how it is written in the message.
 */
const SECRETS = [
  { written: '4111_1111_1111_1111', traces: ['4111_1111_1111_1111', '4111111111111111', '1111_1111'] },
  { written: 'cc5555555555554444', traces: ['5555555555554444', '55555555'] },
  { written: '4012/8888/8888/1881', traces: ['4012/8888', '4012888888881881', '8888/1881'] },
  { written: '３７８２８２２４６３１０００５', traces: ['３７８２', '378282246310005'] },
  { written: 'gb82 west 1234 5698 7654 32', traces: ['gb82 west', 'GB82WEST', '98 7654 32', '12345698765432'] },
  { written: '+44 7911 123456', traces: ['7911 123456', '7911123456'] },
  { written: 'alice.private@example.org', traces: ['alice.private', 'private@example'] },
  { written: 'passport number 512345678', traces: ['512345678'] },
];
const MESSAGE = `My card ${SECRETS[0]!.written} was charged twice for SKY4F2, €75 each time; my other card ${SECRETS[1]!.written} too. Refund to IBAN ${SECRETS[4]!.written}.`;
const SECOND_MESSAGE = `Also ${SECRETS[2]!.written} and ${SECRETS[3]!.written}; call ${SECRETS[5]!.written}, mail ${SECRETS[6]!.written}, my ${SECRETS[7]!.written}. Booking SKY4F2, ticket amount €150.00.`;
const ALL_TRACES = SECRETS.flatMap((secret) => secret.traces);

const leaksIn = (where: string, text: string) =>
  ALL_TRACES.filter((trace) => text.toLowerCase().includes(trace.toLowerCase())).map((trace) => `${where}: ${trace}`);

/**
 * PII through the real service: a customer writes cards, an IBAN, a phone,
 * an e-mail and a passport number; the (fake, real-protocol) model calls a
 * tool with them and an upstream error echoes them. Outside the transcript
 * (logs, support_ai_interactions, tool audit, tickets, the conversation
 * list, what goes to the model) none survives, while booking references and
 * prices do.
 */
describe.each(testDrivers)('PII redaction through the whole service on %s', (driver) => {
  let fake: FakeOpenAIServer;
  let server: RunningTestServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    fake = await startFakeOpenAIServer({ apiKey: API_KEY });
    fake.setDefault((body) =>
      body.messages[0]?.content === SUMMARY_SYSTEM_PROMPT
        ? { kind: 'text', chunks: ['Charged twice for SKY4F2.'] }
        : { kind: 'text', chunks: ['Noted.'] },
    );
    server = await startTestServer({
      driver,
      modelFromConfig: true,
      logLines,
      env: { AI_PROVIDER: 'openai', OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: fake.url, AI_MAX_RETRIES: '0', LOG_LEVEL: 'debug' },
    });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('keeps every variant out of the logs, the AI mirror, the tool audit, the ticket and the conversation list', async () => {
    const customerToken = await signCustomerToken(server, 'cus_alice');
    const session = await openSession(server.url, { customerToken });
    const client = await ChatTestClient.connect(server.url, session.token);

    // An upstream error that echoes the prompt, as providers' 400s do: it is logged.
    fake.script({ kind: 'error', status: 400, body: { error: { message: `Invalid content: ${MESSAGE}`, type: 'invalid_request_error', code: null } } });
    await client.ask(MESSAGE);
    // The model answers, then hands over with the customer's details in the ticket it writes.
    fake.script(
      { kind: 'text', chunks: [`I see two charges of €75 on SKY4F2 from ${SECRETS[0]!.written}.`] },
      {
        kind: 'tool_calls',
        calls: [{ id: 'call_ticket', name: 'create_ticket', arguments: { subject: `Double charge on SKY4F2, card ${SECRETS[2]!.written}`, reason: `Refund €150.00 to ${SECRETS[4]!.written}; phone ${SECRETS[5]!.written}, ${SECRETS[6]!.written}, ${SECRETS[7]!.written}` } }],
      },
      { kind: 'text', chunks: ['A colleague will take it from here.'] },
    );
    await client.ask(MESSAGE.replace('My card', 'Again: my card'));
    const from = client.events.length;
    client.send({ type: 'send_message', clientMessageId: 'second', text: SECOND_MESSAGE });
    await client.waitFor('escalated', () => true, { from });
    const ticket = (await server.db.query<{ id: string; subject: string; reason: string | null; summary: string | null }>('SELECT id, subject, reason, summary FROM support_tickets WHERE session_id = $1', [session.sessionId])).rows;
    expect(ticket).toHaveLength(1);
    // The hand-over note is written in the background; wait for it so that it is checked too.
    await expect.poll(async () => (await server.db.query('SELECT 1 FROM support_ai_interactions WHERE message_id = $1', [ticket[0]!.id])).rows.length, { timeout: 20_000 }).toBeGreaterThan(0);
    client.close();

    const interactions = (await server.db.query<Record<string, unknown>>('SELECT redacted_prompt, redacted_completion, tool_calls::text AS tool_calls, error_code FROM support_ai_interactions WHERE session_id = $1', [session.sessionId])).rows;
    const audit = (await server.db.query<Record<string, unknown>>('SELECT tool, arguments::text AS arguments, outcome FROM support_tool_audit WHERE session_id = $1', [session.sessionId])).rows;
    const tickets = (await server.db.query<Record<string, unknown>>('SELECT subject, reason, summary FROM support_tickets WHERE session_id = $1', [session.sessionId])).rows;
    const list = await fetch(`${server.url}/support/chat/conversations`, { headers: { authorization: `Bearer ${customerToken}` } }).then((response) => response.text());
    // What the service sends: every message's text (a tool call's arguments are the model's own words, echoed back).
    const toModel = fake.requests.filter((request) => request.chat).map((request) => JSON.stringify(request.chat?.messages.map((message) => message.content)));
    const logs = logLines.join('\n');

    // Each place really holds the customer's words (redacted), so the checks below are not vacuous.
    expect(audit.map((row) => row.tool)).toContain('create_ticket');
    expect(interactions.some((row) => row.error_code !== null)).toBe(true);
    expect(logs).toContain('Invalid content: My card [CARD]');
    expect(JSON.stringify(interactions)).toContain('[IBAN]');
    expect(JSON.stringify(audit)).toContain('[IBAN]');
    expect(JSON.stringify(tickets)).toMatch(/\[PHONE\][\s\S]*\[EMAIL\][\s\S]*\[PASSPORT\]/);
    expect(list).toContain('[CARD]');

    const leaks = [
      ...leaksIn('log', logs),
      ...leaksIn('support_ai_interactions', JSON.stringify(interactions)),
      ...leaksIn('support_tool_audit', JSON.stringify(audit)),
      ...leaksIn('support_tickets', JSON.stringify(tickets)),
      ...leaksIn('conversation list', list),
    ];
    expect(leaks).toEqual([]);
    // Cards, IBANs and identity numbers are masked before an external model sees them; the booking stays.
    const modelLeaks = toModel.flatMap((body) => leaksIn('model request', body)).filter((leak) => !/7911|alice\.private|private@example/.test(leak));
    expect(modelLeaks).toEqual([]);
    expect(toModel.join('\n')).toContain('SKY4F2');

    // What operators need survives redaction: the booking reference, the prices, the ticket id.
    for (const kept of ['SKY4F2', '€75', '€150.00']) {
      expect(JSON.stringify(interactions)).toContain(kept);
    }
    expect(JSON.stringify(tickets)).toContain('SKY4F2');
    expect(JSON.stringify(tickets)).toContain('€150.00');
    // The transcript is the conversation itself: the customer's own words are kept there, whole.
    const transcript = (await server.db.query<{ text: string }>(`SELECT text FROM support_chat_messages WHERE session_id = $1 AND role = 'user'`, [session.sessionId])).rows;
    expect(transcript.map((row) => row.text)).toContain(MESSAGE);
  });
});
