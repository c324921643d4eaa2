import type { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import type { Database } from '../storage/database.js';

/** How long a node serves the version it read before asking the database again: how soon another node's change applies. */
export const SETTINGS_CACHE_MS = 2000;

export interface SettingsVersion<T> {
  version: number;
  value: T;
  updatedBy: string;
  updatedAt: string;
}

/**
 * A document operators change at run time, kept in versions (who, when) in
 * a table of its own: (version, <column> jsonb, updated_by, created_at).
 * The newest version is in force, or the configured value while none was
 * stored. Every node reads the same table, so a change made on one applies
 * on all within SETTINGS_CACHE_MS, without a restart.
 */
export class VersionedSettings<Schema extends z.ZodType> {
  private cached: { at: number; value: SettingsVersion<z.infer<Schema>> } | undefined;

  constructor(
    private readonly db: Database,
    private readonly table: { name: string; column: string },
    /** What a stored or submitted value must be. */
    readonly schema: Schema,
    private readonly configured: z.infer<Schema>,
    private readonly now: () => number = Date.now,
  ) {}

  async current(): Promise<z.infer<Schema>> {
    return (await this.currentVersion()).value;
  }

  async currentVersion(): Promise<SettingsVersion<z.infer<Schema>>> {
    if (this.cached && this.now() - this.cached.at < SETTINGS_CACHE_MS) return this.cached.value;
    const [newest] = await this.history(1);
    const value = newest ?? { version: 0, value: this.configured, updatedBy: 'configuration', updatedAt: new Date(0).toISOString() };
    this.cached = { at: this.now(), value };
    return value;
  }

  /**
   * Stores a new version and serves it on this node at once; the value is validated here, whoever calls.
   * With `basedOn` (the version the editor started from), it is stored only if that is still the newest:
   * two admins editing at once do not silently undo each other (version_conflict, 409).
   */
  async update(value: z.infer<Schema>, updatedBy: string, basedOn?: number): Promise<SettingsVersion<z.infer<Schema>>> {
    const parsed = this.schema.parse(value) as z.infer<Schema>;
    const { name, column } = this.table;
    const { rows } = await this.db.query<{ version: number; created_at: Date | string }>(
      `INSERT INTO ${name} (version, ${column}, updated_by)
       SELECT coalesce(max(version), 0) + 1, $1::jsonb, $2 FROM ${name}
       HAVING $3::integer IS NULL OR coalesce(max(version), 0) = $3::integer
       RETURNING version, created_at`,
      [JSON.stringify(parsed), updatedBy, basedOn ?? null],
    );
    const row = rows[0];
    if (!row) {
      const newest = (await this.history(1))[0];
      throw new AppError('version_conflict', `The settings changed meanwhile (now version ${newest?.version ?? 0}, by ${newest?.updatedBy ?? 'configuration'}); reload them and make your change again.`, { status: 409 });
    }
    const stored: SettingsVersion<z.infer<Schema>> = { version: row.version, value: parsed, updatedBy, updatedAt: new Date(row.created_at).toISOString() };
    this.cached = { at: this.now(), value: stored };
    return stored;
  }

  /** Newest first. A stored value was valid when written; parsing again fills in settings added since (their defaults). */
  async history(limit = 20): Promise<Array<SettingsVersion<z.infer<Schema>>>> {
    const { name, column } = this.table;
    const { rows } = await this.db.query<{ version: number; value: unknown; updated_by: string; created_at: Date | string }>(
      `SELECT version, ${column} AS value, updated_by, created_at FROM ${name} ORDER BY version DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ version: row.version, value: this.schema.parse(row.value) as z.infer<Schema>, updatedBy: row.updated_by, updatedAt: new Date(row.created_at).toISOString() }));
  }
}
