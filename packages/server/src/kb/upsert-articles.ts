import { createHash } from 'node:crypto';
import { AppError } from '../errors/app-error.js';
import type { Queryable } from '../storage/database.js';
import { chunkArticle } from './chunk-article.js';
import { chunkEmbeddingText } from './chunk-embedding-text.js';
import type { KbArticle } from './kb-article.js';
import type { KbChunkIndexer } from './kb-chunk-indexer.js';

/**
 * What to do with an article id that another source already owns:
 * `refuse` fails the whole write (imports: two sources must not fight over
 * an id), `take-over` moves it to this source (the admin editing any
 * article), `keep` leaves it alone (the demo seed must not undo an admin's edit).
 */
export type OtherSourcePolicy = 'refuse' | 'take-over' | 'keep';

export interface UpsertOptions {
  /** Which import owns these articles ('demo', 'admin', or an import's name). */
  source: string;
  indexer: KbChunkIndexer;
  /** Delete the articles of this source that are not in `articles`. */
  prune?: boolean;
  /** Work out the summary without writing anything or calling the indexer. */
  dryRun?: boolean;
  otherSources?: OtherSourcePolicy;
  /** Articles handled so far, of `total`. */
  onProgress?: (done: number, total: number) => void;
}

export interface UpsertSummary {
  added: number;
  updated: number;
  /** Identical to what is stored (or, with `otherSources: 'keep'`, owned by another source): nothing written. */
  unchanged: number;
  pruned: number;
  /** Chunks passed to the indexer (would be, on a dry run): new or changed text only. */
  chunksIndexed: number;
}

// Any constant works; it serialises every KB write (imports, admin, seed) so their plans stay true.
const KB_WRITE_LOCK_KEY = 727_100_003;
/** Articles per round of writes: bounded memory per statement, and a progress tick per round. */
const BATCH_SIZE = 500;
/** Bump when chunking or the indexed text changes, so the next import rewrites every article once. */
const HASH_VERSION = 'kb-v1';

interface PlannedChunk {
  id: string;
  articleId: string;
  position: number;
  heading: string;
  body: string;
  /** What the indexer gets: the passage with what it is about. */
  text: string;
  hash: string;
}

interface PlannedArticle {
  article: KbArticle;
  hash: string;
  isNew: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Everything stored about an article, so that any edit is written; chunk hashes decide what is re-indexed. */
export function articleContentHash(article: KbArticle): string {
  return sha256(
    JSON.stringify([HASH_VERSION, article.title, article.body, article.category, article.entity, article.url, article.locale, article.sourcePath, article.metadata]),
  );
}

/** The chunks of an article with the text an indexer embeds: entity and title say what a bare passage ("No, pets are not allowed.") is about. */
export function planChunks(article: KbArticle): PlannedChunk[] {
  return chunkArticle(article.title, article.body).map((chunk) => {
    const text = chunkEmbeddingText({ entity: article.entity, title: article.title, heading: chunk.heading, body: chunk.body });
    return { id: `${article.id}#${chunk.position}`, articleId: article.id, position: chunk.position, heading: chunk.heading, body: chunk.body, text, hash: sha256(text) };
  });
}

/**
 * Writes articles and their chunks, idempotently. An article whose content
 * hash is unchanged is not touched; a changed one is rewritten, but only its
 * chunks whose text changed (or that are new) are rewritten and handed to the
 * indexer, and chunk positions it no longer has are deleted. Everything is
 * read and decided first, then written in batches (a few statements per 500
 * articles, not one per row). Call inside a transaction: with `tx` rolled
 * back, nothing of the write remains.
 */
export async function upsertArticles(tx: Queryable, articles: KbArticle[], options: UpsertOptions): Promise<UpsertSummary> {
  await lockKnowledgeBase(tx);
  const seen = new Set<string>();
  const duplicate = articles.find((article) => seen.size === seen.add(article.id).size);
  if (duplicate) throw new AppError('kb_import_invalid', `Article id "${duplicate.id}" appears twice.`, { status: 400 });

  const existing = await tx.query<{ id: string; source: string; content_hash: string | null }>(
    'SELECT id, source, content_hash FROM kb_articles WHERE id = ANY($1::text[])',
    [articles.map((article) => article.id)],
  );
  const stored = new Map(existing.rows.map((row) => [row.id, row]));
  const summary: UpsertSummary = { added: 0, updated: 0, unchanged: 0, pruned: 0, chunksIndexed: 0 };
  const toWrite: PlannedArticle[] = [];
  const conflicts: string[] = [];
  for (const article of articles) {
    const hash = articleContentHash(article);
    const row = stored.get(article.id);
    if (row && row.source !== options.source) {
      const policy = options.otherSources ?? 'refuse';
      if (policy === 'refuse') conflicts.push(`"${article.id}"${article.sourcePath ? ` (${article.sourcePath})` : ''} belongs to source "${row.source}"`);
      if (policy !== 'take-over') {
        summary.unchanged += 1;
        continue;
      }
    } else if (row?.content_hash === hash) {
      summary.unchanged += 1;
      continue;
    }
    toWrite.push({ article, hash, isNew: !row });
    if (row) summary.updated += 1;
    else summary.added += 1;
  }
  if (conflicts.length > 0) {
    throw new AppError(
      'kb_import_conflict',
      `${conflicts.length} article id(s) already belong to another source: ${conflicts.slice(0, 3).join('; ')}${conflicts.length > 3 ? '; …' : ''}. Import them under that --source, or delete them first.`,
      { status: 409 },
    );
  }

  const storedChunks = await tx.query<{ id: string; article_id: string; content_hash: string }>(
    'SELECT id, article_id, content_hash FROM kb_chunks WHERE article_id = ANY($1::text[])',
    [toWrite.filter((planned) => !planned.isNew).map((planned) => planned.article.id)],
  );
  const storedChunkHashes = new Map(storedChunks.rows.map((row) => [row.id, row.content_hash]));
  const storedChunkIds = new Map<string, string[]>();
  for (const row of storedChunks.rows) {
    const ids = storedChunkIds.get(row.article_id);
    if (ids) ids.push(row.id);
    else storedChunkIds.set(row.article_id, [row.id]);
  }

  const total = articles.length;
  let done = total - toWrite.length;
  options.onProgress?.(done, total);
  for (let start = 0; start < toWrite.length; start += BATCH_SIZE) {
    const batch = toWrite.slice(start, start + BATCH_SIZE);
    const chunks = batch.flatMap((planned) => planChunks(planned.article));
    const changed = chunks.filter((chunk) => storedChunkHashes.get(chunk.id) !== chunk.hash);
    const unchanged = new Set(chunks.filter((chunk) => storedChunkHashes.get(chunk.id) === chunk.hash).map((chunk) => chunk.id));
    // Lost positions go, and so do changed chunks' old rows: re-inserting resets anything derived
    // from the old text (an embedding), should the indexer not replace it.
    const stale = batch.flatMap((planned) => storedChunkIds.get(planned.article.id) ?? []).filter((id) => !unchanged.has(id));
    summary.chunksIndexed += changed.length;
    if (!options.dryRun) {
      await writeArticles(tx, batch, options.source);
      if (stale.length > 0) await tx.query('DELETE FROM kb_chunks WHERE id = ANY($1::text[])', [stale]);
      if (changed.length > 0) {
        await writeChunks(tx, changed);
        await options.indexer.index(tx, changed.map((chunk) => ({ id: chunk.id, text: chunk.text })));
      }
    }
    done += batch.length;
    options.onProgress?.(done, total);
  }

  if (options.prune) {
    const ids = articles.map((article) => article.id);
    const pruned = options.dryRun
      ? await tx.query('SELECT id FROM kb_articles WHERE source = $1 AND NOT (id = ANY($2::text[]))', [options.source, ids])
      : await tx.query('DELETE FROM kb_articles WHERE source = $1 AND NOT (id = ANY($2::text[])) RETURNING id', [options.source, ids]);
    summary.pruned = pruned.rows.length;
  }
  return summary;
}

/**
 * Serialises KB writes until the transaction ends (imports, admin, seed), so
 * what a write read and decided on stays true until it commits. Taking it
 * again in the same transaction is harmless.
 */
export async function lockKnowledgeBase(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [KB_WRITE_LOCK_KEY]);
}

