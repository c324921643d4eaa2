import { join } from 'node:path';
import type { Database } from './database.js';
import { openPgliteDatabase } from './pglite-database.js';
import { openPostgresDatabase } from './postgres-database.js';

/** DATABASE_URL set → PostgreSQL server; unset → PGlite under DATA_DIR. */
export function openDatabase(options: { databaseUrl: string | undefined; dataDir: string }): Promise<Database> {
  if (options.databaseUrl) return openPostgresDatabase(options.databaseUrl);
  return openPgliteDatabase(join(options.dataDir, 'pglite'));
}
