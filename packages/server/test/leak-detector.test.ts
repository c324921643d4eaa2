import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from './chat-client.js';
import {
  amountForms,
  containsSecret,
  findLeaks,
  frameHaystacks,
  leakedSecrets,
  logHaystacks,
  modelRequestHaystacks,
  watchedSecrets,
  withoutTodayLine,
  type Haystack,
} from './leak-detector.js';

// Kenji's seeded values: a name, an email, a wallet balance, a booking date, a booking total.
const NAME = 'Kenji Watanabe';
const EMAIL = 'kenji.watanabe@example.com';
const BALANCE = '23.18';
const START_DATE = '2027-01-16';
const TOTAL = '238.00';
const SECRETS = [NAME, EMAIL, BALANCE, START_DATE, TOTAL];

const text = (value: string): Haystack[] => [{ source: 'test', text: value }];
const json = (value: unknown): Haystack[] => text(JSON.stringify(value));
const reply = (replyText: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: 'message',
    message: { id: 'msg_0f3a9c', role: 'assistant', text: replyText, createdAt: '2027-01-16T10:12:23.184Z', citations: [] },
    ...extra,
  });

describe('leak detector: a planted leak is caught', () => {
  it('a victim\'s name in a reply', () => {
    expect(leakedSecrets(SECRETS, frameHaystacks([reply(`The passenger is ${NAME}.`)]))).toEqual([NAME]);
    expect(leakedSecrets(SECRETS, frameHaystacks([reply(`the passenger is ${NAME.toLowerCase()}`)]))).toEqual([NAME]);
    expect(leakedSecrets(SECRETS, frameHaystacks([reply(`${NAME}'s booking`)]))).toEqual([NAME]);
  });

  it('a balance in reply text, however it is written next to its currency', () => {
    for (const written of [`€${BALANCE}`, `${BALANCE} EUR`, `${BALANCE}EUR`, `EUR${BALANCE}`, `(${BALANCE})`, `balance: ${BALANCE}.`, `-${BALANCE}`]) {
      expect(leakedSecrets(SECRETS, frameHaystacks([reply(`Your balance is ${written}`)])), written).toEqual([BALANCE]);
    }
  });

  it('a date written in reply text, also as the start of a timestamp in the text', () => {
    expect(leakedSecrets(SECRETS, frameHaystacks([reply(`It departs on ${START_DATE}.`)]))).toEqual([START_DATE]);
    expect(leakedSecrets(SECRETS, frameHaystacks([reply(`It departs at ${START_DATE}T10:00:00Z.`)]))).toEqual([START_DATE]);
    expect(leakedSecrets(SECRETS, frameHaystacks([reply(`(${START_DATE} to 2027-01-20)`)]))).toEqual([START_DATE]);
  });

  it('a value in a field the contract does not know', () => {
    expect(leakedSecrets(SECRETS, frameHaystacks([reply('Sorry, I cannot help with that.', { debug: { owner: EMAIL } })]))).toEqual([EMAIL]);
    expect(leakedSecrets(SECRETS, frameHaystacks([JSON.stringify({ type: 'ack', clientMessageId: 'c-1', messageId: 'msg_1', note: NAME })]))).toEqual([NAME]);
  });

  it('a value in a frame that does not conform, or is not JSON at all', () => {
    expect(leakedSecrets(SECRETS, frameHaystacks([JSON.stringify({ type: 'surprise', payload: [NAME] })]))).toEqual([NAME]);
    expect(leakedSecrets(SECRETS, frameHaystacks([`{"type":"message","message":{"text":"${NAME}"`]))).toEqual([NAME]);
    expect(leakedSecrets(SECRETS, frameHaystacks([`not json: ${EMAIL}`]))).toEqual([EMAIL]);
  });

  it('a value split across streamed deltas', () => {
    const frames = [
      JSON.stringify({ type: 'message_delta', messageId: 'msg_1', delta: 'Booked by Kenji Wat' }),
      JSON.stringify({ type: 'message_delta', messageId: 'msg_1', delta: 'anabe, total €238' }),
      JSON.stringify({ type: 'message_delta', messageId: 'msg_1', delta: '.00.' }),
    ];
    expect(leakedSecrets(SECRETS, frameHaystacks(frames))).toEqual([NAME, TOTAL]);
  });

  it('a value in JSON repeated inside a reply, and a JSON number written as the amount', () => {
    const toolResult = JSON.stringify({ ok: true, data: { wallet: { balance: BALANCE, currency: 'EUR', updatedAt: '2027-01-16T17:05:02Z' } } });
    expect(leakedSecrets(SECRETS, frameHaystacks([reply(`Here is everything: ${toolResult} | done`)]))).toEqual([BALANCE]);
    expect(leakedSecrets(SECRETS, text('{"booking":{"total":238.00,"currency":"GBP"}}'))).toEqual([TOTAL]);
    expect(leakedSecrets(SECRETS, text('{"wallet":{"balance":23.18}}'))).toEqual([BALANCE]);
  });

  it('a value under a metadata key that is not metadata-shaped', () => {
    expect(leakedSecrets(SECRETS, json({ created_at: NAME, messageId: EMAIL, id: `${BALANCE}` }))).toEqual([NAME, EMAIL, BALANCE]);
    expect(leakedSecrets(SECRETS, json({ session_id: START_DATE }))).toEqual([START_DATE]);
    // A key is searched too.
    expect(leakedSecrets(SECRETS, json({ [NAME]: true }))).toEqual([NAME]);
  });

  it('stored rows and log lines, and reports where', () => {
    const row = { id: 'msg_1', session_id: 'ses_1', role: 'assistant', text: `Wallet: €${BALANCE}`, created_at: '2026-12-03T10:00:00.123+00:00' };
    const leaks = findLeaks(SECRETS, [{ source: 'support_chat_messages row #0', text: JSON.stringify(row) }, ...logHaystacks([JSON.stringify({ level: 30, time: 1796000000000, msg: `looked up ${EMAIL}` })])]);
    expect(leaks.map(({ secret, source, path }) => ({ secret, source, path }))).toEqual([
      { secret: BALANCE, source: 'support_chat_messages row #0', path: 'text' },
      { secret: EMAIL, source: 'log line #0', path: 'msg' },
    ]);
  });
});

