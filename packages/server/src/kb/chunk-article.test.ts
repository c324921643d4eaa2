import { describe, expect, it } from 'vitest';
import { CHUNK_OVERLAP_CHARS, MAX_CHUNK_CHARS, chunkArticle } from './chunk-article.js';

describe('chunkArticle', () => {
  it('splits at headings, keeps the lead under the title, and drops empty sections', () => {
    const chunks = chunkArticle('Refunds', 'Lead paragraph.\n\n## Card\nFive to ten days.\n\n## Empty\n\n### Wallet\nInstant.');
    expect(chunks).toEqual([
      { position: 0, heading: 'Refunds', body: 'Lead paragraph.' },
      { position: 1, heading: 'Card', body: 'Five to ten days.' },
      { position: 2, heading: 'Wallet', body: 'Instant.' },
    ]);
  });

  it('cuts long sections at paragraph breaks under the size limit', () => {
    const paragraph = 'word '.repeat(100).trim();
    const chunks = chunkArticle('Long', Array.from({ length: 8 }, () => paragraph).join('\n\n'));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((chunk) => chunk.body.length <= 1500)).toBe(true);
    expect(chunks.map((chunk) => chunk.body).join('\n\n')).toBe(Array.from({ length: 8 }, () => paragraph).join('\n\n'));
  });
});

/** The longest end of `previous` that `next` starts with. */
function sharedEdge(previous: string, next: string): string {
  for (let length = Math.min(previous.length, next.length); length > 0; length -= 1) {
    if (previous.endsWith(next.slice(0, length))) return next.slice(0, length);
  }
  return '';
}

describe('chunkArticle size limit and overlap', () => {
  const sentences = Array.from({ length: 60 }, (_, index) => `Sentence number ${index} says something about baggage rules.`);

  it('cuts long prose at sentence ends and repeats the last sentence of the previous piece', () => {
    const chunks = chunkArticle('Bags', sentences.join(' '));
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.body.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
      // Never starts or ends mid-sentence.
      expect(chunk.body).toMatch(/^Sentence number \d+/);
      expect(chunk.body).toMatch(/rules\.$/);
    }
    for (let index = 1; index < chunks.length; index += 1) {
      const overlap = sharedEdge(chunks[index - 1]?.body ?? '', chunks[index]?.body ?? '');
      expect(overlap).toMatch(/^Sentence number \d+/);
      expect(overlap.length).toBeLessThanOrEqual(CHUNK_OVERLAP_CHARS);
    }
    // Nothing is lost: every sentence is in some chunk.
    const joined = chunks.map((chunk) => chunk.body).join(' ');
    expect(sentences.every((sentence) => joined.includes(sentence))).toBe(true);
  });

  it('keeps the heading on every piece of a split section', () => {
    const chunks = chunkArticle('Bags', `Lead.\n\n## Cabin bags\n${sentences.join(' ')}`);
    expect(chunks[0]).toEqual({ position: 0, heading: 'Bags', body: 'Lead.' });
    expect(chunks.slice(1).every((chunk) => chunk.heading === 'Cabin bags')).toBe(true);
    expect(chunks.map((chunk) => chunk.position)).toEqual(chunks.map((_, index) => index));
  });

  it('falls back to word and then character cuts for text without sentence ends', () => {
    const words = Array.from({ length: 600 }, (_, index) => `w${index}`).join(' ');
    const byWords = chunkArticle('Words', words);
    expect(byWords.length).toBeGreaterThan(1);
    expect(byWords.every((chunk) => chunk.body.length <= MAX_CHUNK_CHARS)).toBe(true);
    expect(byWords.map((chunk) => chunk.body).join(' ')).toBe(words);

    const blob = 'x'.repeat(3000);
    const bySlices = chunkArticle('Blob', blob);
    expect(bySlices.map((chunk) => chunk.body.length)).toEqual([1200, 1200, 600]);
  });

  it('leaves a section under the limit whole, whatever its sentences', () => {
    const body = sentences.slice(0, 5).join(' ');
    expect(chunkArticle('Short', body)).toEqual([{ position: 0, heading: 'Short', body }]);
  });
});
