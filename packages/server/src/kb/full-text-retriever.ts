import type { Queryable, SqlParam } from '../storage/database.js';
import { kbArticlesVersion, scopeSql } from './kb-scope-sql.js';
import { queryTerms } from './query-terms.js';
import { RefreshingSnapshot } from './refreshing-snapshot.js';
import type { KbHit, KbSearchQuery, KnowledgeRetriever } from './retriever.js';

const quoteLexeme = (stem: string) => `'${stem.replace(/'/g, "''")}'`;

/** Which chunks a search may return. */
export interface KbScope {
  locale?: string;
  category?: string;
  /** Only the articles about this entity. */
  entity?: string;
}

/** A question turned into tsqueries, with each term's weight: prepared once, used for several candidate lists. */
export interface LexicalQuery {
  /** OR of every term's stems. */
  tsquery: string;
  /** One tsquery per term (its stems and synonyms' stems). */
  termQueries: string[];
  /** Per term: its inverse document frequency over the chunks. */
  weights: number[];
}

/** A chunk with what a hit needs, and how well it covers the question lexically (in [0, 1]). */
export interface ScoredChunk {
  chunkId: string;
  articleId: string;
  title: string;
  url: string;
  category: string | null;
  entity: string | null;
  heading: string | null;
  /** Where in its article the passage is (0: the lead). */
  position: number;
  passage: string;
  score: number;
  /** ts_rank_cd: how densely the passage matches, unbounded; 0 when nothing matches. */
  rank: number;
}

interface CandidateRow extends Record<string, unknown> {
  chunk_id: string;
  article_id: string;
  title: string;
  url: string;
  category: string | null;
  entity: string | null;
  heading: string | null;
  position: number;
  body: string;
  rank: number;
  /** Per query term: does the passage (or its article title) contain it? */
  in_passage: boolean[];
  in_title: boolean[];
}

/**
 * A chunk's details, its cover-density rank and its per-term matches, for
 * the chunks of `source` (a subquery of `id`). $1 = the tsquery, $2 = the
 * per-term tsqueries (parsed once, not per row). Computed only for the few chunks that are returned,
 * never for every match: ts_rank_cd over every match of a many-word OR query
 * was most of a turn's database time.
 */
const detailsOf = (source: string) => `
  SELECT c.id AS chunk_id, a.id AS article_id, a.title, a.url, a.category, a.entity, c.heading, c.position, c.body,
         ts_rank_cd(c.tsv, CAST($1 AS tsquery), 32)::float8 AS rank,
         ARRAY(SELECT c.tsv @@ t.q OR a.title_tsv @@ t.q
                 FROM unnest(CAST($2::text[] AS tsquery[])) WITH ORDINALITY AS t(q, idx) ORDER BY t.idx) AS in_passage,
         ARRAY(SELECT a.title_tsv @@ t.q
                 FROM unnest(CAST($2::text[] AS tsquery[])) WITH ORDINALITY AS t(q, idx) ORDER BY t.idx) AS in_title
    FROM ${source} AS s
    JOIN kb_chunks c ON c.id = s.id
    JOIN kb_articles a ON a.id = c.article_id`;

/** Document frequencies are cached per KB version; this many distinct synonym groups at most. */
const MAX_CACHED_FREQUENCIES = 20_000;
/** Words whose English stems are kept (a customer vocabulary fits many times over); past it, the cache starts again. */
const MAX_CACHED_STEMS = 50_000;

interface DocumentFrequencies {
  total: number;
  /** Chunks containing each lexeme. */
  lexemes: Map<string, number>;
  /** Chunks containing any of a term's alternatives (a union, so counted per term query). */
  alternatives: Map<string, number>;
}

/**
 * Postgres full-text retrieval (tsvector + GIN). The query is an OR of the
 * customer's content words and their synonyms, ranked by ts_rank_cd; the
 * confidence score is how much of the question a passage covers, so that a
 * passage matching one common word ("flight") does not count as an answer.
 * Hybrid retrieval uses its parts: prepare once, then candidates per scope
 * and scores for chunks the vector search found.
 */
