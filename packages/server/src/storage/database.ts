/**
 * The one database interface the service uses. Two drivers implement it:
 * PGlite (embedded Postgres in WASM, the default) and node-postgres against a
 * real PostgreSQL server. SQL is plain Postgres and runs unchanged on both.
 */

// Arrays may hold nulls: batch writes pass one array per column (unnest), and nullable columns need them.
export type SqlParam = string | number | boolean | null | Date | Array<string | null> | Buffer;

export interface Queryable {
  /** One statement with $1.. parameters. */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly SqlParam[],
  ): Promise<{ rows: Row[] }>;
}

export interface Database extends Queryable {
  /** "pglite" or "postgres": shown in /readyz and the logs. */
  readonly driver: 'pglite' | 'postgres';
  /** A script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `work` in one transaction: all of it commits, or none of it. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
