import { describe, expect, it } from 'vitest';
import { chunkArticle } from './chunk-article.js';

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
