import { describe, expect, it } from 'vitest';
import { trainingRowsAmong } from '../../../../test/unseen-sentences.js';
import { detectIntent, findBookingReference } from './intent-detection.js';
import { sharedIntentClassifier } from './intent-model.js';
import type { IntentName } from './intent-taxonomy.js';

// None of these sentences is in the training data, not even after the
// classifier's normalisation (checked below): they test what the model
// learnt, not what it was shown.
const understood: Array<[category: string, text: string, intent: IntentName]> = [
  ['paraphrase', 'I would like to get my money back for the flight I cancelled', 'refund_request'],
  ['paraphrase', 'could I please speak with one of your colleagues', 'human_request'],
  ['paraphrase', 'is it possible to push my departure back a couple of days', 'change_booking'],
  ['paraphrase', 'has my reservation been confirmed yet', 'booking_status'],
  ['paraphrase', 'will it cost me anything to cancel', 'cancellation_fee'],
  ['paraphrase', 'any news about my refund?', 'refund_status'],
  ['paraphrase', 'this is outrageous, i have been overcharged and nobody replies', 'complaint'],
  ['paraphrase', 'i am extremely dissatisfied with the way my case was handled', 'complaint'],
  ['paraphrase', 'my card got rejected at checkout', 'payment_problem'],
  ['typo', 'how do i get a refnud', 'refund_request'],
  ['typo', 'pls cancle my flite', 'cancel_booking'],
  ['typo', 'what is the baggage alowance', 'travel_info'],
  ['typo', 'forgot my pasword', 'password_reset'],
  ['typo', 'how do i delete my acount', 'delete_account'],
  ['casual', 'gimme my money back', 'refund_request'],
  ['casual', 'yo can i swap my flight to tuesday', 'change_booking'],
  ['casual', 'i wanna move my trip to next month', 'change_booking'],
  ['casual', 'get me someone real', 'human_request'],
  ['casual', 'im fed up with your service', 'complaint'],
  ['casual', 'can i pay with my visa card', 'payment_methods'],
  ['casual', 'wallet balance?', 'wallet_balance'],
  ['casual', 'cheers mate', 'thanks'],
  ['casual', 'good morning to you!', 'greeting'],
  ['spoken', 'uh is there wifi at the hotel', 'travel_info'],
  ['spoken', 'so um how heavy can my suitcase be', 'travel_info'],
  ['spoken', 'any chance i can bring my labrador on the plane', 'travel_info'],
];

const outOfScope = [
  'how hot does it get on venus in the afternoon',
  'who won the world cup in 2018',
  'give me a recipe for lasagna',
  'what is the square root of 144',
  'tell me something funny',
  'what time is it in tokyo',
  'whats bitcoin worth',
  'set an alarm for half past six',
  "what's the best way to learn guitar",
  'who painted the mona lisa',
  'can you recommend a good book',
  'write an essay about climate change',
];

const sureOutOfScope = ['remind me in twenty minutes to take the cake out', 'Is it snowing on Jupiter right now?'];

const namedBookings: Array<[text: string, reference: string]> = [
  ["What's the status of my booking SKY4F2?", 'SKY4F2'],
  ['is r2d7kp still confirmed', 'R2D7KP'],
  ['K7QM2A', 'K7QM2A'],
  ['Show me the details for R2D7KP', 'R2D7KP'],
];

const requests = ['I need to cancel booking SKY4F2, how do I do that?', 'I want to talk to a human'] as const;

describe('local intent detection', () => {
  const classifier = sharedIntentClassifier();

  it('is tested on sentences it was not trained on', () => {
    expect(trainingRowsAmong([...understood.map(([, text]) => text), ...outOfScope, ...sureOutOfScope, ...namedBookings.map(([text]) => text), ...requests])).toEqual([]);
  });

  it.each(understood)('understands a %s: "%s"', (_category, text, intent) => {
    expect(detectIntent(text, classifier).intent).toBe(intent);
  });

  it('is sure enough to act on nearly all of them (the rest get a question that names the intent)', () => {
    const sure = understood.filter(([, text]) => detectIntent(text, classifier).certainty === 'sure');
    expect(sure.length / understood.length).toBeGreaterThanOrEqual(0.85);
  });

  it.each(outOfScope)('does not act on an out-of-scope question: "%s"', (text) => {
    const detected = detectIntent(text, classifier);
    // Either "not for me", or at most a clarifying question: never a confident in-scope reading.
    expect(detected.intent === 'out_of_scope' || detected.certainty === 'unsure', JSON.stringify(detected)).toBe(true);
  });

  it.each(sureOutOfScope)('says out of scope outright when the model is sure: "%s"', (text) => {
    expect(detectIntent(text, classifier)).toEqual({ intent: 'out_of_scope', certainty: 'sure', bookingReference: null });
  });

  it.each(namedBookings)('looks up a named booking: "%s"', (text, reference) => {
    expect(detectIntent(text, classifier)).toEqual({ intent: 'booking_status', certainty: 'sure', bookingReference: reference });
  });

  const [cancelNamedBooking, askForHuman] = requests;
  it('keeps the reference with a request about that booking', () => {
    expect(detectIntent(cancelNamedBooking, classifier)).toMatchObject({ intent: 'cancel_booking', bookingReference: 'SKY4F2' });
  });

  it('hands over on an explicit request for a person, whatever the model says', () => {
    expect(detectIntent(askForHuman, classifier)).toEqual({ intent: 'human_request', certainty: 'sure', bookingReference: null });
  });

  it('asks what a message of only numbers is about', () => {
    // A rule before the model, so this one need not be new to it (and cannot be:
    // every all-number message normalises to "0"s, which the training data has).
    expect(detectIntent('113542617735902', classifier)).toMatchObject({ intent: 'vague' });
  });
});

describe('findBookingReference', () => {
  it('finds references with letters and digits, not ordinary words', () => {
    expect(findBookingReference('please check SKY4F2 today')).toBe('SKY4F2');
    expect(findBookingReference('status of my flight please')).toBeNull();
    expect(findBookingReference('call me at 123456')).toBeNull();
  });

  it('takes six capitals as a reference unless they spell a known word', () => {
    expect(findBookingReference('booking QXZRTB')).toBe('QXZRTB');
    expect(findBookingReference('I WANT A REFUND', (word) => word === 'refund')).toBeNull();
  });
});
