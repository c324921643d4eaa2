import { describe, expect, it } from 'vitest';
import { seededRandom, trainSoftmax, type TrainingExample } from './softmax-classifier.js';
import type { SparseVector } from './tfidf-vectorizer.js';

const vector = (entries: Array<[number, number]>): SparseVector => ({
  indices: Int32Array.from(entries, ([index]) => index),
  values: Float64Array.from(entries, ([, value]) => value),
});

// Three classes, each marked by its own feature, plus a shared noise feature.
const examples: TrainingExample[] = Array.from({ length: 60 }, (_, index) => ({
  x: vector([
    [index % 3, 0.9],
    [3, 0.43],
  ]),
  y: index % 3,
}));
const options = { epochs: 5, learningRate: 1, l2: 1e-5, seed: 7 };

describe('softmax classifier', () => {
  it('learns separable classes and returns probabilities that sum to one', () => {
    const model = trainSoftmax(examples, 4, 3, options);
    for (const target of [0, 1, 2]) {
      const probabilities = model.probabilities(vector([[target, 1]]));
      expect(probabilities.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 10);
      expect(Math.max(...probabilities)).toBe(probabilities[target]);
      expect(probabilities[target]).toBeGreaterThan(0.8);
    }
  });

  it('gives the same model for the same seed', () => {
    const probe = vector([
      [0, 0.5],
      [1, 0.5],
    ]);
    expect(trainSoftmax(examples, 4, 3, options).probabilities(probe)).toEqual(trainSoftmax(examples, 4, 3, options).probabilities(probe));
  });

  it('has a reproducible random sequence', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true);
  });
});
