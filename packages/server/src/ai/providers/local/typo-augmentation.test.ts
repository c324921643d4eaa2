import { describe, expect, it } from 'vitest';
import { withTypos } from './typo-augmentation.js';

describe('synthetic typos', () => {
  it('changes at least one longer word, keeps first letters and the number of words', () => {
    for (let seed = 0; seed < 50; seed += 1) {
      const text = 'please cancel my flight booking';
      const typed = withTypos(text, seed);
      expect(typed).not.toBe(text);
      expect(typed.split(' ').map((word) => word[0])).toEqual(text.split(' ').map((word) => word[0]));
    }
  });

  it('is deterministic per seed', () => {
    expect(withTypos('where is my refund', 3)).toBe(withTypos('where is my refund', 3));
  });

  it('leaves a text with no word to change alone', () => {
    expect(withTypos('hi', 1)).toBe('hi');
  });
});
