import { articleFieldsSchema, slugifyId, type KbArticle } from '../kb-article.js';
import { KbImportError } from './kb-import-error.js';

/** An article and where it was read, so a later check (duplicate ids) can point at it. */
export interface LocatedArticle {
  article: KbArticle;
  file: string;
  line: number;
}

export interface ArticleDraft {
  file: string;
  /** Where the article starts; problems with a field are reported here unless `fieldLines` knows better. */
  line: number;
  /** The id as written (any text or number); undefined or '' when the source gives none. */
  explicitId: unknown;
  /** Used when there is no explicit id: derived from the file path (and row), so it is the same on every import. */
  fallbackId: string;
  /** title, body, category, url, locale, entity, metadata, in any loose form; validated here. */
  fields: Record<string, unknown>;
  /** The line each field was written on (front matter). */
  fieldLines?: Record<string, number>;
}

/**
 * Ids for articles that do not give one, from where they were read, so that
 * the same file imported again gives the same ids. A document is its path
 * without extension ("guides/Refunds.md" → "guides-refunds").
 */
export function documentFallbackId(file: string): string {
  return slugifyId(file.replace(/\.[^./\\]+$/, '')) || 'article';
}

/**
 * The n-th record of a file (row, line or item): stable while the file keeps
 * its path and order. The extension stays, so faq.csv and faq.json in one
 * folder do not claim the same ids ("faq-csv-4").
 */
export function recordFallbackId(file: string, n: number): string {
  return `${slugifyId(file.replaceAll('.', '-')) || 'record'}-${n}`;
}

/**
 * Validates a draft into an article, or throws a KbImportError naming the
 * file and line. Explicit ids are slugified, so any stable external id can be
 * used; a "*" reads "all" (DSTC's domain-wide entries, taxi / * / 1 → "taxi-all-1").
 */
export function buildArticle(draft: ArticleDraft): LocatedArticle {
  const fail = (problem: string, field?: string): never => {
    throw new KbImportError(draft.file, (field && draft.fieldLines?.[field]) || draft.line, problem);
  };
  let id = draft.fallbackId;
  // The id as the source wrote it, kept when slugifying changed it, so results can be mapped back ("hotel/0/0").
  let externalId: string | undefined;
  if (draft.explicitId !== undefined && draft.explicitId !== null && draft.explicitId !== '') {
    if (typeof draft.explicitId !== 'string' && typeof draft.explicitId !== 'number') return fail('id: must be text or a number', 'id');
    const written = String(draft.explicitId);
    id = slugifyId(written.replaceAll('*', 'all'));
    if (id === '') fail(`id "${written}" has no letters or digits`, 'id');
    if (id !== written) externalId = written;
  }
  const parsed = articleFieldsSchema.safeParse(draft.fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    return fail(`${field || 'article'}: ${issue?.message ?? 'invalid'}`, field);
  }
  const metadata = externalId === undefined ? parsed.data.metadata : { externalId, ...parsed.data.metadata };
  return { article: { id, ...parsed.data, metadata, sourcePath: draft.file }, file: draft.file, line: draft.line };
}
