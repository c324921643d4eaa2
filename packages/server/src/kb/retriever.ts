/**
 * The retrieval port. Full-text search implements it now; vector and hybrid
 * retrieval plug in behind the same shape, so callers (the KB tool, the
 * prompt builder) never change.
 */

export interface KbSearchQuery {
  text: string;
  limit?: number;
  locale?: string;
  category?: string;
}

export interface KbHit {
  articleId: string;
  chunkId: string;
  title: string;
  url: string;
  category: string | null;
  heading: string | null;
  /** The passage text the answer may use. */
  passage: string;
  /** Confidence in [0, 1]: how well the passage covers the query. */
  score: number;
}

export interface KnowledgeRetriever {
  search(query: KbSearchQuery): Promise<KbHit[]>;
}
