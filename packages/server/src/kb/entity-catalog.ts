import type { Queryable } from '../storage/database.js';
import { EntityMatcher, type EntityFocus } from './entity-matcher.js';
import { kbArticlesVersion } from './kb-scope-sql.js';
import { RefreshingSnapshot } from './refreshing-snapshot.js';

/**
 * The entity names of the knowledge base (kb_articles.entity), kept as an
 * EntityMatcher that is rebuilt when articles change.
 */
export class EntityCatalog {
  private readonly matcher: RefreshingSnapshot<EntityMatcher>;

  constructor(db: Queryable, options: { recheckMs?: number; now?: () => number } = {}) {
    this.matcher = new RefreshingSnapshot(
      () => kbArticlesVersion(db),
      async () => {
        const { rows } = await db.query<{ entity: string }>('SELECT DISTINCT entity FROM kb_articles WHERE entity IS NOT NULL');
        return new EntityMatcher(rows.map((row) => row.entity));
      },
      options,
    );
  }

  /** Builds the matcher now rather than on the first search. */
  async warm(): Promise<void> {
    await this.matcher.get();
  }

  /** The text without the words that name the entity (see EntityMatcher.withoutName). */
  async withoutName(text: string, entity: string): Promise<string> {
    return (await this.matcher.get()).withoutName(text, entity);
  }

  /** The entities the conversation may be about, most likely first (see EntityMatcher.candidates). */
  async candidates(text: string, context: readonly string[] = [], max = 3): Promise<EntityFocus[]> {
    return (await this.matcher.get()).candidates(text, context, max);
  }
}
