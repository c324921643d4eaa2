import { describe, expect, it } from 'vitest';
import { EntityMatcher } from './entity-matcher.js';

const matcher = new EntityMatcher([
  'Harbour View Hotel',
  'Lakeside Inn',
  'Cafe Lumiere - Old Town',
  'Cafe Lumiere - Riverside',
  'Restaurant Twenty One',
  'The Blue Door',
  'Granite Peak Lodge',
]);

describe('EntityMatcher', () => {
  it('takes the entity the latest message names', () => {
    expect(matcher.resolve('does the lakeside inn have parking?', ['I stayed at the Harbour View Hotel'])).toMatchObject({
      entity: 'Lakeside Inn',
      source: 'text',
    });
  });

  it('otherwise takes the most recent mention in the conversation, and offers older ones with less weight', () => {
    const context = ['Can you find me a hotel?', 'Sure, the Harbour View Hotel is nice.', 'Anything cheaper?', 'The Lakeside Inn is cheaper.'];
    const candidates = matcher.candidates('what is the check-in time for that', context);
    expect(candidates[0]).toMatchObject({ entity: 'Lakeside Inn', source: 'context', prior: 1 });
    expect(candidates[1]?.entity).toBe('Harbour View Hotel');
    expect(candidates[1]?.prior).toBeLessThan(1);
  });

  it('of two names in one turn, takes the later one', () => {
    expect(matcher.resolve('and do they have wifi', ['there is the harbour view hotel and also the granite peak lodge'])?.entity).toBe('Granite Peak Lodge');
  });

  it('hears through transcription noise and misspellings', () => {
    expect(matcher.resolve('is the harbor view hotell open late', [])?.entity).toBe('Harbour View Hotel');
    expect(matcher.resolve('what about the blue door', [])?.entity).toBe('The Blue Door');
  });

  it('does not take the numbers of a phone number or address for a name', () => {
    expect(matcher.resolve('do they deliver', ['their phone number is four one five twenty one eight one one'])).toBeNull();
    expect(matcher.resolve('do they deliver', ['I found restaurant twenty one for you'])?.entity).toBe('Restaurant Twenty One');
  });

  it("tells a chain's branches apart by what else the conversation said", () => {
    const context = ['I want a cafe near the riverside', 'There is Cafe Lumiere'];
    expect(matcher.resolve('are they open on sunday', context)?.entity).toBe('Cafe Lumiere - Riverside');
  });

  it('finds nothing when nothing is named, or when there are no entities at all', () => {
    expect(matcher.resolve('how much does it cost to cancel a flight', ['hello'])).toBeNull();
    expect(new EntityMatcher([]).resolve('the lakeside inn', [])).toBeNull();
  });
});
