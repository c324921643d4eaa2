/**
 * Each trigger that reads the customer's words fires on its cases, and none
 * fires on ordinary support questions (test/fixtures/ordinary-questions: 340
 * questions in four languages, 60 of them with the customer's earlier turns).
 * The false-positive count is printed; the bar is at most 1%.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Message } from '@support/protocol';
import { ALL_TRIGGERS, HandoffTriggers } from '../src/escalation/handoff-triggers.js';
import { SentimentTrigger } from '../src/escalation/sentiment-trigger.js';

interface OrdinaryQuestion {
  id?: string;
  text: string;
  previous?: string[];
}

const FIXTURES = new URL('./fixtures/ordinary-questions/', import.meta.url);
const load = (file: string): OrdinaryQuestion[] =>
  readFileSync(new URL(file, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as OrdinaryQuestion);
const ordinary = [...load('bitext.jsonl'), ...load('dstc-travel.jsonl'), ...load('written.jsonl')];

const OFFER = 'Would you like me to connect you with a human agent?';
const user = (text: string): Pick<Message, 'role' | 'text'> => ({ role: 'user', text });
const assistant = (text: string): Pick<Message, 'role' | 'text'> => ({ role: 'assistant', text });
const triggers = new HandoffTriggers(ALL_TRIGGERS);

describe('escalation triggers over ordinary support questions', () => {
  it('has at least 200 ordinary questions to judge', () => {
    expect(ordinary.length).toBeGreaterThanOrEqual(200);
  });

  it('fires on at most 1% of them (with their earlier turns, after an ordinary answer)', () => {
    const fired: string[] = [];
    for (const question of ordinary) {
      const before = [...(question.previous ?? []).flatMap((text) => [user(text), assistant('Sure, here is what I found.')])];
      const decision = triggers.check(question, before);
      if (decision?.kind === 'escalate') fired.push(`${decision.source}: ${question.text}`);
    }
    const rate = fired.length / ordinary.length;
    console.info(`[triggers] false positives: ${fired.length} of ${ordinary.length} ordinary questions (${(rate * 100).toFixed(1)}%)${fired.length ? `\n  ${fired.join('\n  ')}` : ''}`);
    expect(rate).toBeLessThanOrEqual(0.01);
  });

  it('does not take an ordinary question as the answer to an offer of a person', () => {
    const taken = ordinary.filter((question) => triggers.check(question, [assistant(`I don't know that. ${OFFER}`)]) !== null);
    console.info(`[triggers] ordinary questions taken as an answer to the offer: ${taken.length} of ${ordinary.length}`);
    expect(taken.length / ordinary.length).toBeLessThanOrEqual(0.01);
  });

  it('does not read three ordinary questions in a row as anger', () => {
    const sentiment = new SentimentTrigger();
    let fired = 0;
    for (let index = 2; index < ordinary.length; index += 1) {
      const run = ordinary.slice(index - 2, index + 1).map((question) => question.text);
      if (sentiment.judge(run).fired) fired += 1;
    }
    console.info(`[triggers] negative sentiment over runs of three ordinary questions: ${fired} of ${ordinary.length - 2}`);
    expect(fired / (ordinary.length - 2)).toBeLessThanOrEqual(0.01);
  });
});

describe('each trigger fires on its cases', () => {
  it.each(['Je voudrais parler à un conseiller', 'Quiero hablar con un humano', 'Ich möchte mit einem Menschen sprechen', 'I want to talk to a human'])(
    'explicit request: "%s"',
    (text) => {
      expect(triggers.check({ text }, [])).toMatchObject({ kind: 'escalate', source: 'explicit_request' });
    },
  );

  it.each(['yes', 'Yes please', 'sí', 'oui', 'ja bitte'])('"%s" to the offer of a person', (text) => {
    const decision = triggers.check({ text }, [user('What is the weather on Mars?'), assistant(`I don't know that. ${OFFER}`)]);
    expect(decision).toMatchObject({ kind: 'escalate', source: 'accepted_offer' });
  });

  it('"yes" to anything else is not a handoff', () => {
    expect(triggers.check({ text: 'yes' }, [assistant('Your booking SKY4F2 is confirmed. Anything else?')])).toBeNull();
  });

  it.each(['no', 'no thanks', 'non merci'])('"%s" to the offer gets an acknowledgement, not the offer again', (text) => {
    const decision = triggers.check({ text }, [assistant(OFFER)]);
    expect(decision?.kind).toBe('decline_offer');
    expect(decision && 'reply' in decision ? decision.reply : '').not.toContain('connect you');
  });

  it.each([
    [
      "This is ridiculous, I've been waiting for my refund for three weeks",
      'Your service is terrible and nobody ever answers',
      'Worst experience ever. I am furious and disgusted',
    ],
    ['I am really angry about how I was treated', 'This is unacceptable, awful and a total scam'],
  ])('negative sentiment building over recent turns', (...turns: string[]) => {
    const current = turns.at(-1) as string;
    const before = turns.slice(0, -1).flatMap((text) => [user(text), assistant('I am sorry to hear that. Let me look into it.')]);
    const decision = triggers.check({ text: current }, before);
    expect(decision).toMatchObject({ kind: 'escalate', source: 'negative_sentiment' });
    expect(decision && 'reason' in decision ? decision.reason : '').toMatch(/^Negative sentiment over the last \d messages \(scores /);
  });

  it('one annoyed message is not enough, and anger an agent already dealt with does not count again', () => {
    expect(triggers.check({ text: 'This is terrible and awful' }, [])).toBeNull();
    const before: Pick<Message, 'role' | 'text' | 'kind'>[] = [
      user('I am really angry about how I was treated'),
      user('This is unacceptable and awful'),
      { role: 'system', kind: 'resolved', text: 'Maya Chen marked this conversation as resolved.' },
    ];
    expect(triggers.check({ text: 'Still a terrible night, but thanks' }, before)).toBeNull();
  });

  it('each can be switched off', () => {
    const none = new HandoffTriggers({ ...ALL_TRIGGERS, enabled: new Set() });
    expect(none.check({ text: 'I want to talk to a human' }, [])).toBeNull();
    expect(none.check({ text: 'yes' }, [assistant(OFFER)])).toBeNull();
    expect(none.check({ text: 'This is unacceptable, awful and a total scam' }, [user('I am really angry about how I was treated')])).toBeNull();
    expect(none.enabled('repeated_failure')).toBe(false);
  });
});
