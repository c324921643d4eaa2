import type { Queryable } from '../storage/database.js';
import { queryTerms } from './query-terms.js';
import type { KbHit, KbSearchQuery, KnowledgeRetriever } from './retriever.js';

const quoteLexeme = (stem: string) => `'${stem.replace(/'/g, "''")}'`;

interface CandidateRow extends Record<string, unknown> {
  chunk_id: string;
  article_id: string;
  title: string;
  url: string;
  category: string | null;
  heading: string | null;
  body: string;
  rank: number;
  /** Per query term: does the passage (or its article title) contain it? */
  in_passage: boolean[];
  in_title: boolean[];
}

/**
 * Postgres full-text retrieval (tsvector + GIN). The query is an OR of the
 * customer's content words and their synonyms, ranked by ts_rank_cd; the
 * confidence score is how much of the question a passage covers, so that a
 * passage matching one common word ("flight") does not count as an answer.
 */
export class FullTextRetriever implements KnowledgeRetriever {
  constructor(private readonly db: Queryable) {}

  async search(query: KbSearchQuery): Promise<KbHit[]> {
    const limit = Math.min(Math.max(query.limit ?? 5, 1), 20);
    const terms = queryTerms(query.text);
    if (terms.length === 0) return [];

    // Stem every alternative the same way the index was built.
    const alternatives = [...new Set(terms.flatMap((term) => term.alternatives))];
    const stemRows = await this.db.query<{ word: string; stems: string[] }>(
      `SELECT w AS word, tsvector_to_array(to_tsvector('english', w)) AS stems FROM unnest($1::text[]) AS w`,
      [alternatives],
    );
    const stemsOf = new Map(stemRows.rows.map((row) => [row.word, row.stems]));
    const termStems = terms
      .map((term) => new Set(term.alternatives.flatMap((alt) => stemsOf.get(alt) ?? [])))
      .filter((stems) => stems.size > 0);
    const allStems = [...new Set(termStems.flatMap((stems) => [...stems]))];
    if (allStems.length === 0) return [];

    // Stems are already normalised lexemes, so they are cast to tsquery directly (no second parse).
    const termQueries = termStems.map((stems) => [...stems].map(quoteLexeme).join(' | '));
    const tsquery = allStems.map(quoteLexeme).join(' | ');

    // Rare words say more about what the customer means than common ones:
    // each term is weighted by its inverse document frequency over the chunks.
    const frequencies = await this.db.query<{ df: number; total: number }>(
      `SELECT (SELECT count(*) FROM kb_chunks WHERE tsv @@ g.q::tsquery)::int AS df,
              (SELECT count(*) FROM kb_chunks)::int AS total
         FROM unnest($1::text[]) WITH ORDINALITY AS g(q, idx) ORDER BY g.idx`,
      [termQueries],
    );
    const weights = frequencies.rows.map((row) => Math.log(1 + (row.total - row.df + 0.5) / (row.df + 0.5)));
    const totalWeight = weights.reduce((sum, weight) => sum + weight, 0) || 1;

    const candidates = await this.db.query<CandidateRow>(
      `SELECT c.id AS chunk_id, a.id AS article_id, a.title, a.url, a.category, c.heading, c.body,
              ts_rank_cd(c.tsv, q, 32)::float8 AS rank,
              ARRAY(SELECT c.tsv @@ t.q::tsquery OR a.title_tsv @@ t.q::tsquery
                      FROM unnest($4::text[]) WITH ORDINALITY AS t(q, idx) ORDER BY t.idx) AS in_passage,
              ARRAY(SELECT a.title_tsv @@ t.q::tsquery
                      FROM unnest($4::text[]) WITH ORDINALITY AS t(q, idx) ORDER BY t.idx) AS in_title
         FROM kb_chunks c
         JOIN kb_articles a ON a.id = c.article_id,
              CAST($1 AS tsquery) AS q
        WHERE c.tsv @@ q
          AND ($2::text IS NULL OR a.locale = $2)
          AND ($3::text IS NULL OR a.category = $3)
        ORDER BY rank DESC
        LIMIT 100`,
      [tsquery, query.locale ?? null, query.category ?? null, termQueries],
    );

    const coverage = (matched: boolean[]) =>
      matched.reduce((sum, isMatch, index) => sum + (isMatch ? (weights[index] ?? 0) : 0), 0) / totalWeight;
    const scored = candidates.rows.map((row) => {
      // How much of the question the passage covers decides; a title about the
      // same thing and the density of matches break ties between related pages.
      const score = 0.7 * coverage(row.in_passage) + 0.2 * coverage(row.in_title) + 0.1 * Math.min(1, Number(row.rank) * 2);
      return { row, score };
    });
    scored.sort((a, b) => b.score - a.score);

    // Best passage per article: the customer wants sources, not five parts of one page.
    const hits: KbHit[] = [];
    const seenArticles = new Set<string>();
    for (const { row, score } of scored) {
      if (seenArticles.has(row.article_id)) continue;
      seenArticles.add(row.article_id);
      hits.push({
        articleId: row.article_id,
        chunkId: row.chunk_id,
        title: row.title,
        url: row.url,
        category: row.category,
        heading: row.heading,
        passage: row.body,
        score: Math.round(score * 1000) / 1000,
      });
      if (hits.length === limit) break;
    }
    return hits;
  }
}
