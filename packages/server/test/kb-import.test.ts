import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../src/demo/demo-data.js';
import { seedDemoData } from '../src/demo/seed-demo-data.js';
import { importKnowledgeBase, type ImportOptions } from '../src/kb/import/import-knowledge-base.js';
import { KbImportError } from '../src/kb/import/kb-import-error.js';
import type { KbChunkIndexer } from '../src/kb/kb-chunk-indexer.js';
import type { Database } from '../src/storage/database.js';
import { createTestDatabase, testDrivers, type TestDatabase } from './test-server.js';

const fixture = fileURLToPath(new URL('./fixtures/kb-import/', import.meta.url));

/** A fake indexer that records what it was given: the import must hand it new and changed chunks only. */
function recordingIndexer(): KbChunkIndexer & { chunks: Array<{ id: string; text: string }> } {
  const chunks: Array<{ id: string; text: string }> = [];
  return {
    chunks,
    async index(_tx, given) {
      chunks.push(...given);
    },
  };
}

/** Everything an import could change, to show that a refused one changed nothing. */
async function snapshot(db: Database) {
  const articles = await db.query('SELECT id, source, content_hash, updated_at FROM kb_articles ORDER BY id');
  const chunks = await db.query('SELECT id, content_hash, body FROM kb_chunks ORDER BY id');
  return { articles: articles.rows, chunks: chunks.rows };
}

