import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

// Any constant works; it only has to be the same on every node of a deployment.
const MIGRATION_LOCK_KEY = 727_100_001;

/**
 * Applies the SQL files of migrations/ that have not run yet, in name order.
 * All of it happens in one transaction holding an advisory lock, so two nodes
 * starting at once apply each migration exactly once and a failed migration
 * leaves nothing behind.
 */
export async function migrate(db: Database): Promise<string[]> {
  const files = (await readdir(migrationsDir)).filter((name) => name.endsWith('.sql')).sort();
  const scripts = await Promise.all(
    files.map(async (name) => ({ name, sql: await readFile(new URL(name, `file://${migrationsDir}`), 'utf8') })),
  );
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((row) => row.name));
    const newlyApplied: string[] = [];
    for (const script of scripts) {
      if (applied.has(script.name)) continue;
      for (const statement of splitStatements(script.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [script.name]);
      newlyApplied.push(script.name);
    }
    return newlyApplied;
  });
}

/**
 * Splits a migration into statements so that each runs through the same
 * parameterised `query` inside the transaction on both drivers. Migrations
 * keep to plain DDL: no dollar-quoted bodies, no semicolons inside strings.
 */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n');
  return withoutComments
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
