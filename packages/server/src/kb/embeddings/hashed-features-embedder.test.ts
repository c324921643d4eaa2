import { describe, expect, it } from 'vitest';
import { createHashedFeaturesEmbedder, hashedFeatureVector } from './hashed-features-embedder.js';

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * (b[index] ?? 0), 0);
const norm = (vector: number[]) => Math.sqrt(cosine(vector, vector));

describe('hashed-features embedder', () => {
  const embedder = createHashedFeaturesEmbedder();

  it('is deterministic, of the configured size, and names its size in the model', async () => {
    const [first] = await embedder.embed(['How much does it cost to cancel a flight?']);
    const [again] = await createHashedFeaturesEmbedder().embed(['How much does it cost to cancel a flight?']);
    expect(first).toEqual(again);
    expect(first).toHaveLength(384);
    expect(embedder.model).toBe('hashed-features-v1-384');
    const small = createHashedFeaturesEmbedder({ dimensions: 64 });
    expect((await small.embed(['refund']))[0]).toHaveLength(64);
    expect(small.model).not.toBe(embedder.model);
  });

  it('returns unit vectors, one per text in order, and the zero vector for a text without words', async () => {
    const vectors = await embedder.embed(['refund', 'baggage allowance for infants', '?!', '']);
    expect(vectors).toHaveLength(4);
    expect(norm(vectors[0] ?? [])).toBeCloseTo(1, 6);
    expect(norm(vectors[1] ?? [])).toBeCloseTo(1, 6);
    expect(vectors[2]?.every((value) => value === 0)).toBe(true);
    expect(vectors[3]?.every((value) => value === 0)).toBe(true);
  });

  it('keeps misspellings and word forms close: "cancelation" is near "cancellation"', () => {
    const similarity = (a: string, b: string) => cosine(hashedFeatureVector(a, 384), hashedFeatureVector(b, 384));
    const typo = similarity('cancelation fee', 'cancellation fee');
    const unrelated = similarity('cancelation fee', 'wheelchair assistance');
    expect(typo).toBeGreaterThan(0.6);
    expect(unrelated).toBeLessThan(0.2);
    expect(similarity('my suitcase was damaged', 'damaged suitcases')).toBeGreaterThan(similarity('my suitcase was damaged', 'damaged seats'));
    // "check in", "check-in" and "checkin" are one thing.
    expect(similarity('what time is checkin', 'check-in time')).toBeGreaterThan(0.5);
  });

  it('folds the support synonyms together: luggage is baggage', () => {
    const similarity = (a: string, b: string) => cosine(hashedFeatureVector(a, 384), hashedFeatureVector(b, 384));
    expect(similarity('lost luggage', 'lost baggage')).toBeGreaterThan(similarity('lost luggage', 'lost passport'));
  });

  it('refuses a size too small to hash into', () => {
    expect(() => createHashedFeaturesEmbedder({ dimensions: 4 })).toThrow(RangeError);
  });
});
