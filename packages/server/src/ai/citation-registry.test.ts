import { describe, expect, it } from 'vitest';
import { CitationRegistry } from './citation-registry.js';

describe('CitationRegistry', () => {
  it('numbers each article once and cites only what the text marks', () => {
    const registry = new CitationRegistry();
    const fees = { articleId: 'fees', title: 'Fees', url: 'https://help.example/fees' };
    const bags = { articleId: 'bags', title: 'Bags', url: 'https://help.example/bags' };
    expect(registry.register(fees)).toBe(1);
    expect(registry.register(bags)).toBe(2);
    expect(registry.register(fees)).toBe(1);
    expect(registry.citedIn('Bags cost €45 [2], see also [2] and [7].')).toEqual([{ ...bags, ref: 2 }]);
    expect(registry.citedIn('No markers here.')).toEqual([]);
  });
});