/** Deletes one article (its chunks cascade); false when there was none. */
export async function deleteArticle(tx: Queryable, id: string): Promise<boolean> {
  await lockKnowledgeBase(tx);
  const { rows } = await tx.query('DELETE FROM kb_articles WHERE id = $1 RETURNING id', [id]);
  return rows.length > 0;
}

async function writeArticles(tx: Queryable, batch: PlannedArticle[], source: string): Promise<void> {
  const column = <T extends string | null>(pick: (planned: PlannedArticle) => T) => batch.map(pick);
  await tx.query(
    `INSERT INTO kb_articles (id, title, category, url, locale, body, entity, source_path, metadata, content_hash, source, updated_at)
     SELECT a.id, a.title, a.category, a.url, a.locale, a.body, a.entity, a.source_path, a.metadata::jsonb, a.content_hash, $11, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS a(id, title, category, url, locale, body, entity, source_path, metadata, content_hash)
     ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, category = EXCLUDED.category, url = EXCLUDED.url,
       locale = EXCLUDED.locale, body = EXCLUDED.body, entity = EXCLUDED.entity, source_path = EXCLUDED.source_path,
       metadata = EXCLUDED.metadata, content_hash = EXCLUDED.content_hash, source = EXCLUDED.source, updated_at = now()`,
    [
      column((planned) => planned.article.id),
      column((planned) => planned.article.title),
      column((planned) => planned.article.category),
      column((planned) => planned.article.url),
      column((planned) => planned.article.locale),
      column((planned) => planned.article.body),
      column((planned) => planned.article.entity),
      column((planned) => planned.article.sourcePath),
      column((planned) => JSON.stringify(planned.article.metadata)),
      column((planned) => planned.hash),
      source,
    ],
  );
}

async function writeChunks(tx: Queryable, chunks: PlannedChunk[]): Promise<void> {
  await tx.query(
    `INSERT INTO kb_chunks (id, article_id, position, heading, body, content_hash)
     SELECT c.id, c.article_id, c.position::int, c.heading, c.body, c.content_hash
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         AS c(id, article_id, position, heading, body, content_hash)`,
    [
      chunks.map((chunk) => chunk.id),
      chunks.map((chunk) => chunk.articleId),
      chunks.map((chunk) => String(chunk.position)),
      chunks.map((chunk) => chunk.heading),
      chunks.map((chunk) => chunk.body),
      chunks.map((chunk) => chunk.hash),
    ],
  );
}
