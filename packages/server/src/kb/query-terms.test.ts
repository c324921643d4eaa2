import { describe, expect, it } from 'vitest';
import { queryTerms } from './query-terms.js';

describe('queryTerms', () => {
  it('keeps topic words with their synonyms and drops question filler', () => {
    const terms = queryTerms('How much does it cost to cancel my flight?');
    expect(terms.map((term) => term.word)).toEqual(['cost', 'cancel', 'flight']);
    expect(terms[0]?.alternatives).toContain('fee');
  });

  it('ignores personal details, which say nothing about the topic', () => {
    expect(queryTerms('my email is bob@example.com and phone +44 20 7946 0001, how do I reset my password?').map((term) => term.word)).toEqual([
      'email',
      'phone',
      'reset',
      'password',
    ]);
  });

  it('understands "money back" as a refund', () => {
    expect(queryTerms('can I get my money back')[0]?.alternatives).toContain('refund');
  });
});
