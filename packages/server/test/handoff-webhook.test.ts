import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessJobQueue } from '../src/bus/in-process-job-queue.js';
import { InProcessSessionEventBus } from '../src/bus/session-event-bus.js';
import { MessageStore } from '../src/conversation/message-store.js';
import { SessionStore } from '../src/conversation/session-store.js';
import { EscalationService } from '../src/escalation/escalation-service.js';
import { createLogger } from '../src/logger.js';
import {
  buildHandoffPayload,
  enqueueHandoffWebhook,
  HandoffWebhookError,
  loadTicketForWebhook,
  registerHandoffWebhookJob,
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type HandoffTicket,
  type HandoffWebhookConfig,
  type HandoffWebhookPayload,
} from '../src/notifications/handoff-webhook.js';
import { freePort } from './support/free-port.js';
import { ChatTestClient } from './chat-client.js';
import { eventually } from './eventually.js';
import { createTestDatabase, openSession, startTestServer, testDrivers } from './test-server.js';

const SECRET = 'webhook-signing-secret-for-tests-0123456789';
// Slack-like: the URL's path and query carry its own secret; neither may reach a log line or an error.
const URL_SECRET_PATH = '/services/T0000/B0000/path-secret-XyZ123';
const URL_SECRET_QUERY = '?token=query-secret-AbC789';

const ticket = (changes: Partial<HandoffTicket> = {}): HandoffTicket => ({
  ticketId: 'TKT-ABCD2345',
  sessionId: 'ses_0123456789abcdef',
  subject: 'Refund for a cancelled flight',
  source: 'explicit_request',
  mode: 'live_agent',
  priority: 'high',
  summary: 'Asked: “Where is my refund?” Handed over because the customer asked for a person (1 customer message).',
  createdAt: new Date('2026-11-28T10:00:00.000Z'),
  ...changes,
});

const blockTexts = (payload: HandoffWebhookPayload): string[] =>
  payload.blocks.flatMap((block) => ('text' in block ? [block.text.text] : block.fields.map((field) => field.text)));

