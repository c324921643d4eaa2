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
  lexemes: string[];
  title_lexemes: string[];
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

    const tsquery = allStems.map(quoteLexeme).join(' | ');
    // Rare words say more about what the customer means than common ones:
    // each term is weighted by its inverse document frequency over the chunks.
    const frequencies = await this.db.query<{ idx: number; df: number; total: number }>(
      `SELECT g.idx::int AS idx, count(c.id)::int AS df, (SELECT count(*) FROM kb_chunks)::int AS total
         FROM unnest($1::text[]) WITH ORDINALITY AS g(q, idx)
         LEFT JOIN kb_chunks c ON c.tsv @@ to_tsquery('english', g.q)
        GROUP BY g.idx ORDER BY g.idx`,
      [termStems.map((stems) => [...stems].map(quoteLexeme).join(' | '))],
    );
    const weights = frequencies.rows.map((row) => Math.log(1 + (row.total - row.df + 0.5) / (row.df + 0.5)));
    const totalWeight = weights.reduce((sum, weight) => sum + weight, 0) || 1;

    const candidates = await this.db.query<CandidateRow>(
      `SELECT c.id AS chunk_id, a.id AS article_id, a.title, a.url, a.category, c.heading, c.body,
              ts_rank_cd(c.tsv, q, 32)::float8 AS rank,
              tsvector_to_array(c.tsv) AS lexemes,
              tsvector_to_array(to_tsvector('english', a.title)) AS title_lexemes
         FROM kb_chunks c
         JOIN kb_articles a ON a.id = c.article_id,
              to_tsquery('english', $1) AS q
        WHERE c.tsv @@ q
          AND ($2::text IS NULL OR a.locale = $2)
          AND ($3::text IS NULL OR a.category = $3)
        ORDER BY rank DESC
        LIMIT 100`,
      [tsquery, query.locale ?? null, query.category ?? null],
    );

    const coverage = (lexemes: Set<string>) =>
      termStems.reduce((sum, stems, index) => sum + ([...stems].some((stem) => lexemes.has(stem)) ? (weights[index] ?? 0) : 0), 0) / totalWeight;
    const scored = candidates.rows.map((row) => {
      const passageCoverage = coverage(new Set([...row.lexemes, ...row.title_lexemes]));
      const titleCoverage = coverage(new Set(row.title_lexemes));
      // How much of the question the passage covers decides; a title about the
      // same thing and the density of matches break ties between related pages.
      const score = 0.7 * passageCoverage + 0.2 * titleCoverage + 0.1 * Math.min(1, Number(row.rank) * 2);
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