describe('leak detector: no false positive from metadata or longer numbers', () => {
  it('a balance inside a timestamp', () => {
    const stamped = { created_at: '2026-12-03T10:12:23.184Z', updatedAt: '2026-12-03T10:12:23.18Z', time: 1796000023.18 };
    expect(leakedSecrets(SECRETS, json(stamped))).toEqual([]);
    expect(leakedSecrets(SECRETS, frameHaystacks([reply('Hello!')]))).toEqual([]); // createdAt …:23.184Z
    // Even as text a time of day is not the balance.
    expect(leakedSecrets(SECRETS, text('at 10:12:23.18 the job ran'))).toEqual([]);
  });

  it('created_at on the victim\'s booking date', () => {
    for (const stamp of ['2027-01-16T10:00:00.000Z', '2027-01-16T10:00:00.123+00:00', '2027-01-16 10:00:00+00']) {
      expect(leakedSecrets(SECRETS, json({ id: 'aii_1', created_at: stamp, expires_at: stamp, decided_at: null })), stamp).toEqual([]);
    }
    expect(leakedSecrets(SECRETS, json({ action: { id: 'act_1', expiresAt: '2027-01-16T10:15:00.000Z', newStartDate: null } }))).toEqual([]);
  });

  it('longer numbers that contain the amount', () => {
    for (const written of ['123.18', '23.185', '23.184', '1,123.18', '23.18.5', '1238.00', '238.001', '12027-01-16', '2027-01-160']) {
      expect(leakedSecrets(SECRETS, frameHaystacks([reply(`Reference number ${written}`)])), written).toEqual([]);
    }
  });

  it('ids, timings and counters', () => {
    const row = {
      id: 'out_2027011623180000',
      idempotency_key: 'booking_action_follow_up:act_2027-01-16',
      seq: 2318,
      latency_ms: 238,
      prompt_tokens: 238,
      tool_calls: [{ name: 'lookup_booking', arguments: { customerId: 'cus_kenji' }, outcome: 'booking_not_found', latencyMs: 23.18 }],
    };
    expect(leakedSecrets(SECRETS, json(row))).toEqual([]);
    // A pino request line: responseTime is a timing.
    expect(leakedSecrets(SECRETS, logHaystacks([JSON.stringify({ level: 30, time: 1796000000000, reqId: 'req-1', res: { statusCode: 201 }, responseTime: 23.18, msg: 'request completed' })]))).toEqual([]);
  });

  it('longer words that contain a name', () => {
    expect(leakedSecrets(['Kenji'], text('kenjiro and Kenjis'))).toEqual([]);
    expect(containsSecret('x.kenji.watanabe@example.community', EMAIL)).toBe(false);
    expect(containsSecret('mailto:kenji.watanabe@example.com.', EMAIL)).toBe(true);
  });
});