describe('the handoff payload', () => {
  it('is a Slack message with a one-line fallback, and carries the raw fields', () => {
    const payload = buildHandoffPayload(ticket(), null);
    expect(payload.text).toBe(':rotating_light: New live chat handoff TKT-ABCD2345 (High): Refund for a cancelled flight');
    expect(payload.text).not.toContain('\n');
    const texts = blockTexts(payload).join('\n');
    expect(texts).toContain('*Subject:* Refund for a cancelled flight');
    expect(texts).toContain('*Priority*\nHigh');
    expect(texts).toContain('*Mode*\nLive chat');
    expect(texts).toContain('*Trigger*\nCustomer asked for a person');
    expect(texts).toContain('*Summary*\nAsked: “Where is my refund?”');
    expect(payload.blocks.every((block) => block.type === 'section')).toBe(true);
    expect(payload.handoff).toEqual({
      ticketId: 'TKT-ABCD2345',
      sessionId: 'ses_0123456789abcdef',
      priority: 'high',
      mode: 'live_agent',
      source: 'explicit_request',
      subject: 'Refund for a cancelled flight',
      summary: ticket().summary,
      createdAt: '2026-11-28T10:00:00.000Z',
      consoleUrl: null,
    });
    expect(JSON.stringify(payload)).not.toContain('/console/');
  });

  it('names a ticket handoff as such, and leaves out a missing summary', () => {
    const payload = buildHandoffPayload(ticket({ mode: 'ticket', priority: 'normal', source: 'ai_tool', summary: null }), null);
    expect(payload.text).toBe(':speech_balloon: New ticket handoff TKT-ABCD2345 (Normal): Refund for a cancelled flight');
    const texts = blockTexts(payload).join('\n');
    expect(texts).toContain('*Mode*\nTicket');
    expect(texts).toContain('*Trigger*\nThe assistant opened a ticket');
    expect(texts).not.toContain('Summary');
    expect(payload.handoff.summary).toBeNull();
    // A trigger stored before this build knew it is shown as stored.
    expect(blockTexts(buildHandoffPayload(ticket({ source: 'imported' }), null)).join('\n')).toContain('*Trigger*\nimported');
  });

  it('links the conversation in the console when the public address is known', () => {
    for (const base of ['https://support.example.com', 'https://support.example.com/']) {
      const payload = buildHandoffPayload(ticket(), base);
      expect(payload.handoff.consoleUrl).toBe('https://support.example.com/console/conversations/ses_0123456789abcdef');
      expect(blockTexts(payload)).toContain('<https://support.example.com/console/conversations/ses_0123456789abcdef|Open the conversation in the agent console>');
    }
    // Served under a path prefix.
    expect(buildHandoffPayload(ticket(), 'https://example.com/help').handoff.consoleUrl).toBe('https://example.com/help/console/conversations/ses_0123456789abcdef');
  });

  it('never sends an e-mail address or a card number, in any part', () => {
    const payload = buildHandoffPayload(
      ticket({
        subject: 'Refund to alice.martin@example.com please',
        summary: 'Asked: “I paid with 4111 1111 1111 1111 and my email is bob.smith@example.org” Latest: “card 5500-0000-0000-0004”',
      }),
      'https://support.example.com',
    );
    const body = JSON.stringify(payload);
    for (const secret of ['alice.martin', 'example.com please', 'bob.smith', 'example.org', '4111', '1111 1111', '5500', '0004']) expect(body).not.toContain(secret);
    expect(payload.handoff.subject).toBe('Refund to [EMAIL] please');
    expect(payload.handoff.summary).toContain('I paid with [CARD] and my email is [EMAIL]');
    expect(payload.text).toContain('[EMAIL]');
    expect(blockTexts(payload).join('\n')).toContain('[CARD]');
  });

  it('escapes what customers wrote, so it cannot ping a channel or forge a link', () => {
    const subject = 'Help <!channel> & <https://evil.example|click here> > now';
    const payload = buildHandoffPayload(ticket({ subject, summary: 'Asked: “<@U123> a&b”' }), null);
    const slack = [payload.text, ...blockTexts(payload)].join('\n');
    expect(slack).toContain('Help &lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt; &gt; now');
    expect(slack).toContain('&lt;@U123&gt; a&amp;b');
    expect(slack).not.toMatch(/<!channel>|<@U123>|<https:\/\/evil/);
    // The raw fields are raw: receivers that are not Slack escape for their own medium.
    expect(payload.handoff.subject).toBe(subject);
  });

  it('clips long text to the limits, on one line, escaped entities whole', () => {
    const payload = buildHandoffPayload(ticket({ subject: `line one\n\nline two ${'y'.repeat(1000)}`, summary: '&'.repeat(5000) }), null);
    expect([...payload.handoff.subject].length).toBeLessThanOrEqual(200);
    expect(payload.handoff.subject.startsWith('line one line two y')).toBe(true);
    expect(payload.handoff.subject.endsWith('…')).toBe(true);
    expect([...(payload.handoff.summary ?? '')].length).toBeLessThanOrEqual(1500);
    expect(payload.text.length).toBeLessThanOrEqual(300);
    for (const text of blockTexts(payload)) expect(text.length).toBeLessThanOrEqual(3000);
    const summaryBlock = blockTexts(payload).find((text) => text.startsWith('*Summary*')) ?? '';
    expect(summaryBlock).toMatch(/^\*Summary\*\n(&amp;)+…$/);
  });
});

describe('webhook signatures', () => {
  const body = JSON.stringify(buildHandoffPayload(ticket(), null));
  const now = 1_800_000_000;

  it('is the HMAC-SHA256 of "v1:<timestamp>:<body>", as the file documents', () => {
    const signature = signWebhook(SECRET, now, body);
    expect(signature).toBe(`v1=${createHmac('sha256', SECRET).update(`v1:${now}:${body}`).digest('hex')}`);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
  });

  it('verifies with the secret, and fails for another secret, an altered body or a stale timestamp', () => {
    const signature = signWebhook(SECRET, now, body);
    expect(verifyWebhookSignature(SECRET, String(now), body, signature, now)).toBe(true);
    expect(verifyWebhookSignature(SECRET, now, Buffer.from(body), signature, now + 299)).toBe(true);
    expect(verifyWebhookSignature(`${SECRET}x`, String(now), body, signature, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, String(now), body.replace('High', 'Low'), signature, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, String(now + 1), body, signature, now)).toBe(false);
    // A replay after five minutes, or a clock far ahead of the receiver's.
    expect(verifyWebhookSignature(SECRET, String(now), body, signature, now + 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, String(now), body, signature, now - 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, String(now), body, signature, now + 3600, 7200)).toBe(true);
    for (const garbage of [undefined, '', 'v0=abc', signature.toUpperCase(), `${signature}00`, signature.slice(3)]) {
      expect(verifyWebhookSignature(SECRET, String(now), body, garbage, now)).toBe(false);
    }
    for (const stamp of [undefined, '', 'soon', '-1', `${now}.5`]) expect(verifyWebhookSignature(SECRET, stamp, body, signature, now)).toBe(false);
  });
});

interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

/** A real HTTP receiver on loopback that records every request and answers as told (the n-th request gets answers[n], then the last). */
async function startReceiver(answers: Answer[]) {
  const requests: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers[Math.min(requests.length, answers.length) - 1] ?? { status: 200 };
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      response.end(answer.body ?? (answer.status < 300 ? 'ok' : 'no'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}${URL_SECRET_PATH}${URL_SECRET_QUERY}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A receiver, an in-process queue with a tiny backoff and the job registered against it; the log lines kept. */
async function setUp(answers: Answer[], options: { config?: Partial<HandoffWebhookConfig>; attempts?: number; tickets?: Map<string, HandoffTicket> } = {}) {
  const receiver = await startReceiver(answers);
  const failures: Array<{ job: string; error: unknown }> = [];
  const queue = new InProcessJobQueue({ attempts: options.attempts ?? 4, backoffMs: 1 }, (job, error) => failures.push({ job, error }));
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  const tickets = options.tickets ?? new Map([[ticket().ticketId, ticket()]]);
  const config: HandoffWebhookConfig = { url: receiver.url, secret: SECRET, timeoutMs: 5000, consoleBaseUrl: 'https://support.example.com', ...options.config };
  registerHandoffWebhookJob(queue, { config, loadTicket: async (id) => tickets.get(id) ?? null, logger });
  // Reversed at the end: the receiver goes first, so that a request it holds fails and the queue can drain.
  cleanups.push(() => queue.close(), () => receiver.close());
  const log = () => lines.join('');
  return { receiver, queue, failures, log, tickets, config };
}

const expectNoUrlSecrets = (text: string) => {
  expect(text).not.toContain('path-secret-XyZ123');
  expect(text).not.toContain('query-secret-AbC789');
  expect(text).not.toContain('/services/');
  expect(text).not.toContain(SECRET);
};

describe('delivering the handoff webhook', () => {
  it('POSTs the signed JSON payload once, to the configured URL', async () => {
    const { receiver, queue, failures, log } = await setUp([{ status: 200 }]);
    await enqueueHandoffWebhook(queue, 'TKT-ABCD2345');
    await enqueueHandoffWebhook(queue, 'TKT-ABCD2345');
    await queue.drain();

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`${URL_SECRET_PATH}${URL_SECRET_QUERY}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toBe('skyway-support-webhook/1');
    expect(request?.headers[WEBHOOK_DELIVERY_HEADER]).toBe('handoff-webhook:TKT-ABCD2345');
    const timestamp = request?.headers[WEBHOOK_TIMESTAMP_HEADER];
    const signature = request?.headers[WEBHOOK_SIGNATURE_HEADER];
    expect(typeof timestamp).toBe('string');
    expect(verifyWebhookSignature(SECRET, timestamp as string, request?.body ?? '', signature as string)).toBe(true);
    expect(verifyWebhookSignature('another-secret-of-some-length-000000', timestamp as string, request?.body ?? '', signature as string)).toBe(false);
    expect(JSON.parse(request?.body ?? '')).toEqual(JSON.parse(JSON.stringify(buildHandoffPayload(ticket(), 'https://support.example.com'))));
    expect(failures).toEqual([]);
    expect(log()).toContain('handoff webhook delivered');
    expectNoUrlSecrets(log());
  });

  it('sends no signature headers without a secret', async () => {
    const { receiver, queue } = await setUp([{ status: 204 }], { config: { secret: null } });
    await enqueueHandoffWebhook(queue, 'TKT-ABCD2345');
    await queue.drain();
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers[WEBHOOK_SIGNATURE_HEADER]).toBeUndefined();
    expect(receiver.requests[0]?.headers[WEBHOOK_TIMESTAMP_HEADER]).toBeUndefined();
  });

  it('retries 503 twice then 200: delivered once, on the third attempt, each attempt signed and the ticket read anew', async () => {
    const { receiver, queue, failures, tickets, log } = await setUp([{ status: 503 }, { status: 503 }, { status: 200 }]);
    await enqueueHandoffWebhook(queue, 'TKT-ABCD2345');
    // Between attempts an agent raises the priority: the webhook describes the ticket as it stands when sent.
    tickets.set('TKT-ABCD2345', ticket({ priority: 'urgent' }));
    await queue.drain();

    expect(receiver.requests).toHaveLength(3);
    for (const request of receiver.requests) {
      expect(verifyWebhookSignature(SECRET, request.headers[WEBHOOK_TIMESTAMP_HEADER] as string, request.body, request.headers[WEBHOOK_SIGNATURE_HEADER] as string)).toBe(true);
    }
    const last = JSON.parse(receiver.requests[2]?.body ?? '') as HandoffWebhookPayload;
    expect(last.handoff.priority).toBe('urgent');
    expect(failures).toEqual([]);
    expect(log().match(/"msg":"handoff webhook delivered"/g)).toHaveLength(1);
    expect(log()).toContain('"attempt":3');
  });

  it.each([408, 429, 500, 502])('retries a %i', async (status) => {
    const { receiver, queue, failures } = await setUp([{ status }, { status: 200 }]);
    await enqueueHandoffWebhook(queue, 'TKT-ABCD2345');
    await queue.drain();
    expect(receiver.requests).toHaveLength(2);
    expect(failures).toEqual([]);
  });

  it.each([400, 403, 404, 410])('does not retry a %i, and logs it without the URL secrets', async (status) => {
    const { receiver, queue, failures, log } = await setUp([{ status, body: 'invalid_payload' }, { status: 200 }]);
    await enqueueHandoffWebhook(queue, 'TKT-ABCD2345');
    await queue.drain();
    expect(receiver.requests).toHaveLength(1);
    expect(failures).toEqual([]);
    const refusal = log()
      .split('\n')
      .filter((line) => line.includes('handoff webhook refused'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(refusal).toEqual([expect.objectContaining({ level: 40, status, target: receiver.origin, ticketId: 'TKT-ABCD2345', detail: 'invalid_payload' })]);
    expectNoUrlSecrets(log());
  });

  it('does not follow a redirect with the signed body', async () => {
    const { receiver, queue, failures } = await setUp([{ status: 307, headers: { location: '/elsewhere' } }, { status: 200 }]);
    await enqueueHandoffWebhook(queue, 'TKT-ABCD2345');
    await queue.drain();
    expect(receiver.requests.map((request) => request.path)).toEqual([`${URL_SECRET_PATH}${URL_SECRET_QUERY}`]);
    expect(failures).toEqual([]);
  });

  it('retries after a timeout (a receiver that never answers the first request)', async () => {
    const { receiver, queue, failures, log } = await setUp(['hang', { status: 200 }], { config: { timeoutMs: 300 } });
    await enqueueHandoffWebhook(queue, 'TKT-ABCD2345');
    await queue.drain();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[0]?.body).toContain('TKT-ABCD2345');
    expect(receiver.requests[1]?.body).toBe(receiver.requests[0]?.body);
    expect(failures).toEqual([]);
    expect(log()).toContain('"failure":"timeout"');
    expect(log()).toContain('handoff webhook delivered');
  });

  it('gives up after the last attempt with a typed, retryable error that names only the origin', async () => {
    const { receiver, queue, failures, log } = await setUp([{ status: 503 }], { attempts: 3 });
    await enqueueHandoffWebhook(queue, 'TKT-ABCD2345');
    await queue.drain();
    expect(receiver.requests).toHaveLength(3);
    expect(failures).toHaveLength(1);
    const error = failures[0]?.error;
    expect(failures[0]?.job).toBe('handoff-webhook');
    expect(error).toBeInstanceOf(HandoffWebhookError);
    expect(error).toMatchObject({ retryable: true, upstreamStatus: 503, code: 'handoff_webhook_failed', message: `handoff webhook: ${receiver.origin} answered 503` });
    expectNoUrlSecrets(`${String((error as Error).message)} ${(error as Error).stack ?? ''}`);
    expectNoUrlSecrets(log());
  });

  it('retries when nothing listens (network error)', async () => {
    const port = await freePort();
    const { queue, failures, log } = await setUp([], { attempts: 2, config: { url: `http://127.0.0.1:${port}${URL_SECRET_PATH}${URL_SECRET_QUERY}` } });
    await enqueueHandoffWebhook(queue, 'TKT-ABCD2345');
    await queue.drain();
    expect(failures).toHaveLength(1);
    expect(failures[0]?.error).toBeInstanceOf(HandoffWebhookError);
    expect((failures[0]?.error as Error).message).toBe(`handoff webhook: could not reach http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(log().match(/will be retried/g)).toHaveLength(2);
    expectNoUrlSecrets(log());
  });

  it('sends nothing for a ticket that is gone', async () => {
    const { receiver, queue, failures } = await setUp([{ status: 200 }]);
    await enqueueHandoffWebhook(queue, 'TKT-GONE2345');
    await queue.drain();
    expect(receiver.requests).toEqual([]);
    expect(failures).toEqual([]);
  });

  it('refuses a URL it cannot parse without repeating it', () => {
    const queue = new InProcessJobQueue();
    const register = () => registerHandoffWebhookJob(queue, { config: { url: 'not a url path-secret-XyZ123', secret: null, timeoutMs: 1000, consoleBaseUrl: null }, loadTicket: async () => null });
    expect(register).toThrow('handoff webhook: the URL is not a valid absolute URL');
    expect(register).not.toThrow(/path-secret/);
  });
});

describe.each(testDrivers)('the handoff webhook on %s', (driver) => {
  it('loads the ticket an escalation stored, and sends it redacted', async () => {
    const database = await createTestDatabase(driver);
    cleanups.push(() => database.drop());
    const { db } = database;
    const receiver = await startReceiver([{ status: 200 }]);
    const failures: unknown[] = [];
    const queue = new InProcessJobQueue({ attempts: 3, backoffMs: 1 }, (_job, error) => failures.push(error));
    registerHandoffWebhookJob(queue, { config: { url: receiver.url, secret: SECRET, timeoutMs: 5000, consoleBaseUrl: null }, loadTicket: loadTicketForWebhook(db) });
    cleanups.push(() => queue.close(), () => receiver.close());

    const session = await new SessionStore(db).create({
      id: 'ses_webhook_a',
      identity: { kind: 'customer', customerId: 'cus_webhook', name: 'Alice Martin', email: 'alice.martin@example.com' },
      locale: 'en',
      tokenHash: 'webhook-hash-a',
      tokenExpiresAt: new Date(Date.now() + 600_000),
    });
    await new MessageStore(db).insertUserMessage(session.id, 'c1', 'My card 4111 1111 1111 1111 was charged twice, write to alice.martin@example.com');
    const escalation = new EscalationService({ db, bus: new InProcessSessionEventBus(), onTicketCreated: (created) => enqueueHandoffWebhook(queue, created.ticketId) });
    const outcome = await escalation.escalate(session, { source: 'customer_button', subject: 'Double charge, reach me at alice.martin@example.com' });
    await queue.drain();

    const loaded = await loadTicketForWebhook(db)(outcome.ticketId);
    expect(loaded).toEqual({
      ticketId: outcome.ticketId,
      sessionId: 'ses_webhook_a',
      subject: 'Double charge, reach me at [EMAIL]',
      source: 'customer_button',
      mode: 'ticket',
      priority: 'normal',
      summary: expect.stringContaining('Asked: “My card [CARD] was charged twice'),
      createdAt: expect.any(Date),
    });
    expect(Math.abs((loaded?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(10 * 60_000);
    expect(await loadTicketForWebhook(db)('TKT-NOSUCH23')).toBeNull();

    expect(failures).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    const body = receiver.requests[0]?.body ?? '';
    const payload = JSON.parse(body) as HandoffWebhookPayload;
    expect(payload.handoff).toMatchObject({ ticketId: outcome.ticketId, sessionId: 'ses_webhook_a', mode: 'ticket', source: 'customer_button', createdAt: loaded?.createdAt.toISOString() });
    for (const secret of ['alice.martin', '4111', 'Alice Martin', 'cus_webhook']) expect(body).not.toContain(secret);
  });
});

describe('the handoff webhook as the service wires it (HANDOFF_WEBHOOK_URL)', () => {
  it('sends a signed POST for a handoff from the chat, linking the console at PUBLIC_BASE_URL', async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    const server = await startTestServer({
      env: { HANDOFF_WEBHOOK_URL: receiver.url, HANDOFF_WEBHOOK_SECRET: SECRET, PUBLIC_BASE_URL: 'https://support.example.com' },
    });
    cleanups.push(() => server.close(), () => receiver.close());
    const session = await openSession(server.url);
    const client = await ChatTestClient.connect(server.url, session.token);
    await client.waitFor('session_state');
    client.send({ type: 'escalate' });
    const { ticketId } = await client.waitFor('escalated');
    client.close();

    await eventually(async () => receiver.requests.length > 0, 'the webhook POST');
    const [request] = receiver.requests;
    const timestamp = String(request?.headers[WEBHOOK_TIMESTAMP_HEADER]);
    expect(verifyWebhookSignature(SECRET, timestamp, request?.body ?? '', String(request?.headers[WEBHOOK_SIGNATURE_HEADER]))).toBe(true);
    const payload = JSON.parse(request?.body ?? '{}') as HandoffWebhookPayload;
    expect(payload.handoff).toMatchObject({ ticketId, sessionId: session.sessionId, source: 'customer_button', consoleUrl: `https://support.example.com/console/conversations/${session.sessionId}` });
  });
});
