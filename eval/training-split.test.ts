import { describe, expect, it } from 'vitest';
import { normalisedKey, trainingBucket } from './training-split.js';

describe('training split', () => {
  it('puts a text in a fixed bucket 0..99, whatever its case and spacing', () => {
    const bucket = trainingBucket('How do I cancel my order?');
    expect(bucket).toBeGreaterThanOrEqual(0);
    expect(bucket).toBeLessThan(100);
    expect(trainingBucket('  how do i   cancel my ORDER? ')).toBe(bucket);
    expect(normalisedKey('  A \t B ')).toBe('a b');
  });

  it('spreads texts over the buckets', () => {
    const buckets = Array.from({ length: 1000 }, (_, index) => trainingBucket(`message number ${index}`));
    const below60 = buckets.filter((bucket) => bucket < 60).length;
    expect(below60).toBeGreaterThan(550);
    expect(below60).toBeLessThan(650);
  });
});
