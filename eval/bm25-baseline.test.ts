import { describe, expect, it } from 'vitest';
import { buildBm25Index } from './bm25-baseline.js';

const entry = (id: string, entity: string | null, question: string, answer: string) => ({ id, domain: 'hotel', entity_id: '1', entity_name: entity, question, answer });

describe('BM25 baseline', () => {
  const index = buildBm25Index([
    entry('hotel/1/0', 'Grant Hotel', 'What time is check-in?', 'Check-in starts at 3 pm.'),
    entry('hotel/2/0', 'Harbor Court Hotel', 'What time is check-in?', 'Check-in starts at 4 pm.'),
    entry('hotel/1/1', 'Grant Hotel', 'Are pets allowed?', 'No pets, sorry.'),
  ]);

  it('ranks by the words of the query, entity names included', () => {
    expect(index.search('check-in time at the harbor court', 3)[0]).toBe('hotel/2/0');
    expect(index.search('can i bring pets to the grant', 3)[0]).toBe('hotel/1/1');
  });

  it('ignores function words, so a long dialogue does not match everything on "the"', () => {
    expect(index.search('the the is a', 3)).toEqual([]);
  });

  it('returns at most the limit', () => {
    expect(index.search('check-in', 1)).toHaveLength(1);
  });
});
