import { existsSync } from 'node:fs';
import { loadConfig, type AppConfig } from '../config.js';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrate.js';
import { openDatabase } from '../storage/open-database.js';

/**
 * What the command-line tools share with the server's start-up (main.ts): the
 * same configuration and the same database, so that a tool writes where the
 * server reads.
 */

/** The server's configuration: a local .env read into the environment first, as the server does. Throws ConfigError. */
export function loadCliConfig(): AppConfig {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return loadConfig();
}

/**
 * The server's database, migrated: DATABASE_URL, else PGlite in DATA_DIR
 * (which allows one process: stop an embedded server first). The caller closes it.
 */
export async function openCliDatabase(config: AppConfig): Promise<Database> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
