import { z } from 'zod';
import type { Queryable } from '../storage/database.js';
import type { JsonValue } from './kb-article.js';

/** Read side of the knowledge base for the admin API: what is stored, as stored. */

export interface ArticleSummary {
  id: string;
  title: string;
  category: string | null;
  url: string;
  locale: string;
  entity: string | null;
  source: string;
  sourcePath: string | null;
  updatedAt: string;
}

export interface StoredArticle extends ArticleSummary {
  body: string;
  metadata: Record<string, JsonValue>;
  chunks: Array<{ id: string; position: number; heading: string | null; body: string }>;
}

/** Columns aliased to the API's names, so a row is a summary but for the date's type. */
const SUMMARY_COLUMNS = 'id, title, category, url, locale, entity, source, source_path AS "sourcePath", updated_at AS "updatedAt"';
type SummaryRow = Omit<ArticleSummary, 'updatedAt'> & { updatedAt: Date };
const metadataSchema = z.record(z.string(), z.json());

const toSummary = (row: SummaryRow): ArticleSummary => ({ ...row, updatedAt: new Date(row.updatedAt).toISOString() });

/** A page of articles by id, optionally those whose title contains `q` (any case) or of one source. */
export async function listArticles(
  db: Queryable,
  filter: { q?: string | undefined; source?: string | undefined; limit: number; offset: number },
): Promise<{ articles: ArticleSummary[]; total: number }> {
  // The search text is matched literally: % and _ are not wildcards here.
  const pattern = filter.q ? `%${filter.q.replace(/[\\%_]/g, '\\$&')}%` : null;
  const where = `($1::text IS NULL OR title ILIKE $1) AND ($2::text IS NULL OR source = $2)`;
  const [page, count] = await Promise.all([
    db.query<SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM kb_articles WHERE ${where} ORDER BY id LIMIT $3 OFFSET $4`, [
      pattern,
      filter.source ?? null,
      filter.limit,
      filter.offset,
    ]),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM kb_articles WHERE ${where}`, [pattern, filter.source ?? null]),
  ]);
  return { articles: page.rows.map(toSummary), total: count.rows[0]?.total ?? 0 };
}

/** One article with its chunks, or null. */
export async function getArticle(db: Queryable, id: string): Promise<StoredArticle | null> {
  const { rows } = await db.query<SummaryRow & { body: string; metadata: unknown }>(`SELECT ${SUMMARY_COLUMNS}, body, metadata FROM kb_articles WHERE id = $1`, [id]);
  const row = rows[0];
  if (!row) return null;
  const { body, metadata, ...summary } = row;
  const chunks = await db.query<{ id: string; position: number; heading: string | null; body: string }>(
    'SELECT id, position, heading, body FROM kb_chunks WHERE article_id = $1 ORDER BY position',
    [id],
  );
  return { ...toSummary(summary), body, metadata: metadataSchema.parse(metadata), chunks: chunks.rows };
}
