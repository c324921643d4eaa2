import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR } from './cli-args.js';
import { loadBitext, loadFaqQueries } from './datasets.js';
import { TRAINING_SHARE, trainingBucket } from './training-split.js';

/**
 * Writes the "ordinary support questions" the escalation-trigger tests run
 * over (packages/server/test/fixtures/ordinary-questions/): customer messages
 * that must NOT hand a conversation to a person. Deterministic:
 *
 *   node --import tsx eval/extract-ordinary-questions.ts [--data ../shared/data]
 *
 * - Bitext rows held out of the intent training data (bucket ≥ the training
 *   share), every label except `complaint` and `contact_human_agent` (those
 *   may rightly escalate), the first 10 per label in hash order; the
 *   `contact_customer_service` ones are the hard cases ("how do I reach
 *   customer service?" asks for a channel, not a person).
 * - 60 DSTC travel FAQ queries (spoken travel questions), in hash order, each
 *   with the customer's two turns before it (`previous`).
 */
const PER_BITEXT_LABEL = 10;
const DSTC_QUERIES = 60;
const MAY_ESCALATE = new Set(['complaint', 'contact_human_agent']);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' } }, strict: true });
  const dataDir = values.data ? resolve(values.data) : DEFAULT_DATA_DIR;
  const outDir = values.out ? resolve(values.out) : resolve('packages/server/test/fixtures/ordinary-questions');
  const [bitext, queries] = await Promise.all([loadBitext(dataDir), loadFaqQueries(dataDir)]);

  const byLabel = new Map<string, { id: string; text: string }[]>();
  for (const row of bitext) {
    if (MAY_ESCALATE.has(row.label) || trainingBucket(row.text) < TRAINING_SHARE.bitext) continue;
    byLabel.set(row.label, [...(byLabel.get(row.label) ?? []), { id: row.id, text: row.text }]);
  }
  const bitextRows = [...byLabel.values()].flatMap((rows) => inHashOrder(rows).slice(0, PER_BITEXT_LABEL));
  // With the customer's earlier turns of the same conversation: the sentiment trigger reads recent turns.
  const dstcRows = inHashOrder(
    queries.map((query) => ({ id: query.id, text: query.text, previous: query.context.filter((turn) => turn.speaker === 'U').map((turn) => turn.text).slice(-2) })),
  ).slice(0, DSTC_QUERIES);

  await mkdir(outDir, { recursive: true });
  for (const [file, rows] of [
    ['bitext.jsonl', bitextRows],
    ['dstc-travel.jsonl', dstcRows],
  ] as const) {
    const unique = [...new Map(rows.map((row) => [row.text.trim().toLowerCase(), row])).values()];
    await writeFile(join(outDir, file), unique.map((row) => JSON.stringify(row)).join('\n') + '\n');
    process.stdout.write(`${file}: ${unique.length} questions\n`);
  }
}

function inHashOrder<T extends { id: string; text: string }>(rows: T[]): T[] {
  return rows
    .map((row) => ({ row, order: trainingBucket(`ordinary|${row.id}|${row.text}`) }))
    .sort((a, b) => a.order - b.order || a.row.id.localeCompare(b.row.id))
    .map(({ row }) => row);
}

await main();
