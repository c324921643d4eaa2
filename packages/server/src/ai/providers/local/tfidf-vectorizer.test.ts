import { describe, expect, it } from 'vitest';
import { cosine, fitTfidf } from './tfidf-vectorizer.js';

describe('TF-IDF vectorizer', () => {
  const texts = ['cancel my flight', 'cancel my hotel', 'refund my flight', 'where is my refund'];
  const { vectorizer, vectors } = fitTfidf(texts);

  it('makes unit-length vectors with ascending indices', () => {
    for (const vector of [...vectors, vectorizer.vectorize('cancel the refund')]) {
      const length = Math.sqrt(vector.values.reduce((sum, value) => sum + value * value, 0));
      expect(length).toBeCloseTo(1, 10);
      expect([...vector.indices]).toEqual([...vector.indices].sort((a, b) => a - b));
    }
  });

  it('vectorises the training texts as it vectorises new ones', () => {
    expect(vectorizer.vectorize(texts[0] ?? '')).toEqual(vectors[0]);
  });

  it('keeps only features seen in at least minDocumentFrequency texts', () => {
    expect(vectorizer.knowsWord('cancel')).toBe(true);
    expect(vectorizer.knowsWord('hotel')).toBe(false);
    expect(fitTfidf(texts, { minDocumentFrequency: 1 }).vectorizer.knowsWord('hotel')).toBe(true);
  });

  it('scores similar texts closer than different ones', () => {
    const query = vectorizer.vectorize('please cancel my flight');
    expect(cosine(query, vectors[0] ?? query)).toBeGreaterThan(cosine(query, vectors[3] ?? query));
    expect(cosine(query, query)).toBeCloseTo(1, 10);
  });

  it('maps a text with no known feature to the empty vector', () => {
    expect(vectorizer.vectorize('zzz qqq').indices).toHaveLength(0);
  });
});
