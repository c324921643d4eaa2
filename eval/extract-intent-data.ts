import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { INTENT_DATA_DIR, type IntentExample } from '../packages/server/src/ai/providers/local/intent-training-data.js';
import { DEFAULT_DATA_DIR } from './cli-args.js';
import { loadBitext, loadClinc, loadHint3, type ClincRow } from './datasets.js';
import { intentOfBitextLabel } from './intent-mapping.js';
import { CLINC_EXAMPLES_PER_INTENT, CLINC_KEPT_OUT, CLINC_OUT_OF_SCOPE_DOMAINS, normalisedKey, TRAINING_SHARE, trainingBucket } from './training-split.js';

/**
 * Writes the dataset-derived training files of packages/server/intent-data/
 * from the dev parts: a deterministic subset of each (training-split.ts),
 * relabelled with our intents. Run it again after changing the split:
 *
 *   node --import tsx eval/extract-intent-data.ts [--data ../shared/data]
 *
 * The harness skips every row written here when it scores the dev parts.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' } }, strict: true });
  const dataDir = values.data ? resolve(values.data) : DEFAULT_DATA_DIR;
  const outDir = values.out ? resolve(values.out) : INTENT_DATA_DIR;
  const [bitext, clinc, hint3] = await Promise.all([loadBitext(dataDir), loadClinc(dataDir), loadHint3(dataDir)]);

  const bitextExamples = bitext.flatMap((row): IntentExample[] => {
    const intent = intentOfBitextLabel(row.label);
    if (!intent) throw new Error(`Bitext label "${row.label}" has no intent in eval/intent-mapping.ts`);
    return trainingBucket(row.text) < TRAINING_SHARE.bitext ? [{ id: row.id, text: row.text, intent }] : [];
  });
  const clincExamples = [
    ...clinc.filter((row) => row.label === 'oos' && trainingBucket(row.text) < TRAINING_SHARE.clincOos),
    ...fewPerIntent(clinc.filter((row) => row.domain !== null && CLINC_OUT_OF_SCOPE_DOMAINS.has(row.domain) && !CLINC_KEPT_OUT.has(row.label))),
  ].map((row): IntentExample => ({ id: row.id, text: row.text, intent: 'out_of_scope' }));
  const hint3Examples = hint3
    .filter((row) => row.label === 'NO_NODES_DETECTED' && trainingBucket(row.text) < TRAINING_SHARE.hint3NoNodes)
    .map((row): IntentExample => ({ id: row.id, text: row.text, intent: 'out_of_scope' }));

  await mkdir(outDir, { recursive: true });
  for (const [file, examples] of [
    ['bitext.jsonl', bitextExamples],
    ['clinc150.jsonl', clincExamples],
    ['hint3.jsonl', hint3Examples],
  ] as const) {
    const unique = dedupeByText(examples);
    await writeFile(join(outDir, file), unique.map((example) => JSON.stringify(example)).join('\n') + '\n');
    process.stdout.write(`${file}: ${unique.length} examples\n`);
  }
}

/** The first few rows of each intent in hash order: a fixed sample that does not follow the file's order. */
function fewPerIntent(rows: ClincRow[]): ClincRow[] {
  const byIntent = new Map<string, ClincRow[]>();
  for (const row of rows) byIntent.set(row.label, [...(byIntent.get(row.label) ?? []), row]);
  return [...byIntent.values()].flatMap((group) =>
    group
      .map((row) => ({ row, order: trainingBucket(`${row.label}|${row.text}`) * 1e6 + group.indexOf(row) }))
      .sort((a, b) => a.order - b.order)
      .slice(0, CLINC_EXAMPLES_PER_INTENT)
      .map(({ row }) => row),
  );
}

function dedupeByText(examples: IntentExample[]): IntentExample[] {
  const seen = new Set<string>();
  return examples.filter((example) => {
    const key = normalisedKey(example.text);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