export class FullTextRetriever implements KnowledgeRetriever {
  private readonly frequencies: RefreshingSnapshot<DocumentFrequencies>;
  /** Word → its English stems as PostgreSQL makes them (to_tsvector): the same forever, so asked once. */
  private readonly stems = new Map<string, string[]>();

  constructor(
    private readonly db: Queryable,
    options: { recheckMs?: number; now?: () => number } = {},
  ) {
    // Counting matches is a scan per term; the counts only change when articles do. One pass of
    // ts_stat counts every lexeme at once; terms with synonyms are counted (and kept) as they come.
    this.frequencies = new RefreshingSnapshot(
      () => kbArticlesVersion(db),
      async () => {
        const [total, lexemes] = await Promise.all([
          db.query<{ total: number }>('SELECT count(*)::int AS total FROM kb_chunks'),
          db.query<{ word: string; ndoc: number }>(`SELECT word, ndoc FROM ts_stat('SELECT tsv FROM kb_chunks')`),
        ]);
        return {
          total: total.rows[0]?.total ?? 0,
          lexemes: new Map(lexemes.rows.map((row) => [row.word, Number(row.ndoc)])),
          alternatives: new Map(),
        };
      },
      options,
    );
  }

  async search(query: KbSearchQuery): Promise<KbHit[]> {
    const limit = Math.min(Math.max(query.limit ?? 5, 1), 20);
    const prepared = await this.prepare(query.text);
    if (!prepared) return [];
    const scope: KbScope = { ...(query.locale ? { locale: query.locale } : {}), ...(query.category ? { category: query.category } : {}) };
    return bestPerArticle(await this.candidates(prepared, scope, 100), limit).map((chunk) => toHit(chunk, chunk.score));
  }

  /** Counts the chunks now rather than on the first search. */
  async warm(): Promise<void> {
    await this.frequencies.get();
  }

  /** The question's terms as tsqueries with their weights; null when it has no searchable words. */
  async prepare(text: string): Promise<LexicalQuery | null> {
    const terms = queryTerms(text);
    if (terms.length === 0) return null;

    // Stem every alternative the same way the index was built: by PostgreSQL, once per word (stems never change).
    const alternatives = [...new Set(terms.flatMap((term) => term.alternatives))];
    const unknown = alternatives.filter((word) => !this.stems.has(word));
    if (unknown.length > 0) {
      const stemRows = await this.db.query<{ word: string; stems: string[] }>(
        `SELECT w AS word, tsvector_to_array(to_tsvector('english', w)) AS stems FROM unnest($1::text[]) AS w`,
        [unknown],
      );
      if (this.stems.size + stemRows.rows.length > MAX_CACHED_STEMS) this.stems.clear();
      for (const row of stemRows.rows) this.stems.set(row.word, row.stems);
    }
    const stemsOf = this.stems;
    const termStems = terms
      .map((term) => new Set(term.alternatives.flatMap((alt) => stemsOf.get(alt) ?? [])))
      .filter((stems) => stems.size > 0);
    const allStems = [...new Set(termStems.flatMap((stems) => [...stems]))];
    if (allStems.length === 0) return null;

    // Stems are already normalised lexemes, so they are cast to tsquery directly (no second parse).
    const termQueries = termStems.map((stems) => [...stems].map(quoteLexeme).join(' | '));
    const tsquery = allStems.map(quoteLexeme).join(' | ');

    // Rare words say more about what the customer means than common ones:
    // each term is weighted by its inverse document frequency over the chunks.
    const { total, lexemes, alternatives: counted } = await this.frequencies.get();
    const single = (stems: Set<string>) => (stems.size === 1 ? [...stems][0] : undefined);
    const missing = termStems.flatMap((stems, index) => (single(stems) === undefined && !counted.has(termQueries[index] ?? '') ? [termQueries[index] ?? ''] : []));
    if (missing.length > 0) {
      const { rows } = await this.db.query<{ q: string; df: number }>(
        `SELECT g.q, (SELECT count(*) FROM kb_chunks WHERE tsv @@ g.q::tsquery)::int AS df FROM unnest($1::text[]) AS g(q)`,
        [missing],
      );
      if (counted.size + rows.length > MAX_CACHED_FREQUENCIES) counted.clear();
      for (const row of rows) counted.set(row.q, row.df);
    }
    const weights = termStems.map((stems, index) => {
      const stem = single(stems);
      const frequency = (stem === undefined ? counted.get(termQueries[index] ?? '') : lexemes.get(stem)) ?? 0;
      return Math.log(1 + (total - frequency + 0.5) / (frequency + 0.5));
    });
    return { tsquery, termQueries, weights };
  }

