import type { Queryable, SqlParam } from '../storage/database.js';
import type { KbScope } from './full-text-retriever.js';

/**
 * The FROM and WHERE of "chunks in this scope" (locale, category, entity),
 * as `c` (chunk columns given) and `a` (article). Parameters are appended to
 * `params`. Within an entity the chunks are reached through the entity's
 * articles by index, always: the planner could otherwise scan every chunk
 * first, and PGlite never ANALYZEs on its own, so its estimates after a
 * large import cannot be trusted to avoid that.
 */
export function scopeSql(scope: KbScope, params: SqlParam[], chunkColumns: readonly string[]): { from: string; where: string } {
  const param = (value: SqlParam) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = [
    ...(scope.locale === undefined ? [] : [`a.locale = ${param(scope.locale)}`]),
    ...(scope.category === undefined ? [] : [`a.category = ${param(scope.category)}`]),
  ];
  if (scope.entity === undefined) {
    return { from: 'kb_chunks c JOIN kb_articles a ON a.id = c.article_id', where: where.join(' AND ') || 'true' };
  }
  where.unshift(`a.entity = ${param(scope.entity)}`);
  const columns = chunkColumns.map((column) => `x.${column}`).join(', ');
  // OFFSET 0 keeps the subquery from being flattened into a join the planner may reorder.
  return {
    from: `kb_articles a CROSS JOIN LATERAL (SELECT ${columns} FROM kb_chunks x WHERE x.article_id = a.id OFFSET 0) c`,
    where: where.join(' AND '),
  };
}

/** Changes whenever an article is written or deleted (chunks only change with their article). */
export async function kbArticlesVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ version: string }>(`SELECT concat_ws('/', count(*), max(updated_at)) AS version FROM kb_articles`);
  return rows[0]?.version ?? '';
}
