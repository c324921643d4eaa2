import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { chunkArticle } from '../chunk-article.js';
import { KbImportError } from './kb-import-error.js';
import { readKnowledgeBase } from './read-knowledge-base.js';

const fixture = fileURLToPath(new URL('../../../test/fixtures/kb-import/', import.meta.url));

let scratch: string | undefined;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A folder holding `files` (relative path → content). */
async function folderWith(files: Record<string, string>): Promise<string> {
  scratch = await mkdtemp(join(tmpdir(), 'kb-read-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(scratch, name)), { recursive: true });
    await writeFile(join(scratch, name), content);
  }
  return scratch;
}

async function importError(files: Record<string, string>): Promise<KbImportError> {
  const error = await readKnowledgeBase(await folderWith(files)).catch((caught: unknown) => caught);
  if (!(error instanceof KbImportError)) throw new Error(`expected a KbImportError, got ${String(error)}`);
  return error;
}

describe('readKnowledgeBase on a folder of every format', () => {
  it('reads every supported file recursively, in path order, and skips the rest', async () => {
    const { articles, files, skipped } = await readKnowledgeBase(fixture);
    expect(files).toEqual(['dstc-sample.jsonl', 'faq.csv', 'faq.json', 'guides/baggage.html', 'guides/pets.md', 'guides/refunds.md']);
    expect(skipped).toEqual(['notes.txt']);
    expect(articles.map((article) => article.id)).toEqual([
      'hotel-0-0',
      'hotel-0-1',
      'restaurant-7-2',
      'taxi-all-1',
      'faq-csv-1',
      'faq-csv-2',
      'wifi-on-board',
      'faq-json-2',
      'guides-baggage',
      'travelling-with-pets',
      'guides-refunds',
    ]);
    expect(new Set(articles.map((article) => article.sourcePath))).toEqual(new Set(files));
  });

  it('maps the DSTC FAQ shape: question/answer, domain as category, entity_name as entity, a stable id', async () => {
    const { articles } = await readKnowledgeBase(join(fixture, 'dstc-sample.jsonl'));
    expect(articles[1]).toEqual({
      id: 'hotel-0-1',
      title: 'Can I bring my pet to A and B Guest House?',
      body: 'No, pets are not allowed at this property.',
      category: 'hotel',
      entity: 'A AND B GUEST HOUSE',
      url: '',
      locale: 'en',
      sourcePath: 'dstc-sample.jsonl',
      metadata: { externalId: 'hotel/0/1', entity_id: '0' },
    });
    // A domain-wide entry has no entity; its "*" becomes "all" rather than vanishing from the id.
    expect(articles[3]).toMatchObject({ id: 'taxi-all-1', category: 'taxi', entity: null, metadata: { externalId: 'taxi/*/1', entity_id: '*' } });
  });

  it('reads Markdown front matter and takes the title from it or from the first "# " heading', async () => {
    // Ids come from the path under the import root: imported from guides/, refunds.md is "refunds".
    const { articles } = await readKnowledgeBase(join(fixture, 'guides'));
    const refunds = articles.find((article) => article.id === 'refunds');
    expect(refunds).toMatchObject({
      title: 'Refund processing times',
      category: 'refunds',
      url: 'https://help.example.com/refunds',
      metadata: { owner: 'payments team' },
    });
    expect(refunds?.body.startsWith('How long a refund takes')).toBe(true);
    expect(chunkArticle(refunds?.title ?? '', refunds?.body ?? '').map((chunk) => chunk.heading)).toEqual(['Refund processing times', 'Card payments', 'Wallet']);
    expect(articles.find((article) => article.title === 'Travelling with pets')).toMatchObject({
      id: 'travelling-with-pets',
      locale: 'en-GB',
      metadata: { externalId: 'Travelling With Pets' },
    });
  });

  it('extracts HTML text without scripts, styles, navigation or footers, keeping headings for chunking', async () => {
    const { articles } = await readKnowledgeBase(join(fixture, 'guides/baggage.html'));
    expect(articles).toHaveLength(1);
    expect(articles[0]).toMatchObject({ id: 'baggage', title: 'Cabin baggage allowance', url: 'https://help.example.com/baggage', locale: 'en' });
    expect(articles[0]?.body).toBe(
      'Every passenger may bring one cabin bag & one personal item.\n\n## Size limits\n\n- Cabin bag: 55 × 40 × 20 cm\n- Personal item: 40 × 30 × 15 cm\n\n### Weight\n\nUp to 10 kg.',
    );
  });

  it('reads CSV rows with quoted multi-line cells and optional columns', async () => {
    const { articles } = await readKnowledgeBase(join(fixture, 'faq.csv'));
    expect(articles.map((article) => [article.title, article.category, article.entity])).toEqual([
      ['Can I change my seat?', 'seats', null],
      ['Is breakfast included at the Harbour Hotel?', 'hotels', 'Harbour Hotel'],
    ]);
    expect(articles[1]?.body).toBe('Breakfast is included in flexible rates.\nOther rates can add it for €15.');
  });
});

describe('readKnowledgeBase on malformed input', () => {
  it.each([
    ['kb.jsonl', '{"question": "a?", "answer": "b"}\n\n{"question": "c?", "answer": }\n', 'kb.jsonl:3: not valid JSON'],
    ['kb.jsonl', '{"question": "a?", "answer": "b"}\n["not", "an", "object"]\n', 'kb.jsonl:2: expected an object'],
    ['faq.csv', 'question,answer\nq1,a1\nq2,a2\nq3,\n', 'faq.csv:4: missing answer'],
    ['faq.csv', 'question,answer\n"multi\nline",a1\nq2,"a2"x\n', 'faq.csv:4: not valid CSV'],
    ['faq.csv', 'question,answer\nq1,a1,extra\n', 'faq.csv:2: not valid CSV'],
    ['faq.csv', 'prompt,reply\nq1,a1\n', 'faq.csv:1: the header needs "question" and "answer"'],
    ['faq.json', '[\n  {"title": "A", "body": "a"},\n  {"title": "B", "body": "b",}\n]\n', 'faq.json:3: not valid JSON'],
    ['faq.json', '[\n  {"title": "A", "body": "a"},\n\n  {"title": "B"}\n]\n', 'faq.json:4: missing body'],
    ['faq.json', '{"title": "A", "body": "a"}', 'faq.json:1: expected a JSON array'],
    ['faq.json', '[{"title": "A", "body": "a", "url": "javascript:alert(1)"}]', 'faq.json:1: url: must be an http(s) URL'],
    ['a.md', '---\ntitle: A\n', 'a.md:1: the front matter has no closing "---" line'],
    ['a.md', '---\ntitle: A\nthis is not a key\n---\nBody.', 'a.md:3: front matter lines must be "key: value"'],
    ['a.md', '---\ntitle: A\nurl: ftp://x\n---\nBody.', 'a.md:3: url: must be an http(s) URL'],
    ['a.md', '# Only a title\n', 'a.md:1: body: must not be empty'],
  ])('%s: %j → %s', async (name, content, expected) => {
    const error = await importError({ [name]: content });
    expect(error.message.startsWith(expected)).toBe(true);
    expect(error).toMatchObject({ code: 'kb_import_invalid', file: name });
  });

  it('names both places of a duplicate id', async () => {
    const error = await importError({ 'a.md': '---\nid: fees\n---\n# Fees\nText.', 'b/c.jsonl': '\n{"id": "Fees", "title": "T", "body": "B"}\n' });
    expect(error.message).toBe('b/c.jsonl:2: duplicate article id "fees" (first at a.md:1)');
  });

  it('refuses an unsupported file and a folder without articles', async () => {
    const folder = await folderWith({ 'notes.txt': 'hello' });
    await expect(readKnowledgeBase(join(folder, 'notes.txt'))).rejects.toThrow('notes.txt:1: unsupported file type');
    await expect(readKnowledgeBase(folder)).rejects.toThrow(/no \.md, .* files in this folder/);
    await expect(readKnowledgeBase(join(folder, 'missing'))).rejects.toThrow(/missing:1: no such file or folder/);
  });
});
