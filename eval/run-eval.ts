import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadConfig } from '../packages/server/src/config.js';
import { detectEscalationTrigger } from '../packages/server/src/escalation/triggers.js';
import { trainIntentClassifier } from '../packages/server/src/ai/providers/local/intent-classifier.js';
import { loadIntentTrainingData } from '../packages/server/src/ai/providers/local/intent-training-data.js';
import { parseEvalArgs, REPO_ROOT } from './cli-args.js';
import { codeVersion } from './code-version.js';
import { loadBitext, loadClinc, loadFaqKb, loadFaqQueries, loadHint3 } from './datasets.js';
import { runFaqBenchmark, type FaqBenchmarkResult } from './faq-benchmark.js';
import { evaluateIntents, type IntentEvalResult } from './intent-eval.js';
import { decideForConversation } from './local-provider.js';
import { formatCell, renderTable } from './report.js';
import { normalisedKey } from './training-split.js';

/**
 * The evaluation harness (issue 3): retrieval on the DSTC10 FAQ set and the
 * local provider's intent, escalation and out-of-scope decisions on Bitext,
 * CLINC150 and HINT3. Prints tables and writes the numbers as JSON.
 *
 *   npm run eval -- --data <folder holding the dataset folders> --json <out.json>
 *                   [--part dev|<name of a held-out part>] [--commit <sha of an exported tree>]
 *
 * `npm run eval:report` turns the JSON into the Markdown tables of eval/README.md.
 */
async function main(): Promise<void> {
  const args = parseEvalArgs(process.argv.slice(2));
  const log = (message: string) => process.stderr.write(`${message}\n`);
  log(`data: ${args.dataDir}`);

  // The product's intent model, trained as the server trains it at start; the time is its start-up cost.
  const trainingStarted = performance.now();
  const trainingData = loadIntentTrainingData();
  const classifier = trainIntentClassifier(trainingData);
  const trainMs = performance.now() - trainingStarted;
  log(`intent model: ${trainingData.length} examples, trained in ${trainMs.toFixed(0)} ms`);

  const results: { retrieval?: ReturnType<typeof retrievalJson>; intent?: IntentEvalResult } = {};
  if (args.only.has('intent')) {
    const trainingIds = new Set(trainingData.flatMap((example) => (example.id ? [example.id] : [])));
    const trainingTexts = new Set(trainingData.map((example) => normalisedKey(example.text)));
    const [bitext, clinc, hint3] = await Promise.all([loadBitext(args.dataDir), loadClinc(args.dataDir), loadHint3(args.dataDir)]);
    results.intent = evaluateIntents({
      bitext,
      clinc,
      hint3,
      decide: (text) => decideForConversation(classifier, [{ role: 'user', text }]),
      isTrainingRow: (row) => trainingIds.has(row.id) || trainingTexts.has(normalisedKey(row.text)),
      isExplicitHandoff: (text) => detectEscalationTrigger(text) !== null,
    });
  }
  if (args.only.has('retrieval')) {
    const config = loadConfig(process.env);
    const [kbEntries, queries] = await Promise.all([loadFaqKb(args.dataDir), loadFaqQueries(args.dataDir)]);
    const faq = await runFaqBenchmark({ dataDir: args.dataDir, config, kbEntries, queries, classifier, onProgress: log });
    results.retrieval = retrievalJson(faq, config.embeddings.provider.kind);
  }

  const code = codeVersion(REPO_ROOT, args.commit);
  log(`code: ${code.commit ?? 'unknown commit'}${code.uncommitted_changes ? ' with uncommitted changes' : ''}; data part: ${args.part}`);
  const output = {
    generated_at: new Date().toISOString(),
    // What `npm run eval:report` prints with the tables: which code, on which part of the data.
    code,
    data_dir: args.dataDir,
    data_part: args.part,
    startup: { intent_model_examples: trainingData.length, intent_model_train_ms: trainMs },
    ...results,
  };
  process.stdout.write(`${printable(output)}\n`);
  await mkdir(dirname(args.jsonPath), { recursive: true });
  await writeFile(args.jsonPath, `${JSON.stringify(output, null, 2)}\n`);
  log(`wrote ${args.jsonPath}`);
}

