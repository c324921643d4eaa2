import { describe, expect, it } from 'vitest';
import { mergeDraft } from './use-draft.js';

describe('mergeDraft (a form draft meeting a new version of what it edits)', () => {
  const loaded = { companyName: 'Skyway', persona: 'Friendly', rules: { abuse: { action: 'warn', warnings: '1' }, injection: { action: 'safe_reply', warnings: '1' } } };

  it('keeps the fields the user edited and takes everything else from the new version, at any depth', () => {
    const shown = { ...loaded, persona: 'Brief', rules: { ...loaded.rules, abuse: { action: 'end', warnings: '1' } } };
    const theirs = { companyName: 'Skyway Holidays', persona: 'Friendly', rules: { abuse: { action: 'warn', warnings: '3' }, injection: { action: 'neutralise', warnings: '1' } } };
    expect(mergeDraft(shown, loaded, theirs)).toEqual({
      companyName: 'Skyway Holidays',
      persona: 'Brief',
      rules: { abuse: { action: 'end', warnings: '3' }, injection: { action: 'neutralise', warnings: '1' } },
    });
  });

  it('an unedited draft becomes the new version; an edit of the same field as theirs stays the user’s', () => {
    const theirs = { ...loaded, persona: 'Formal' };
    expect(mergeDraft(loaded, loaded, theirs)).toEqual(theirs);
    expect(mergeDraft({ ...loaded, persona: 'Brief' }, loaded, theirs).persona).toBe('Brief');
  });

  it('treats lists as one value (a changed checkbox list is an edit of the whole list)', () => {
    const previous = { triggers: ['a', 'b'] };
    expect(mergeDraft({ triggers: ['a'] }, previous, { triggers: ['a', 'b', 'c'] })).toEqual({ triggers: ['a'] });
    expect(mergeDraft(previous, previous, { triggers: ['c'] })).toEqual({ triggers: ['c'] });
  });
});
