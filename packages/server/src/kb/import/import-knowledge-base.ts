import { basename } from 'node:path';
import { AppError } from '../../errors/app-error.js';
import type { Database } from '../../storage/database.js';
import { slugifyId } from '../kb-article.js';
import type { KbChunkIndexer } from '../kb-chunk-indexer.js';
import { upsertArticles, type UpsertSummary } from '../upsert-articles.js';
import { readKnowledgeBase, type KnowledgeBaseFiles } from './read-knowledge-base.js';

export interface ImportOptions {
  indexer: KbChunkIndexer;
  /** Which import this is; defaults to the file or folder name ("kb.jsonl"). `--prune` works within it. */
  source?: string;
  /** Delete this source's articles that are no longer in `path`. */
  prune?: boolean;
  /** Validate and count, but write nothing and index nothing. */
  dryRun?: boolean;
  /** Called once the files are read (with the article count), then as articles are written. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImportResult extends UpsertSummary {
  source: string;
  files: number;
  articles: number;
  /** Files under the folder no parser reads. */
  skippedFiles: string[];
}

/**
 * Imports a file or folder of Markdown, HTML, JSON, JSONL and CSV articles.
 * Everything is parsed and validated first (a KbImportError names the file
 * and line of the first problem), then written in one transaction, so an
 * import is applied whole or not at all. Re-importing the same content
 * writes nothing and indexes nothing.
 */
export async function importKnowledgeBase(db: Database, path: string, options: ImportOptions): Promise<ImportResult> {
  const source = sourceName(path, options.source);
  return importArticles(db, await readKnowledgeBase(path), { ...options, source });
}

/** The write half of importKnowledgeBase, for callers that read (and so validated) the files before opening the database. */
export async function importArticles(db: Database, kb: KnowledgeBaseFiles, options: ImportOptions & { source: string }): Promise<ImportResult> {
  const source = sourceName('', options.source);
  const summary = await db.transaction((tx) =>
    upsertArticles(tx, kb.articles, {
      source,
      indexer: options.indexer,
      prune: options.prune ?? false,
      dryRun: options.dryRun ?? false,
      otherSources: 'refuse',
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }),
  );
  return { ...summary, source, files: kb.files.length, articles: kb.articles.length, skippedFiles: kb.skipped };
}

/** The given source name, checked, or the default for `path`: the file or folder name ("kb.jsonl"). */
export function sourceName(path: string, given: string | undefined): string {
  const source = given ?? (slugifyId(basename(path.replace(/[\\/]+$/, ''))) || 'import');
  if (!/^[a-z0-9][a-z0-9._:-]{0,99}$/i.test(source)) {
    throw new AppError('kb_import_invalid', `The source name "${source}" must be 1-100 letters, digits, ".", "_", ":" or "-".`, { status: 400 });
  }
  return source;
}