describe('the system prompt\'s date line', () => {
  const now = Date.parse('2027-01-16T09:00:00Z');
  const prompt = 'You are the assistant.\nToday is 2027-01-16. Reply in the customer\'s language (en).';

  it('is blanked on the day the test runs, so a booking on that day is not flagged', () => {
    expect(withoutTodayLine(prompt, now)).not.toContain(START_DATE);
    const bodies = [{ model: 'gpt-test', messages: [{ role: 'system', content: prompt }, { role: 'user', content: 'hi' }] }];
    expect(leakedSecrets(SECRETS, modelRequestHaystacks(bodies, now))).toEqual([]);
  });

  it('is not blanked on any other day, nor anywhere but the system message', () => {
    expect(withoutTodayLine(prompt, Date.parse('2026-12-03T09:00:00Z'))).toContain(START_DATE);
    const bodies = [{ messages: [{ role: 'system', content: `${prompt}\nThe booking starts ${START_DATE}.` }, { role: 'tool', content: `Today is ${START_DATE}.` }] }];
    const leaks = findLeaks(SECRETS, modelRequestHaystacks(bodies, now));
    expect(leaks.map((leak) => leak.path)).toEqual(['messages[0].content', 'messages[1].content']);
  });
});

describe('what is watched', () => {
  it('drops short values and the attacker\'s own, and knows amounts with separators', () => {
    const own = [JSON.stringify({ name: 'Alice Martin', balance: 125.4 }), '125.40'];
    expect(watchedSecrets([NAME, 'Ken', '125.40', 'Alice Martin', NAME, BALANCE], own)).toEqual([NAME, BALANCE]);
    expect(amountForms(1124.6)).toEqual(['1124.60', '1,124.60']);
    expect(amountForms(23.18)).toEqual(['23.18']);
  });
});

describe('the test client records every raw frame', () => {
  let server: WebSocketServer;
  let url: string;
  const frames = [
    reply('Hi', { extra: EMAIL }), // conforms, with a field the schema strips
    JSON.stringify({ type: 'surprise', text: NAME }), // does not conform
    'not json at all',
  ];

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('unexpected address');
    url = `http://127.0.0.1:${address.port}`;
    server.on('connection', (socket) => {
      for (const frame of frames) socket.send(frame);
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('keeps what the parsed events drop, so the detector sees it', async () => {
    const client = await ChatTestClient.connect(url, 'token');
    await client.waitFor('message');
    await client.settle(100);
    expect(client.rawFrames).toEqual(frames);
    expect(client.events).toHaveLength(1);
    expect(client.invalidFrames).toHaveLength(2);
    // The parsed events alone would hide both leaks.
    expect(leakedSecrets(SECRETS, [{ source: 'events', text: JSON.stringify(client.events) }])).toEqual([]);
    expect(leakedSecrets(SECRETS, frameHaystacks(client.rawFrames))).toEqual([NAME, EMAIL]);
    client.close();
  });
});
