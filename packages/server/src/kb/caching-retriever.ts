import type { KbHit, KbSearchQuery, KnowledgeRetriever } from './retriever.js';

/**
 * A small time-bounded LRU in front of a retriever. One reply searches the
 * same question twice (prompt context, then the model's own tool call), and
 * customers ask the same FAQs all day; the KB changes rarely, and a changed
 * article shows up at the latest after `ttlMs` (or at once after clear()).
 */
export class CachingRetriever implements KnowledgeRetriever {
  private readonly entries = new Map<string, { at: number; hits: Promise<KbHit[]> }>();

  constructor(
    private readonly inner: KnowledgeRetriever,
    private readonly options: { maxEntries?: number; ttlMs?: number; now?: () => number } = {},
  ) {}

  /** Every search is made for at least this many hits, so that smaller limits share one entry. */
  private static readonly MIN_FETCH = 5;

  search(query: KbSearchQuery): Promise<KbHit[]> {
    const limit = query.limit ?? 5;
    const fetchLimit = Math.max(limit, CachingRetriever.MIN_FETCH);
    // The context is part of the key: "what time is check-in there?" means another hotel in another conversation.
    const key = JSON.stringify([query.text.trim().toLowerCase(), query.context ?? [], query.locale ?? null, query.category ?? null, fetchLimit]);
    const now = this.options.now?.() ?? Date.now();
    const cached = this.entries.get(key);
    if (cached && now - cached.at < (this.options.ttlMs ?? 30_000)) {
      // Re-insert: Map order is the LRU order.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.hits.then((hits) => hits.slice(0, limit));
    }
    const hits = this.inner.search({ ...query, limit: fetchLimit });
    this.entries.set(key, { at: now, hits });
    // A failed search is not remembered.
    hits.catch(() => this.entries.delete(key));
    while (this.entries.size > (this.options.maxEntries ?? 500)) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return hits.then((all) => all.slice(0, limit));
  }

  clear(): void {
    this.entries.clear();
  }
}
