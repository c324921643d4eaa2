/**
 * The retrieval port. Full-text search implements it now; vector and hybrid
 * retrieval plug in behind the same shape, so callers (the KB tool, the
 * prompt builder) never change.
 */

export interface KbSearchQuery {
  /** The customer's latest message (or the model's search query). */
  text: string;
  /**
   * Earlier turns of the conversation, oldest first, customer and assistant
   * alike. Follow-up questions ("what's the check-in time for that?") name
   * their subject only here, so retrieval uses them to resolve it.
   */
  context?: string[];
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
  /** The hotel, place or product an entity-specific article is about; null for general policies. */
  entity?: string | null;
  heading: string | null;
  /** The passage text the answer may use. */
  passage: string;
  /** Confidence in [0, 1]: how well the passage covers the query. */
  score: number;
}

export interface KnowledgeRetriever {
  search(query: KbSearchQuery): Promise<KbHit[]>;
}
