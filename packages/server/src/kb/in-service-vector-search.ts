import type { Queryable } from '../storage/database.js';
import { parseStoredVector } from './embeddings/vector-codec.js';
import { RefreshingSnapshot } from './refreshing-snapshot.js';
import type { VectorHit, VectorScope, VectorSearch } from './vector-search.js';

/** Rows per query while loading: bounded memory per round trip on both drivers. */
const LOAD_PAGE = 2000;

interface Snapshot {
  count: number;
  ids: string[];
  locales: string[];
  categories: Array<string | null>;
  entities: Array<string | null>;
  /** Row-major: chunk i's vector is [i * dimensions, (i + 1) * dimensions). */
  matrix: Float32Array;
  rowById: Map<string, number>;
  rowsByEntity: Map<string, number[]>;
}

/**
 * Exact kNN in the service, for databases without pgvector. Every chunk
 * vector of the current embedder lives in one Float32Array (12k chunks of
 * 384 dimensions: 18 MB) and a query is a brute-force scan of dot products.
 * The copy is reloaded when the database's embeddings or articles change
 * (see RefreshingSnapshot).
 */
export class InServiceVectorSearch implements VectorSearch {
  readonly path = 'in-service';
  private readonly snapshot: RefreshingSnapshot<Snapshot>;

  constructor(
    private readonly db: Queryable,
    private readonly embedder: { model: string; dimensions: number },
    options: { recheckMs?: number; now?: () => number } = {},
  ) {
    this.snapshot = new RefreshingSnapshot(
      () => this.version(),
      () => this.load(),
      options,
    );
  }

  async nearest(vector: readonly number[], scope: VectorScope, limit: number): Promise<VectorHit[]> {
    const snapshot = await this.snapshot.get();
    const query = Float32Array.from(vector);
    const rows = scope.entity === undefined ? null : snapshot.rowsByEntity.get(scope.entity) ?? [];
    const top = new TopK(limit);
    const filtered = scope.locale !== undefined || scope.category !== undefined;
    const consider = (row: number) => {
      if (filtered && scope.locale !== undefined && snapshot.locales[row] !== scope.locale) return;
      if (filtered && scope.category !== undefined && snapshot.categories[row] !== scope.category) return;
      top.offer(row, this.similarity(snapshot, query, row));
    };
    if (rows) for (const row of rows) consider(row);
    else for (let row = 0; row < snapshot.count; row += 1) consider(row);
    return top.sorted().map(({ item, score }) => ({ chunkId: snapshot.ids[item] ?? '', similarity: score }));
  }

  async similarities(vector: readonly number[], chunkIds: readonly string[]): Promise<Map<string, number>> {
    const snapshot = await this.snapshot.get();
    const query = Float32Array.from(vector);
    const result = new Map<string, number>();
    for (const id of chunkIds) {
      const row = snapshot.rowById.get(id);
      if (row !== undefined) result.set(id, this.similarity(snapshot, query, row));
    }
    return result;
  }

  private similarity(snapshot: Snapshot, query: Float32Array, row: number): number {
    const { dimensions } = this.embedder;
    const matrix = snapshot.matrix;
    const offset = row * dimensions;
    // The hot loop of a brute-force scan (both arrays are exactly as long as it runs); four
    // independent sums let the CPU overlap the multiplications.
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    let index = 0;
    for (; index + 3 < dimensions; index += 4) {
      a += query[index]! * matrix[offset + index]!;
      b += query[index + 1]! * matrix[offset + index + 1]!;
      c += query[index + 2]! * matrix[offset + index + 2]!;
      d += query[index + 3]! * matrix[offset + index + 3]!;
    }
    for (; index < dimensions; index += 1) a += query[index]! * matrix[offset + index]!;
    return a + b + c + d;
  }

  /** Loads the vectors now rather than on the first search. */
  async warm(): Promise<void> {
    await this.snapshot.get();
  }

  /** Changes whenever a vector is written or deleted, or an article's filters (locale, category, entity) change. */
  private async version(): Promise<string> {
    const { rows } = await this.db.query<{ version: string }>(
      `SELECT concat_ws('/',
                (SELECT count(*) FROM kb_chunks WHERE embedding_model = $1),
                (SELECT max(embedded_at) FROM kb_chunks WHERE embedding_model = $1),
                (SELECT count(*) FROM kb_articles),
                (SELECT max(updated_at) FROM kb_articles)) AS version`,
      [this.embedder.model],
    );
    return rows[0]?.version ?? '';
  }

  private async load(): Promise<Snapshot> {
    const { dimensions } = this.embedder;
    const ids: string[] = [];
    const locales: string[] = [];
    const categories: Array<string | null> = [];
    const entities: Array<string | null> = [];
    const vectors: Float32Array[] = [];
    let after = '';
    for (;;) {
      const { rows } = await this.db.query<{ id: string; embedding: unknown; locale: string; category: string | null; entity: string | null }>(
        `SELECT c.id, c.embedding, a.locale, a.category, a.entity
           FROM kb_chunks c JOIN kb_articles a ON a.id = c.article_id
          WHERE c.embedding_model = $1 AND c.id > $2
          ORDER BY c.id LIMIT ${LOAD_PAGE}`,
        [this.embedder.model, after],
      );
      for (const row of rows) {
        const vector = parseStoredVector(row.embedding, dimensions);
        if (!vector) continue;
        ids.push(row.id);
        locales.push(row.locale);
        categories.push(row.category);
        entities.push(row.entity);
        vectors.push(vector);
      }
      const last = rows.at(-1);
      if (!last || rows.length < LOAD_PAGE) break;
      after = last.id;
    }
    const matrix = new Float32Array(vectors.length * dimensions);
    vectors.forEach((vector, row) => matrix.set(vector, row * dimensions));
    const rowsByEntity = new Map<string, number[]>();
    entities.forEach((entity, row) => {
      if (entity === null) return;
      const list = rowsByEntity.get(entity);
      if (list) list.push(row);
      else rowsByEntity.set(entity, [row]);
    });
    return {
      count: ids.length,
      ids,
      locales,
      categories,
      entities,
      matrix,
      rowById: new Map(ids.map((id, row) => [id, row])),
      rowsByEntity,
    };
  }
}

/** The k best-scoring items seen, without sorting everything. */
class TopK {
  private readonly items: Array<{ item: number; score: number }> = [];

  constructor(private readonly k: number) {}

  offer(item: number, score: number): void {
    if (this.items.length === this.k && score <= (this.items.at(-1)?.score ?? Number.NEGATIVE_INFINITY)) return;
    let index = this.items.length;
    while (index > 0 && (this.items[index - 1]?.score ?? 0) < score) index -= 1;
    this.items.splice(index, 0, { item, score });
    if (this.items.length > this.k) this.items.pop();
  }

  sorted(): Array<{ item: number; score: number }> {
    return this.items;
  }
}
