import type { Embedder } from './embeddings/embedder.js';
import { RetrievalHealth, type VectorHalfHealth } from './embeddings/retrieval-health.js';
import type { EntityFocus } from './entity-matcher.js';
import { bestPerArticle, toHit, type KbScope, type LexicalQuery, type ScoredChunk } from './full-text-retriever.js';
import type { KbHit, KbSearchQuery, KnowledgeRetriever } from './retriever.js';
import type { VectorScope, VectorSearch } from './vector-search.js';

/** Maps an embedder's cosine similarities to [0, 1]: at `floor` a passage is unrelated, at `ceiling` it is as close as paraphrases get. */
export interface SimilarityScale {
  floor: number;
  ceiling: number;
}

export interface HybridRetrieverOptions {
  similarityScale: SimilarityScale;
  /** Reciprocal rank fusion's k: larger flattens the difference between ranks. */
  rrfK?: number;
  /** Candidates taken from each ranked list. */
  candidatesPerList?: number;
  /**
   * Re-order the fused candidates by their confidence (lexical coverage and
   * calibrated similarity, together with the conversation's entities). Off,
   * the order is the plain reciprocal-rank fusion.
   */
  rerank?: boolean;
  /** How long a question's embedding may take before full text answers alone (default 2.5 s). */
  queryEmbeddingTimeoutMs?: number;
  /** While embeddings are degraded, at most one probe of the embedder per this many ms (default 1 s). */
  probeIntervalMs?: number;
  now?: () => number;
}

/** The lexical half (FullTextRetriever): prepared once per question, then candidates per scope and scores for given chunks. */
export interface LexicalSearch {
  prepare(text: string): Promise<LexicalQuery | null>;
  candidates(query: LexicalQuery, scope: KbScope, limit: number): Promise<ScoredChunk[]>;
  score(query: LexicalQuery | null, chunkIds: readonly string[]): Promise<ScoredChunk[]>;
  warm(): Promise<void>;
}

export interface EntitySource {
  candidates(text: string, context?: readonly string[], max?: number): Promise<EntityFocus[]>;
  withoutName(text: string, entity: string): Promise<string>;
  warm(): Promise<void>;
}

// An entity the conversation is about lifts its articles by this much (times its prior) in the order.
const FOCUS_BONUS = 0.3;
// An article about an entity the conversation does not name answers someone else's question.
const OFF_TOPIC_FACTOR = 0.6;
// Fusion keeps a say in the reranked order, as a tie-breaker between equally confident passages.
const RRF_WEIGHT = 0.05;
// So does the density of matches (ts_rank_cd), as plain full text ranks.
const DENSITY_WEIGHT = 0.02;
// Between passages of one article that answer equally well, the lead usually says it most directly.
const LATER_SECTION_PENALTY = 0.01;
// Entities considered at once; those far behind the most likely one are not worth a search.
const MAX_FOCUS = 3;
const MIN_FOCUS_PRIOR = 0.4;

/**
 * Hybrid retrieval: Postgres full text and vector kNN, each over the whole
 * KB and — when the conversation is about an entity (a hotel, a place, a
 * product) — over that entity's articles, fused by reciprocal rank fusion,
 * then reranked by a confidence in [0, 1].
 *
 * Confidence is a noisy-OR of the lexical coverage (how much of the
 * question the passage contains, IDF-weighted) and the calibrated vector
 * similarity: either kind of evidence alone can make a passage an answer,
 * and both together make it a surer one. The entity decides *which* articles
 * (a follow-up like "what's the check-in time for that" names it only in an
 * earlier turn); the customer's last message decides the question within
 * them, which is why only that message is matched against passages.
 *
 * The vector half is optional: when the question cannot be embedded (a
 * hosted embedder down, slow or rate limited) or vector search fails, full
 * text answers alone, with its own confidence, and the health record logs
 * and shows it. While embeddings are degraded, questions are not embedded
 * at all (no customer waits for a provider that is down); one question at a
 * time, at most every `probeIntervalMs`, is embedded in the background, and
 * once that works the vector half is back.
 */
