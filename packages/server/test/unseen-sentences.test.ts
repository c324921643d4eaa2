import { describe, expect, it } from 'vitest';
import { loadIntentTrainingData } from '../src/ai/providers/local/intent-training-data.js';
import { PROTOCOL_QUESTIONS, trainingKey, trainingRowsAmong } from './unseen-sentences.js';

describe('sentences the intent model was not trained on', () => {
  it('normalises as the classifier does: case, accents, apostrophes, punctuation, spacing, numbers, hesitations', () => {
    expect(trainingKey("  Uh, WHAT'S the  Fée\tfor order #113542?! ")).toBe('whats the fee for order 0');
    expect(trainingKey('set a timer for 10 minutes')).toBe(trainingKey('Set a timer for 15 minutes.'));
  });

  it('finds a training row however it is punctuated, spaced or cased', () => {
    // Rows of packages/server/intent-data/travel-examples.jsonl and clinc150.jsonl.
    const rows = loadIntentTrainingData().map((example) => example.text);
    expect(rows).toContain('what is the weather like on mars today');
    expect(rows).toContain('set a timer for 15 minutes');
    expect(trainingRowsAmong(['What is the weather like on Mars today?', 'what is   the weather like on mars, today', 'set a timer for 10 minutes']).map((hit) => hit.sentence)).toEqual([
      'What is the weather like on Mars today?',
      'what is   the weather like on mars, today',
      'set a timer for 10 minutes',
    ]);
    expect(trainingRowsAmong(['What is the weather like on Mars today?'])[0]?.trainedAs).toBe('travel-examples: what is the weather like on mars today');
  });

  it('lets a new sentence through', () => {
    expect(trainingRowsAmong(['Is it snowing on Jupiter right now?'])).toEqual([]);
  });

  it('holds for every question the protocol tests ask', () => {
    expect(trainingRowsAmong(Object.values(PROTOCOL_QUESTIONS))).toEqual([]);
  });
});
