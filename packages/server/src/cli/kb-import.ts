import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ConfigError } from '../config.js';
import { AppError } from '../errors/app-error.js';
import { createKbChunkIndexer } from '../kb/embeddings/create-kb-chunk-indexer.js';
import { importArticles, sourceName, type ImportResult } from '../kb/import/import-knowledge-base.js';
import { readKnowledgeBase } from '../kb/import/read-knowledge-base.js';
import { loadCliConfig, openCliDatabase } from './cli-database.js';

/**
 * npm run kb:import -- <file or folder> [--source name] [--prune] [--dry-run]
 *
 * Imports into the database the server uses (DATABASE_URL, else PGlite in
 * DATA_DIR; stop an embedded server first, PGlite allows one process).
 * Exits 1 with "file:line: problem" on bad input, having written nothing.
 */

const USAGE = `usage: npm run kb:import -- <file or folder> [--source name] [--prune] [--dry-run]

  <file or folder>  .md, .html/.htm, .json, .jsonl or .csv; folders are read recursively
  --source name     which import this is (default: the file or folder name); --prune works within it
  --prune           delete this source's articles that are no longer in <file or folder>
  --dry-run         validate and report what would change, without writing
`;

/** Below this many articles a bar would flash by; a one-line summary says enough. */
const PROGRESS_BAR_MIN_ARTICLES = 50;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { source: { type: 'string' }, prune: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [target] = positionals;
  if (!target || positionals.length > 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  // npm runs scripts from the repository root; the path is meant from where the command was typed.
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), target);

  const config = loadCliConfig();
  // Bad input is reported before the database is even opened (which, for a new PGlite folder, takes seconds).
  const source = sourceName(path, values.source);
  const started = performance.now();
  const kb = await readKnowledgeBase(path);
  const db = await openCliDatabase(config);
  let bar: cliProgress.SingleBar | undefined;
  try {
    const indexer = await createKbChunkIndexer(config, db);
    const result = await importArticles(db, kb, {
      indexer,
      source,
      prune: values.prune ?? false,
      dryRun: values['dry-run'] ?? false,
      onProgress(done, total) {
        if (!bar && process.stderr.isTTY && total > PROGRESS_BAR_MIN_ARTICLES) {
          bar = new cliProgress.SingleBar(
            { stream: process.stderr, format: 'importing [{bar}] {value}/{total} articles | {eta_formatted} left', hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, done);
        }
        bar?.update(done);
      },
    });
    bar?.stop();
    process.stdout.write(`${describeResult(result, values['dry-run'] ?? false, performance.now() - started)}\n`);
    return 0;
  } finally {
    bar?.stop();
    await db.close();
  }
}

function describeResult(result: ImportResult, dryRun: boolean, elapsedMs: number): string {
  const files = `${result.files} file${result.files === 1 ? '' : 's'}`;
  const skipped = result.skippedFiles.length > 0 ? ` (skipped ${result.skippedFiles.length} other: ${result.skippedFiles.slice(0, 3).join(', ')}${result.skippedFiles.length > 3 ? ', …' : ''})` : '';
  const counts = `${result.added} added, ${result.updated} updated, ${result.unchanged} unchanged, ${result.pruned} pruned, ${result.chunksIndexed} chunks indexed`;
  return `${dryRun ? 'dry run, nothing written: ' : ''}source "${result.source}": ${result.articles} articles from ${files}${skipped}: ${counts} in ${(elapsedMs / 1000).toFixed(1)} s`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Bad input and bad settings are the user's to fix: the message alone says what and where.
    if (error instanceof AppError || error instanceof ConfigError) process.stderr.write(`kb:import: ${error.message}\n`);
    else if (error instanceof Error && 'code' in error && error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') process.stderr.write(`kb:import: ${error.message}\n${USAGE}`);
    else process.stderr.write(`kb:import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
