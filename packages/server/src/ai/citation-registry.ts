import type { Citation } from '@support/protocol';

/**
 * Numbers the sources of one reply. Every passage shown to the model (in the
 * prompt or from a knowledge-base tool result) gets a stable number per
 * article; the reply cites with "[n]" markers, and only the articles whose
 * markers appear in the final text become the message's citations.
 */
export class CitationRegistry {
  private readonly byArticle = new Map<string, Citation & { ref: number }>();

  register(source: { articleId: string; title: string; url: string }): number {
    const existing = this.byArticle.get(source.articleId);
    if (existing) return existing.ref;
    const ref = this.byArticle.size + 1;
    this.byArticle.set(source.articleId, { articleId: source.articleId, title: source.title, url: source.url, ref });
    return ref;
  }

  /** The citations whose "[n]" markers appear in `text`, in order of first mention. */
  citedIn(text: string): Citation[] {
    const byRef = new Map([...this.byArticle.values()].map((citation) => [citation.ref, citation]));
    const cited: Citation[] = [];
    const seen = new Set<number>();
    for (const match of text.matchAll(/\[(\d{1,3})\]/g)) {
      const ref = Number(match[1]);
      const citation = byRef.get(ref);
      if (citation && !seen.has(ref)) {
        seen.add(ref);
        cited.push(citation);
      }
    }
    return cited;
  }
}