export class HybridRetriever implements KnowledgeRetriever {
  private readonly rrfK: number;
  private readonly perList: number;
  private readonly health: VectorHalfHealth;
  private probing = false;
  private lastProbeAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: { lexical: LexicalSearch; vectors: VectorSearch; embedder: Embedder; entities: EntitySource; health?: VectorHalfHealth },
    private readonly options: HybridRetrieverOptions,
  ) {
    this.rrfK = options.rrfK ?? 60;
    this.perList = options.candidatesPerList ?? 40;
    this.health = deps.health ?? new RetrievalHealth({ provider: deps.embedder.model });
  }

  /** Loads what the parts keep in memory, so that the first customer does not wait for it. */
  async warm(): Promise<void> {
    await Promise.all([this.deps.lexical.warm(), this.deps.vectors.warm(), this.deps.entities.warm()]);
  }

  async search(query: KbSearchQuery): Promise<KbHit[]> {
    const limit = Math.min(Math.max(query.limit ?? 5, 1), 20);
    const text = query.text.trim();
    if (text === '') return [];
    const scope: KbScope = { ...(query.locale ? { locale: query.locale } : {}), ...(query.category ? { category: query.category } : {}) };

    const focus = await this.deps.entities.candidates(text, query.context ?? [], MAX_FOCUS);
    const entities = focus.filter((candidate) => candidate.prior >= MIN_FOCUS_PRIOR);
    // Within the entity the message names, its name says nothing about which of its articles answers.
    const named = entities[0]?.source === 'text' ? await this.deps.entities.withoutName(text, entities[0].entity) : '';
    const question = named.trim() === '' ? text : named;
    const [lexicalQuery, vector] = await Promise.all([this.deps.lexical.prepare(question), this.queryVector(question)]);

    const scopes: KbScope[] = [scope, ...entities.map((candidate) => ({ ...scope, entity: candidate.entity }))];
    const vectorSearch = vector ? new GuardedVectorSearch(this.deps.vectors, vector) : undefined;
    // The lexical candidates come scored already: only the chunks the vectors found besides are scored below.
    const scored = new Map<string, ScoredChunk>();
    const lists = await Promise.all(
      scopes.flatMap((within) => [
        lexicalQuery
          ? this.deps.lexical.candidates(lexicalQuery, within, this.perList).then((chunks) =>
              chunks.map((chunk) => {
                scored.set(chunk.chunkId, chunk);
                return chunk.chunkId;
              }),
            )
          : Promise.resolve([]),
        vectorSearch ? vectorSearch.nearest(within, this.perList).then((hits) => hits.map((hit) => hit.chunkId)) : Promise.resolve([]),
      ]),
    );
    const fused = this.fuse(lists);
    if (fused.size === 0) {
      if (vectorSearch) this.reportVectorSearch(vectorSearch);
      return [];
    }

    const ids = [...fused.keys()];
    const unscored = ids.filter((id) => !scored.has(id));
    const [rest, similarities] = await Promise.all([
      unscored.length > 0 ? this.deps.lexical.score(lexicalQuery, unscored) : Promise.resolve([]),
      vectorSearch ? vectorSearch.similarities(ids) : Promise.resolve(new Map<string, number>()),
    ]);
    const chunks = [...scored.values(), ...rest];
    if (vectorSearch) this.reportVectorSearch(vectorSearch);
    const topFusion = Math.max(...fused.values());
    const topRank = Math.max(...chunks.map((chunk) => chunk.rank), Number.MIN_VALUE);
    const ranked = chunks.map((chunk) => {
      const confidence = this.confidence(chunk, similarities.get(chunk.chunkId), entities);
      const fusion = (fused.get(chunk.chunkId) ?? 0) / topFusion;
      const prior = entities.find((candidate) => candidate.entity === chunk.entity)?.prior ?? 0;
      // Confidence saturates at 1: then fusion and match density pick the passage that says it most directly.
      const order =
        this.options.rerank === false
          ? fusion
          : confidence + FOCUS_BONUS * prior + RRF_WEIGHT * fusion + DENSITY_WEIGHT * (chunk.rank / topRank) - LATER_SECTION_PENALTY * Math.min(chunk.position, 5);
      return { chunk, confidence, order };
    });
    ranked.sort((a, b) => b.order - a.order || a.chunk.chunkId.localeCompare(b.chunk.chunkId));
    // Weak candidates stay, with their low confidence: the caller decides what is worth answering with.
    return bestPerArticle(
      ranked.map((entry) => ({ ...entry, articleId: entry.chunk.articleId })),
      limit,
    ).map((entry) => toHit(entry.chunk, entry.confidence));
  }

  /**
   * The question's vector, or undefined when full text must answer alone:
   * the embedder failed or took too long (now or recently: then it is only
   * probed in the background), or the text has no features (the zero vector
   * is similar to nothing).
   */
  private async queryVector(question: string): Promise<number[] | undefined> {
    if (this.health.isDegraded('embeddings')) {
      this.probe(question);
      return undefined;
    }
    // This attempt counts as a probe: after it fails, the next one waits for the interval.
    this.lastProbeAt = this.options.now?.() ?? Date.now();
    try {
      const [vector] = await this.embed(question);
      this.health.succeeded('embeddings');
      return vector?.some((value) => value !== 0) ? vector : undefined;
    } catch (error) {
      this.health.failed('embeddings', error);
      return undefined;
    }
  }

  /** Embeds a question in the background to find out whether the embedder is back; never more than one at a time. */
  private probe(question: string): void {
    const now = this.options.now?.() ?? Date.now();
    if (this.probing || now - this.lastProbeAt < (this.options.probeIntervalMs ?? 1000)) return;
    this.probing = true;
    this.lastProbeAt = now;
    void this.embed(question)
      .then(
        () => this.health.succeeded('embeddings'),
        (error: unknown) => this.health.failed('embeddings', error),
      )
      .catch(() => {
        // A failing health log must not become an unhandled rejection.
      })
      .finally(() => {
        this.probing = false;
      });
  }

  private embed(question: string): Promise<number[][]> {
    return this.deps.embedder.embed([question], AbortSignal.timeout(this.options.queryEmbeddingTimeoutMs ?? 2500));
  }

  private reportVectorSearch(search: GuardedVectorSearch): void {
    if (search.failure === undefined) this.health.succeeded('vectorSearch');
    else this.health.failed('vectorSearch', search.failure.error);
  }

  /** Reciprocal rank fusion: each list a chunk appears in adds 1 / (k + its rank there). */
  private fuse(lists: string[][]): Map<string, number> {
    const fused = new Map<string, number>();
    for (const list of lists) {
      list.forEach((chunkId, index) => fused.set(chunkId, (fused.get(chunkId) ?? 0) + 1 / (this.rrfK + index + 1)));
    }
    return fused;
  }

  private confidence(chunk: ScoredChunk, similarity: number | undefined, entities: EntityFocus[]): number {
    const { floor, ceiling } = this.options.similarityScale;
    const semantic = similarity === undefined ? 0 : Math.min(1, Math.max(0, (similarity - floor) / (ceiling - floor)));
    const lexical = Math.min(1, Math.max(0, chunk.score));
    const combined = 1 - (1 - lexical) * (1 - semantic);
    const offTopic = chunk.entity !== null && !entities.some((candidate) => candidate.entity === chunk.entity);
    return offTopic ? combined * OFF_TOPIC_FACTOR : combined;
  }
}

/**
 * One question's vector searches, where a failure (the database's kNN
 * query, the in-service copy failing to load) leaves that list empty
 * instead of failing the search: full text still answers. The first
 * failure is kept for the health record.
 */
class GuardedVectorSearch {
  failure: { error: unknown } | undefined;

  constructor(
    private readonly search: VectorSearch,
    private readonly vector: readonly number[],
  ) {}

  async nearest(scope: VectorScope, limit: number): Promise<Array<{ chunkId: string }>> {
    if (this.failure) return [];
    try {
      return await this.search.nearest(this.vector, scope, limit);
    } catch (error) {
      this.failure ??= { error };
      return [];
    }
  }

  async similarities(chunkIds: readonly string[]): Promise<Map<string, number>> {
    if (this.failure) return new Map();
    try {
      return await this.search.similarities(this.vector, chunkIds);
    } catch (error) {
      this.failure ??= { error };
      return new Map();
    }
  }
}