/** `retrieval.bm25` is the dialogue variant (the "BM25 over the dialogue"); both variants are kept by name. */
function retrievalJson(faq: FaqBenchmarkResult, embeddingProvider: string) {
  return {
    system: { ...faq.system, embedding_provider: embeddingProvider },
    bm25: { ...faq.bm25_dialogue, variant: 'dialogue (last turn + all earlier turns)' },
    bm25_last_turn: faq.bm25_last_turn,
    bm25_dialogue: faq.bm25_dialogue,
    faq_detection: faq.faq_detection,
    faq_detection_intent_only: faq.faq_detection_intent_only,
    kb_import: faq.import,
    turns: faq.turns,
  };
}

function printable(output: { retrieval?: ReturnType<typeof retrievalJson>; intent?: IntentEvalResult }): string {
  const sections: string[] = [];
  if (output.retrieval) {
    const { retrieval } = output;
    const row = (name: string, scores: typeof retrieval.system | typeof retrieval.bm25_last_turn) => [
      name,
      ...[scores['recall@1'], scores['recall@3'], scores['recall@5'], scores.mrr].map((value) => formatCell(value)),
      formatCell(scores.p50_ms, 'ms'),
      formatCell(scores.p99_ms, 'ms'),
      formatCell(scores.queries, 'count'),
    ];
    sections.push(
      `Retrieval (DSTC10 SF travel FAQ, ${retrieval.kb_import.articles} entries)\n` +
        renderTable(
          ['retriever', 'R@1', 'R@3', 'R@5', 'MRR', 'p50 ms', 'p99 ms', 'queries'],
          [row('system', retrieval.system), row('bm25 last turn', retrieval.bm25_last_turn), row('bm25 dialogue', retrieval.bm25_dialogue)],
        ),
      'FAQ-seeking detection (all turns)\n' +
        renderTable(
          ['rule', 'precision', 'recall', 'F1', 'accuracy'],
          [
            ['intent + retrieval confidence', ...scoreCells(retrieval.faq_detection)],
            ['intent only', ...scoreCells(retrieval.faq_detection_intent_only)],
          ],
        ),
    );
  }
  if (output.intent) {
    const { intent } = output;
    sections.push(
      'Intent and escalation (local provider)\n' +
        renderTable(
          ['metric', 'value'],
          [
            ['intent accuracy (Bitext)', formatCell(intent.accuracy)],
            ['escalation precision', formatCell(intent.escalation.precision)],
            ['escalation recall', formatCell(intent.escalation.recall)],
            ['escalation F1', formatCell(intent.escalation.f1)],
            ['  false hand-overs (by the explicit-request rule)', `${intent.escalation.false_positives} (${intent.escalation.false_positives_from_explicit_rule})`],
            ['oos_rejection (CLINC150 oos + HINT3 no-node)', formatCell(intent.oos_rejection)],
            ['  of which CLINC150', formatCell(intent.oos_rejection_by_source.clinc150)],
            ['  of which HINT3', formatCell(intent.oos_rejection_by_source.hint3)],
            ['oos_false_rejection (Bitext "don\'t know")', formatCell(intent.oos_false_rejection)],
            ['in-scope clarifying questions (Bitext)', formatCell(intent.in_scope_clarify_rate)],
            ['Bitext rows scored / skipped as training', `${intent.counts.bitext_scored} / ${intent.counts.bitext_skipped_as_training}`],
            ['OOS rows scored / skipped as training', `${intent.counts.oos_scored} / ${intent.counts.oos_skipped_as_training}`],
            ['decision p50 / p99 ms', `${formatCell(intent.decision_p50_ms, 'ms')} / ${formatCell(intent.decision_p99_ms, 'ms')}`],
          ],
        ),
    );
  }
  return sections.join('\n\n');
}

function scoreCells(scores: { precision: number; recall: number; f1: number; accuracy: number }): string[] {
  return [scores.precision, scores.recall, scores.f1, scores.accuracy].map((value) => formatCell(value));
}

main().catch((error: unknown) => {
  process.stderr.write(`eval failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
