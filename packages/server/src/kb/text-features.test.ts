import { describe, expect, it } from 'vitest';
import { charNgrams, lightStem, normaliseWords } from './text-features.js';

describe('text features', () => {
  it('normalises case, accents, apostrophes and ampersands', () => {
    expect(normaliseWords("Café & Bar's check-in")).toEqual(['cafe', 'and', 'bars', 'check', 'in']);
  });

  it('puts the forms of a word on one stem', () => {
    const stems = ['cancel', 'cancelled', 'canceled', 'cancelling', 'cancellation', 'cancelation', 'cancels'].map(lightStem);
    expect(new Set(stems)).toEqual(new Set(['cancel']));
    expect(lightStem('reservations')).toBe(lightStem('reserve'));
    expect(lightStem('parking')).toBe('park');
    expect(lightStem('bus')).toBe('bus');
  });

  it('cuts padded character n-grams, so that the start and end of a word count as such', () => {
    expect(charNgrams('bag', 3, 4)).toEqual(['<ba', 'bag', 'ag>', '<bag', 'bag>']);
  });
});
