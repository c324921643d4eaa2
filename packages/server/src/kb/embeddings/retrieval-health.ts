/**
 * The health of retrieval's vector half: query embeddings (a hosted
 * embedder may be down) and vector search (the database's kNN). When either
 * fails, the hybrid retriever answers by full text alone; this records since
 * when, for /readyz, and logs it without flooding the log during an outage:
 * one warning when a part degrades, at most one more per `logIntervalMs`
 * while it stays degraded (with the count of failures since), and one line
 * when it recovers.
 */

/** The part of a pino logger this needs. */
export interface HealthLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export type RetrievalPart = 'embeddings' | 'vectorSearch';

export interface KnowledgeBaseStatus {
  /** 'full_text_only' while any part of the vector half is degraded; the service still answers. */
  retrieval: 'hybrid' | 'full_text_only';
  embeddings: 'ok' | 'degraded';
  /** EMBEDDING_PROVIDER. */
  embeddingProvider: string;
  vectorSearch: 'ok' | 'degraded';
  /** When the oldest current degradation began (ISO 8601); null when all is well. */
  since: string | null;
  /** The last failure's code (e.g. ai_unavailable, ai_rate_limited, timeout), never its text; null when all is well. */
  lastError: string | null;
}

/** What the hybrid retriever reports to and asks of its health record. */
export interface VectorHalfHealth {
  isDegraded(part: RetrievalPart): boolean;
  failed(part: RetrievalPart, error: unknown): void;
  succeeded(part: RetrievalPart): void;
}

interface Degradation {
  since: number;
  failures: number;
  /** Failures since the last line about this degradation. */
  unlogged: number;
  code: string;
  /** Whether a warning about this degradation was written (then its recovery is, too). */
  announced: boolean;
}

const DEFAULT_LOG_INTERVAL_MS = 60_000;

const MESSAGES: Record<RetrievalPart, { degraded: string; still: string; recovered: string }> = {
  embeddings: {
    degraded: 'knowledge base: embeddings failed; answering by full text only until the embedding provider is back',
    still: 'knowledge base: embeddings still failing; answering by full text only',
    recovered: 'knowledge base: embeddings work again; hybrid retrieval restored',
  },
  vectorSearch: {
    degraded: 'knowledge base: vector search failed; answering by full text only',
    still: 'knowledge base: vector search still failing; answering by full text only',
    recovered: 'knowledge base: vector search works again; hybrid retrieval restored',
  },
};

export class RetrievalHealth implements VectorHalfHealth {
  private readonly degraded = new Map<RetrievalPart, Degradation>();
  private readonly lastLogAt = new Map<RetrievalPart, number>();

  constructor(
    private readonly options: {
      /** EMBEDDING_PROVIDER, logged and shown with every degradation. */
      provider: string;
      /** The embedder's model id, logged with embedding failures. */
      embedder?: string;
      log?: HealthLog;
      logIntervalMs?: number;
      now?: () => number;
      /** Called when query embeddings work again (e.g. to embed what start-up could not). */
      onRecovered?: (part: RetrievalPart) => void;
    },
  ) {}

  isDegraded(part: RetrievalPart): boolean {
    return this.degraded.has(part);
  }

  failed(part: RetrievalPart, error: unknown): void {
    const now = this.now();
    const current = this.degraded.get(part) ?? { since: now, failures: 0, unlogged: 0, code: '', announced: false };
    current.failures += 1;
    current.unlogged += 1;
    current.code = failureCode(error);
    this.degraded.set(part, current);
    if (now - (this.lastLogAt.get(part) ?? Number.NEGATIVE_INFINITY) < (this.options.logIntervalMs ?? DEFAULT_LOG_INTERVAL_MS)) return;
    this.lastLogAt.set(part, now);
    // The logger's serializer scrubs secrets from the error (its message, cause and upstream body).
    this.options.log?.warn(
      {
        part,
        provider: this.options.provider,
        ...(part === 'embeddings' && this.options.embedder ? { embedder: this.options.embedder } : {}),
        code: current.code,
        failures: current.unlogged,
        degradedSince: new Date(current.since).toISOString(),
        err: error,
      },
      current.announced ? MESSAGES[part].still : MESSAGES[part].degraded,
    );
    current.announced = true;
    current.unlogged = 0;
  }

  succeeded(part: RetrievalPart): void {
    const current = this.degraded.get(part);
    if (!current) return;
    this.degraded.delete(part);
    if (current.announced) {
      const now = this.now();
      this.lastLogAt.set(part, now);
      this.options.log?.info(
        { part, provider: this.options.provider, degradedForMs: now - current.since, failures: current.failures },
        MESSAGES[part].recovered,
      );
    }
    this.options.onRecovered?.(part);
  }

  status(): KnowledgeBaseStatus {
    const embeddings = this.degraded.get('embeddings');
    const vectors = this.degraded.get('vectorSearch');
    const current = [embeddings, vectors].filter((entry): entry is Degradation => entry !== undefined);
    const oldest = current.reduce<Degradation | undefined>((first, entry) => (first === undefined || entry.since < first.since ? entry : first), undefined);
    const latest = vectors ?? embeddings;
    return {
      retrieval: current.length > 0 ? 'full_text_only' : 'hybrid',
      embeddings: embeddings ? 'degraded' : 'ok',
      embeddingProvider: this.options.provider,
      vectorSearch: vectors ? 'degraded' : 'ok',
      since: oldest ? new Date(oldest.since).toISOString() : null,
      lastError: latest?.code ?? null,
    };
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

/** A stable, text-free name for what went wrong: the provider error's code, or the kind of error. */
function failureCode(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const code: unknown = 'code' in error ? error.code : undefined;
    if (typeof code === 'string' && /^[a-z][a-z0-9_]*$/i.test(code) && code.length <= 64) return code;
    const name: unknown = 'name' in error ? error.name : undefined;
    if (name === 'TimeoutError') return 'timeout';
    if (name === 'AbortError') return 'aborted';
  }
  return 'error';
}