  /** Chunks in scope that match any term, best covered first. */
  async candidates(query: LexicalQuery, scope: KbScope, limit: number): Promise<ScoredChunk[]> {
    const params: SqlParam[] = [query.tsquery, query.termQueries];
    const { from, where } = scopeSql(scope, params, ['id', 'article_id', 'tsv']);
    params.push(limit);
    // The cut to `limit` goes by ts_rank (term frequency, a third of ts_rank_cd's cost); the candidates are then
    // scored by how much of the question they cover, which decides, and ts_rank_cd, which breaks ties.
    const { rows } = await this.db.query<CandidateRow>(
      detailsOf(`(SELECT c.id
                    FROM ${from}, CAST($1 AS tsquery) AS q
                   WHERE c.tsv @@ q AND ${where}
                   ORDER BY ts_rank(c.tsv, q, 32) DESC, c.id
                   LIMIT $${params.length})`),
      params,
    );
    return rows.map((row) => toScoredChunk(row, query.weights)).sort((a, b) => b.score - a.score);
  }

  /** Given chunks (e.g. found by vector search) with their lexical score; 0 for chunks that match no term. */
  async score(query: LexicalQuery | null, chunkIds: readonly string[]): Promise<ScoredChunk[]> {
    if (chunkIds.length === 0) return [];
    // Without terms nothing matches: an empty tsquery and no term queries give rank 0 and empty arrays.
    const { rows } = await this.db.query<CandidateRow>(
      detailsOf(`(SELECT id FROM kb_chunks WHERE id = ANY($3::text[]))`),
      [query?.tsquery ?? '', query?.termQueries ?? [], [...chunkIds]],
    );
    return rows.map((row) => toScoredChunk(row, query?.weights ?? []));
  }
}

function toScoredChunk(row: CandidateRow, weights: number[]): ScoredChunk {
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0) || 1;
  const coverage = (matched: boolean[]) =>
    matched.reduce((sum, isMatch, index) => sum + (isMatch ? (weights[index] ?? 0) : 0), 0) / totalWeight;
  // How much of the question the passage covers decides; a title about the
  // same thing and the density of matches break ties between related pages.
  const score = 0.7 * coverage(row.in_passage) + 0.2 * coverage(row.in_title) + 0.1 * Math.min(1, Number(row.rank) * 2);
  return {
    chunkId: row.chunk_id,
    articleId: row.article_id,
    title: row.title,
    url: row.url,
    category: row.category,
    entity: row.entity,
    heading: row.heading,
    position: row.position,
    passage: row.body,
    score,
    rank: Number(row.rank),
  };
}

/** Best passage per article, in the given order: the customer wants sources, not five parts of one page. */
export function bestPerArticle<T extends { articleId: string }>(ranked: readonly T[], limit: number): T[] {
  const best: T[] = [];
  const seenArticles = new Set<string>();
  for (const item of ranked) {
    if (seenArticles.has(item.articleId)) continue;
    seenArticles.add(item.articleId);
    best.push(item);
    if (best.length === limit) break;
  }
  return best;
}

export function toHit(chunk: ScoredChunk, score: number): KbHit {
  return {
    articleId: chunk.articleId,
    chunkId: chunk.chunkId,
    title: chunk.title,
    url: chunk.url,
    category: chunk.category,
    entity: chunk.entity,
    heading: chunk.heading,
    passage: chunk.passage,
    score: Math.round(score * 1000) / 1000,
  };
}
