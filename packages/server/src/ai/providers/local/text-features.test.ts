import { describe, expect, it } from 'vitest';
import { featureIds, normaliseText, wordFeature, wordsOf } from './text-features.js';

describe('text features', () => {
  it('normalises case, accents, apostrophes, numbers and punctuation', () => {
    expect(normaliseText("  What's the Fée for order #113542617735902?! ")).toBe('whats the fee for order 0');
    expect(normaliseText('refund of $1,499.00 to me@example.com')).toBe('refund of 0 to email');
  });

  it('drops spoken hesitations but keeps real words', () => {
    expect(wordsOf('uh umm so is there hmm parking er there')).toEqual(['so', 'is', 'there', 'parking', 'there']);
    expect(wordsOf('umbrella hummus')).toEqual(['umbrella', 'hummus']);
  });

  it('gives a typo most of the character n-grams of the word it meant', () => {
    const shared = (a: string, b: string) => {
      const fa = new Set(featureIds(a));
      const fb = new Set(featureIds(b));
      return [...fa].filter((feature) => fb.has(feature)).length / fa.size;
    };
    expect(shared('cancellation', 'cancelation')).toBeGreaterThan(0.5);
    expect(shared('cancellation', 'baggage')).toBe(0);
  });

  it('lists words, word pairs and character n-grams as distinct features, once per occurrence', () => {
    const features = featureIds('ref ref');
    expect(features.filter((feature) => feature === wordFeature('ref'))).toHaveLength(2);
    // Per word: the word and n-grams " re", "ref", "ef ", " ref", "ref ", " ref "; once: the pair "ref ref".
    expect(features).toHaveLength(2 * 7 + 1);
    expect(new Set(features).size).toBe(1 + 1 + 6);
  });

  it('is empty for a message without words', () => {
    expect(featureIds('?!')).toEqual([]);
  });
});
