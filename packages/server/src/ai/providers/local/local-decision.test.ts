import { describe, expect, it } from 'vitest';
import type { ModelMessage, ModelRequest, ModelStreamEvent, ToolDefinition } from '../../model-port.js';
import { createLocalChatModel } from '../local-chat-model.js';
import { DONT_KNOW } from './compose-answer.js';
import type { IntentClassifier } from './intent-classifier.js';
import { sharedIntentClassifier } from './intent-model.js';
import { trainingRowsAmong } from '../../../../test/unseen-sentences.js';
import { ASK_FOR_REFERENCE, decideLocalTurn, type LocalDecision, findDate } from './local-decision.js';

const allTools: ToolDefinition[] = ['search_knowledge_base', 'lookup_booking', 'get_wallet_balance', 'create_ticket'].map((name) => ({
  name,
  description: name,
  parameters: {},
}));

function request(text: string, tools = allTools, before: ModelMessage[] = []): ModelRequest {
  return { messages: [{ role: 'system', content: 'system prompt' }, ...before, { role: 'user', content: text }], tools };
}

/** What the customer says in these tests; none is a training row of the intent model (checked below). */
const say = {
  human: 'I want to talk to a human',
  complaint: 'i want to lodge a formal complaint about my trip',
  cancellationFee: 'What would cancelling my flight cost me?',
  namedBookingStatus: "What's the status of my booking SKY4F2?",
  bookingWithoutReference: 'wheres my reservation at',
  cancelNamedBooking: 'I need to cancel booking SKY4F2, how do I do that?',
  wallet: 'how much money is left in my wallet?',
  outOfScope: 'Is it snowing on Jupiter right now?',
  greeting: 'good morning to you!',
  thanks: 'many thanks for that',
  vague: 'I have a bit of an issue',
} as const;

const calls = (decision: LocalDecision) => (decision.kind === 'tool_calls' ? decision.calls.map((call) => [call.name, JSON.parse(call.arguments)]) : []);

describe('the local provider decision', () => {
  const classifier = sharedIntentClassifier();
  const decide = (text: string, tools = allTools) => decideLocalTurn(request(text, tools), classifier);

  it('is tested on sentences the model was not trained on', () => {
    expect(trainingRowsAmong(Object.values(say))).toEqual([]);
  });

  it('hands over on a request for a person and on a complaint, with a ticket', () => {
    expect(calls(decide(say.human))).toEqual([['create_ticket', { subject: 'Customer asked for a human agent', reason: say.human }]]);
    expect(calls(decide(say.complaint))).toEqual([['create_ticket', { subject: 'Customer complaint', reason: say.complaint }]]);
  });

  it('answers policy questions from the knowledge base', () => {
    expect(calls(decide(say.cancellationFee))).toEqual([['search_knowledge_base', { query: say.cancellationFee }]]);
  });

  it('looks up a named booking and asks for the reference when there is none', () => {
    expect(calls(decide(say.namedBookingStatus))).toEqual([['lookup_booking', { bookingReference: 'SKY4F2' }]]);
    expect(decide(say.bookingWithoutReference)).toMatchObject({ kind: 'text', act: 'clarify', text: ASK_FOR_REFERENCE });
  });

  it('shows a named booking next to the policy when the customer wants to do something with it', () => {
    expect(calls(decide(say.cancelNamedBooking)).map(([name]) => name)).toEqual(['lookup_booking', 'search_knowledge_base']);
  });

  it('checks the wallet with its tool', () => {
    expect(calls(decide(say.wallet))).toEqual([['get_wallet_balance', {}]]);
  });

  it('says it does not know, without any tool call, when the question is not for a travel assistant', () => {
    expect(decide(say.outOfScope)).toEqual({ kind: 'text', act: 'dont_know', text: DONT_KNOW, intent: 'out_of_scope' });
  });

  it('asks a clarifying question that names its best guess when unsure', () => {
    const unsure: IntentClassifier = {
      knowsWord: () => false,
      classify: () => ({ intent: 'cancel_booking', probability: 0.3, bestInScope: { intent: 'cancel_booking', probability: 0.3 }, outOfScopeProbability: 0.2 }),
    };
    const decision = decideLocalTurn(request('cancel thing maybe'), unsure);
    expect(decision).toMatchObject({ kind: 'text', act: 'clarify', intent: 'cancel_booking' });
    expect(decision.kind === 'text' ? decision.text : '').toMatch(/cancelling a booking\?.*human agent/);
  });

  it('greets, thanks and asks what a vague message is about', () => {
    expect(decide(say.greeting)).toMatchObject({ kind: 'text', act: 'answer', intent: 'greeting' });
    expect(decide(say.thanks)).toMatchObject({ kind: 'text', act: 'answer', intent: 'thanks' });
    expect(decide(say.vague)).toMatchObject({ kind: 'text', act: 'clarify', intent: 'vague' });
  });

  it('says so instead of calling a tool it was not offered (the tool-less last round)', () => {
    expect(decide(say.cancellationFee, [])).toMatchObject({ kind: 'text', act: 'dont_know' });
  });

  it('composes the reply from tool results on the second round', () => {
    const decision = decideLocalTurn(
      {
        tools: allTools,
        messages: [
          { role: 'user', content: 'How much is a checked bag?' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'search_knowledge_base', arguments: '{"query":"checked bag"}' }] },
          // No passage answers: the reply says so rather than guessing.
          { role: 'tool', toolCallId: 'call_1', content: JSON.stringify({ ok: true, data: { passages: [] } }) },
        ],
      },
      classifier,
    );
    expect(decision).toEqual({ kind: 'text', act: 'dont_know', text: DONT_KNOW, intent: null });
  });
});

describe('createLocalChatModel', () => {
  const collect = async (events: AsyncIterable<ModelStreamEvent>) => {
    const out: ModelStreamEvent[] = [];
    for await (const event of events) out.push(event);
    return out;
  };

  it('streams each tool call of a decision, then finishes with tool_calls', async () => {
    const events = await collect(createLocalChatModel().stream(request(say.cancelNamedBooking)));
    expect(events.filter((event) => event.type === 'tool_call').map((event) => (event.type === 'tool_call' ? event.call.name : ''))).toEqual([
      'lookup_booking',
      'search_knowledge_base',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'tool_calls' });
  });

  it('streams text in word-sized deltas that add up to the reply', async () => {
    const events = await collect(createLocalChatModel().stream(request(say.outOfScope)));
    const text = events.map((event) => (event.type === 'text_delta' ? event.delta : '')).join('');
    expect(text).toBe(DONT_KNOW);
    expect(events.filter((event) => event.type === 'text_delta').length).toBeGreaterThan(5);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
  });
});

describe('findDate', () => {
  it.each([
    ['move it to 2027-06-20 please', '2027-06-20'],
    ['can I fly on 3 March 2027 instead', '2027-03-03'],
    ['change to June 20th, 2027', '2027-06-20'],
    ['next week sometime', null],
  ])('%s → %s', (text, expected) => {
    expect(findDate(text)).toBe(expected);
  });
});
