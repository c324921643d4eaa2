import type { Queryable } from '../storage/database.js';
import { chunkArticle } from './chunk-article.js';

export interface ArticleInput {
  id: string;
  title: string;
  category: string | null;
  url: string;
  locale: string;
  body: string;
}

/**
 * Writes articles and their chunks. An article whose title and body are
 * unchanged is left alone, so re-seeding is a no-op; a changed one gets fresh
 * chunks. Call inside a transaction so readers never see half an article.
 */
export async function upsertArticles(tx: Queryable, articles: ArticleInput[]): Promise<{ written: number }> {
  let written = 0;
  for (const article of articles) {
    const existing = await tx.query<{ title: string; body: string; url: string; category: string | null }>(
      'SELECT title, body, url, category FROM kb_articles WHERE id = $1',
      [article.id],
    );
    const row = existing.rows[0];
    if (row && row.title === article.title && row.body === article.body && row.url === article.url && row.category === article.category) {
      continue;
    }
    await tx.query(
      `INSERT INTO kb_articles (id, title, category, url, locale, body, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, category = EXCLUDED.category, url = EXCLUDED.url,
         locale = EXCLUDED.locale, body = EXCLUDED.body, updated_at = now()`,
      [article.id, article.title, article.category, article.url, article.locale, article.body],
    );
    await tx.query('DELETE FROM kb_chunks WHERE article_id = $1', [article.id]);
    for (const chunk of chunkArticle(article.title, article.body)) {
      await tx.query('INSERT INTO kb_chunks (id, article_id, position, heading, body) VALUES ($1, $2, $3, $4, $5)', [
        `${article.id}#${chunk.position}`,
        article.id,
        chunk.position,
        chunk.heading,
        chunk.body,
      ]);
    }
    written += 1;
  }
  return { written };
}