describe.each(testDrivers)('knowledge-base import on %s', (driver) => {
  let database: TestDatabase;
  let db: Database;
  let folder: string;
  const importFolder = (indexer: KbChunkIndexer, options: Omit<ImportOptions, 'indexer'> = {}) =>
    importKnowledgeBase(db, folder, { source: 'help-centre', indexer, ...options });
  const articleIds = async (source: string) =>
    (await db.query<{ id: string }>('SELECT id FROM kb_articles WHERE source = $1 ORDER BY id', [source])).rows.map((row) => row.id);
  const chunkIds = async (articleId: string) =>
    (await db.query<{ id: string }>('SELECT id FROM kb_chunks WHERE article_id = $1 ORDER BY position', [articleId])).rows.map((row) => row.id);

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.db;
    // Another source's articles, which no import of this folder may touch.
    await seedDemoData(db, await loadDemoData());
    folder = await mkdtemp(join(tmpdir(), 'kb-import-'));
    await cp(fixture, folder, { recursive: true });
  });
  afterAll(async () => {
    await database?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('imports a folder of every format and indexes every chunk once', async () => {
    const indexer = recordingIndexer();
    const result = await importFolder(indexer);
    expect(result).toMatchObject({ source: 'help-centre', files: 6, articles: 11, added: 11, updated: 0, unchanged: 0, pruned: 0, skippedFiles: ['notes.txt'] });
    const stored = await db.query<{ id: string }>(`SELECT c.id FROM kb_chunks c JOIN kb_articles a ON a.id = c.article_id WHERE a.source = 'help-centre' ORDER BY c.id`);
    expect(result.chunksIndexed).toBe(stored.rows.length);
    expect(indexer.chunks.map((chunk) => chunk.id).sort()).toEqual(stored.rows.map((row) => row.id));

    const pet = await db.query('SELECT title, body, category, entity, source, source_path, metadata, content_hash FROM kb_articles WHERE id = $1', ['hotel-0-1']);
    expect(pet.rows[0]).toMatchObject({
      title: 'Can I bring my pet to A and B Guest House?',
      category: 'hotel',
      entity: 'A AND B GUEST HOUSE',
      source: 'help-centre',
      source_path: 'dstc-sample.jsonl',
      metadata: { externalId: 'hotel/0/1', entity_id: '0' },
      content_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // The indexer sees what a bare answer is about: the entity and the question.
    expect(indexer.chunks.find((chunk) => chunk.id === 'hotel-0-1#0')?.text).toBe(
      'A AND B GUEST HOUSE\nCan I bring my pet to A and B Guest House?\nNo, pets are not allowed at this property.',
    );
    expect(await chunkIds('guides-refunds')).toEqual(['guides-refunds#0', 'guides-refunds#1', 'guides-refunds#2']);
  });

  it('changes nothing and indexes nothing when the same files are imported again', async () => {
    const before = await snapshot(db);
    const indexer = recordingIndexer();
    expect(await importFolder(indexer)).toMatchObject({ added: 0, updated: 0, unchanged: 11, pruned: 0, chunksIndexed: 0 });
    expect(indexer.chunks).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
  });

  it('re-indexes only the chunks an edit changed, and drops the positions an article lost', async () => {
    const refundsFile = join(folder, 'guides/refunds.md');
    const original = await readFile(refundsFile, 'utf8');
    await writeFile(refundsFile, original.replace('is instant.', 'is instant, day and night.'));
    const indexer = recordingIndexer();
    expect(await importFolder(indexer)).toMatchObject({ added: 0, updated: 1, unchanged: 10, chunksIndexed: 1 });
    expect(indexer.chunks).toEqual([{ id: 'guides-refunds#2', text: expect.stringContaining('day and night') }]);

    // Without the card section, "Wallet" moves up to position 1 and position 2 goes.
    await writeFile(refundsFile, original.replace(/## Card payments\n\n.*\n\n/, ''));
    const shrunk = recordingIndexer();
    expect(await importFolder(shrunk)).toMatchObject({ updated: 1, chunksIndexed: 1 });
    expect(shrunk.chunks.map((chunk) => chunk.id)).toEqual(['guides-refunds#1']);
    expect(await chunkIds('guides-refunds')).toEqual(['guides-refunds#0', 'guides-refunds#1']);
  });

  it('keeps vanished articles unless asked to prune, and prunes only its own source', async () => {
    const demoArticles = (await articleIds('demo')).length;
    await rm(join(folder, 'faq.json'));
    expect(await importFolder(recordingIndexer())).toMatchObject({ pruned: 0, unchanged: 9 });
    expect(await articleIds('help-centre')).toContain('wifi-on-board');

    expect(await importFolder(recordingIndexer(), { prune: true, dryRun: true })).toMatchObject({ pruned: 2 });
    expect(await articleIds('help-centre')).toContain('wifi-on-board');

    expect(await importFolder(recordingIndexer(), { prune: true })).toMatchObject({ added: 0, updated: 0, unchanged: 9, pruned: 2 });
    const remaining = await articleIds('help-centre');
    expect(remaining).toHaveLength(9);
    expect(remaining).not.toContain('wifi-on-board');
    expect(remaining).not.toContain('faq-json-2');
    expect(await chunkIds('wifi-on-board')).toEqual([]);
    expect(await articleIds('demo')).toHaveLength(demoArticles);
  });

  it('writes nothing of an import that has one bad file, and names the file and line', async () => {
    await writeFile(join(folder, 'faq.csv'), (await readFile(join(folder, 'faq.csv'), 'utf8')).replace('seats', 'seating'));
    await writeFile(join(folder, 'broken.jsonl'), '{"question": "ok?", "answer": "ok"}\n{"question": "oops?", "answer": \n');
    const before = await snapshot(db);
    const indexer = recordingIndexer();
    const error = await importFolder(indexer).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KbImportError);
    expect(error).toMatchObject({ code: 'kb_import_invalid', message: expect.stringMatching(/^broken\.jsonl:2: not valid JSON/) });
    expect(indexer.chunks).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
    await rm(join(folder, 'broken.jsonl'));
  });

  it('rolls the whole import back when indexing fails part-way', async () => {
    // Enough articles for several write batches: the first ones are written before the indexer fails.
    const many = join(await mkdtemp(join(tmpdir(), 'kb-many-')), 'many.jsonl');
    await writeFile(many, Array.from({ length: 1200 }, (_, index) => JSON.stringify({ question: `Question ${index}?`, answer: `Answer ${index}.` })).join('\n'));
    const before = await snapshot(db);
    let calls = 0;
    const failing: KbChunkIndexer = {
      async index() {
        calls += 1;
        if (calls === 2) throw new Error('embedding service down');
      },
    };
    await expect(importKnowledgeBase(db, many, { source: 'many', indexer: failing })).rejects.toThrow('embedding service down');
    await rm(dirname(many), { recursive: true });
    expect(calls).toBe(2);
    expect(await snapshot(db)).toEqual(before);
  });

  it("refuses to overwrite another source's article, and a dry run writes and indexes nothing", async () => {
    const single = join(folder, 'takeover.json');
    await writeFile(single, JSON.stringify([{ id: 'reset-password', title: 'Mine now', body: 'Overwritten.' }]));
    const before = await snapshot(db);
    await expect(importKnowledgeBase(db, single, { indexer: recordingIndexer() })).rejects.toMatchObject({
      code: 'kb_import_conflict',
      message: expect.stringContaining('"reset-password" (takeover.json) belongs to source "demo"'),
    });
    await rm(single);

    await writeFile(join(folder, 'faq.csv'), (await readFile(join(folder, 'faq.csv'), 'utf8')).replace('until check-in closes', 'until 24 hours before'));
    const indexer = recordingIndexer();
    expect(await importFolder(indexer, { dryRun: true })).toMatchObject({ updated: 1, chunksIndexed: 1 });
    expect(indexer.chunks).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
  });
});
