import { DEFAULT_INTENT_TRAINING } from '../src/ai/providers/local/intent-classifier.js';
import { loadIntentTrainingData } from '../src/ai/providers/local/intent-training-data.js';
import { wordsOf } from '../src/ai/providers/local/text-features.js';
import { withTypos } from '../src/ai/providers/local/typo-augmentation.js';

/**
 * Tests of the intent model ask sentences it was not trained on, or they
 * measure recall, not understanding. "Not trained on" means after the
 * classifier's own normalisation (text-features.ts: case, accents,
 * apostrophes, punctuation, spacing, numbers, spoken hesitations): to the
 * model, "What's the weather on Mars today?!" and "whats the weather on mars
 * today" are one sentence.
 */
export function trainingKey(text: string): string {
  return wordsOf(text).join(' ');
}

let trained: Map<string, string> | undefined;

/**
 * Every text the shipped model learns from, by its normalised key: the rows
 * of packages/server/intent-data/, and the typo copies training adds to them
 * (made as trainIntentClassifier makes them, with the default settings).
 */
function trainedTexts(): Map<string, string> {
  if (trained) return trained;
  const examples = loadIntentTrainingData();
  const { seed, typoCopies } = DEFAULT_INTENT_TRAINING;
  const texts = new Map<string, string>();
  examples.forEach((example, index) => {
    texts.set(trainingKey(example.text), `${example.id ?? 'travel-examples'}: ${example.text}`);
    if (example.intent === 'out_of_scope') return;
    for (let copy = 0; copy < typoCopies; copy += 1) {
      const typed = withTypos(example.text, seed * 1_000_003 + index * 31 + copy);
      if (!texts.has(trainingKey(typed))) texts.set(trainingKey(typed), `typo copy of ${example.id ?? 'travel-examples'}: ${typed}`);
    }
  });
  trained = texts;
  return texts;
}

/** The sentences that the model was in fact trained on, each with the training text it equals. */
export function trainingRowsAmong(sentences: Iterable<string>): Array<{ sentence: string; trainedAs: string }> {
  const texts = trainedTexts();
  return [...sentences].flatMap((sentence) => {
    const trainedAs = texts.get(trainingKey(sentence));
    return trainedAs === undefined ? [] : [{ sentence, trainedAs }];
  });
}

/**
 * What the protocol tests (protocol.test.ts) ask the local provider, each
 * for the behaviour named. None is a training row (unseen-sentences.test.ts):
 * the tests show the service understanding a customer, not replaying its data.
 */
export const PROTOCOL_QUESTIONS = {
  /** Answered from the fee article ("€75"), with its citation. */
  cancellationFee: 'What would cancelling my flight cost me?',
  /** Answered from the refund article. */
  refundTime: 'When will the refund be back on my card?',
  /** Answered from the baggage article. */
  cabinBaggage: 'How big can my carry-on bag be?',
  /** Nothing in the knowledge base answers it: "don't know". */
  unanswerable: 'Is it snowing on Jupiter right now?',
  /** Two more that nothing answers, for the repeated-failure handoff. */
  unanswerableFootball: 'Who will win the next football world cup?',
  unanswerablePizza: 'Can you recommend a good pizza place on the moon?',
  /** Any small talk that gets a reply. */
  greeting: 'hi there, good afternoon',
  thanks: 'many thanks for that',
  /** A named booking of the demo data. */
  bookingStatus: "What's the status of my booking SKY4F2?",
  /** The explicit request for a person (escalation/triggers.ts hands over before any model). */
  human: 'I want to talk to a human',
} as const;
