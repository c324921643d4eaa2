import { describe, expect, it } from 'vitest';
import { binaryScores, countBinary, firstRelevantRank, meanReciprocalRank, percentile, recallAtK, share } from './metrics.js';

describe('ranking metrics', () => {
  it('finds the 1-based rank of the first gold id', () => {
    expect(firstRelevantRank(['a', 'b', 'c'], new Set(['c', 'b']))).toBe(2);
    expect(firstRelevantRank(['a'], new Set(['z']))).toBeNull();
    expect(firstRelevantRank([], new Set(['z']))).toBeNull();
  });

  it('computes recall@k and MRR over ranks', () => {
    const ranks = [1, 3, null, 2];
    expect(recallAtK(ranks, 1)).toBe(0.25);
    expect(recallAtK(ranks, 3)).toBe(0.75);
    expect(recallAtK(ranks, 5)).toBe(0.75);
    expect(meanReciprocalRank(ranks)).toBeCloseTo((1 + 1 / 3 + 0 + 1 / 2) / 4, 12);
    expect(recallAtK([], 1)).toBe(0);
    expect(meanReciprocalRank([])).toBe(0);
  });

  it('takes nearest-rank percentiles', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBe(0);
  });
});

describe('classification metrics', () => {
  it('counts a confusion matrix and scores it', () => {
    const counts = countBinary([
      { predicted: true, actual: true },
      { predicted: true, actual: true },
      { predicted: true, actual: false },
      { predicted: false, actual: true },
      { predicted: false, actual: false },
    ]);
    expect(counts).toEqual({ truePositives: 2, falsePositives: 1, falseNegatives: 1, trueNegatives: 1 });
    const scores = binaryScores(counts);
    expect(scores.precision).toBeCloseTo(2 / 3, 12);
    expect(scores.recall).toBeCloseTo(2 / 3, 12);
    expect(scores.f1).toBeCloseTo(2 / 3, 12);
    expect(scores.accuracy).toBeCloseTo(3 / 5, 12);
  });

  it('scores nothing to divide by as 0', () => {
    expect(binaryScores({ truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 4 })).toEqual({ precision: 0, recall: 0, f1: 0, accuracy: 1 });
  });

  it('computes shares', () => {
    expect(share([1, 2, 3, 4], (value) => value % 2 === 0)).toBe(0.5);
    expect(share([], () => true)).toBe(0);
  });
});
