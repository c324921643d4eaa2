import { z } from 'zod';

/**
 * The Markdown of eval/README.md's results, and the summary rows of the
 * top-level README, made from the JSON `npm run eval` writes: numbers in
 * prose are copied by hand and go stale; these are regenerated with the run.
 * Only the fields shown are read (and checked); the JSON has more.
 */

const retrievalScoresSchema = z.looseObject({
  'recall@1': z.number(),
  'recall@3': z.number(),
  'recall@5': z.number(),
  mrr: z.number(),
  p50_ms: z.number(),
  p99_ms: z.number(),
  queries: z.number(),
});

const binaryScoresSchema = z.looseObject({ precision: z.number(), recall: z.number(), f1: z.number(), accuracy: z.number() });

export const evalResultsSchema = z.looseObject({
  generated_at: z.string(),
  /** Absent in results written before runs recorded their commit. */
  code: z.looseObject({ commit: z.string().nullable(), uncommitted_changes: z.boolean().nullable() }).optional(),
  data_dir: z.string(),
  data_part: z.string().default('dev'),
  startup: z.looseObject({ intent_model_examples: z.number(), intent_model_train_ms: z.number() }),
  retrieval: z
    .looseObject({
      system: retrievalScoresSchema.extend({ embedding_provider: z.string() }),
      bm25_last_turn: retrievalScoresSchema,
      bm25_dialogue: retrievalScoresSchema,
      faq_detection: binaryScoresSchema.extend({ rule: z.string() }),
      faq_detection_intent_only: binaryScoresSchema,
      kb_import: z.looseObject({ articles: z.number() }),
      turns: z.array(z.looseObject({ knowledge_seeking: z.boolean() })),
    })
    .optional(),
  intent: z
    .looseObject({
      accuracy: z.number(),
      escalation: z.looseObject({
        precision: z.number(),
        recall: z.number(),
        f1: z.number(),
        false_positives: z.number(),
        false_positives_from_explicit_rule: z.number(),
      }),
      oos_rejection: z.number(),
      oos_rejection_by_source: z.looseObject({ clinc150: z.number(), hint3: z.number() }),
      oos_false_rejection: z.number(),
      in_scope_clarify_rate: z.number(),
      decision_p50_ms: z.number(),
      decision_p99_ms: z.number(),
      counts: z.looseObject({ bitext_scored: z.number(), oos_scored: z.number() }),
    })
    .optional(),
});

export type EvalResults = z.infer<typeof evalResultsSchema>;

/** The goals of issue 3, which the tables say are met or not. */
export const GOALS = {
  retrievalRecallAt1: 0.55,
  retrievalRecallAt3: 0.7,
  intentAccuracy: 0.96,
  escalationF1: 0.97,
  oosRejection: 0.95,
  oosFalseRejectionMax: 0.05,
} as const;

const fraction = (value: number) => value.toFixed(3);
const bold = (text: string) => `**${text}**`;
const thousands = (value: number) => String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const milliseconds = (value: number) => (value < 1 ? value.toFixed(2) : value.toFixed(1));
const atLeast = (value: number, goal: number) => `≥ ${goal.toFixed(2)} (${value >= goal ? 'met' : 'not met'})`;
const atMost = (value: number, goal: number) => `≤ ${goal.toFixed(2)} (${value <= goal ? 'met' : 'not met'})`;
const cell = (text: string) => text.replace(/\|/g, '\\|');

function table(header: string[], align: Array<'left' | 'right'>, rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `| ${align.map((side) => (side === 'left' ? '---' : '---:')).join(' | ')} |`, ...rows.map(line)].join('\n');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "3 Dec 2026", in UTC: the day the run wrote its JSON. */
export function runDate(results: EvalResults): string {
  const date = new Date(results.generated_at);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()] ?? '?'} ${date.getUTCFullYear()}`;
}

/** "commit `b8a4f3a`", saying so when the tree had uncommitted changes or the commit is unknown. */
export function runCommit(results: EvalResults): string {
  const commit = results.code?.commit;
  if (!commit) return 'an unrecorded commit';
  return `commit \`${commit}\`${results.code?.uncommitted_changes ? ' with uncommitted changes' : ''}`;
}

const isDev = (results: EvalResults) => results.data_part === 'dev';

/** Said plainly with every table of dev numbers. */
export function tuningStatement(results: EvalResults): string {
  if (!isDev(results)) {
    return `Measured on the \`${results.data_part}\` part of the data, which the system was not tuned on.`;
  }
  return [
    '**These are dev numbers: they are measured on the same rows the system was tuned on.**',
    "The retriever's weights and thresholds and the intent model's settings were chosen by watching these rows,",
    'so they overstate what to expect on data the system has not seen. (Rows copied into the intent training data',
    "are left out of scoring; that keeps them out of the model's weights, not out of the choice of its settings.)",
  ].join(' ');
}

export interface RenderOptions {
  /** How to name the data folder (the JSON has its absolute path); e.g. relative to the repository. */
  dataDir?: string;
}

/** The Results section of eval/README.md for one run. */
export function renderResultsMarkdown(results: EvalResults, options: RenderOptions = {}): string {
  const sections = [
    `Generated by \`npm run eval:report\` from the JSON of \`npm run eval\`: ${runCommit(results)}, ${runDate(results)}, ` +
      `the \`${results.data_part}\` part of the data in \`${options.dataDir ?? results.data_dir}\`.`,
    tuningStatement(results),
  ];
  const { retrieval, intent } = results;
  if (retrieval) {
    const row = (name: string, scores: z.infer<typeof retrievalScoresSchema>, emphasise = false) => [
      name,
      ...[scores['recall@1'], scores['recall@3'], scores['recall@5'], scores.mrr].map((value) => (emphasise ? bold(fraction(value)) : fraction(value))),
      milliseconds(scores.p50_ms),
      milliseconds(scores.p99_ms),
    ];
    const seeking = retrieval.turns.filter((turn) => turn.knowledge_seeking).length;
    sections.push(
      `### Retrieval — DSTC10 SF travel FAQ, ${results.data_part} part (${thousands(retrieval.kb_import.articles)} entries, ${retrieval.system.queries} knowledge-seeking turns)`,
      table(
        ['Retriever', 'R@1', 'R@3', 'R@5', 'MRR', 'p50 ms', 'p99 ms'],
        ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
        [
          row(`**system** (service retriever, last turn + dialogue context; \`${retrieval.system.embedding_provider}\` embeddings)`, retrieval.system, true),
          row('BM25, last turn', retrieval.bm25_last_turn),
          row('BM25, dialogue (`retrieval.bm25`)', retrieval.bm25_dialogue),
        ],
      ),
      `Goals (issue 3): R@1 ${atLeast(retrieval.system['recall@1'], GOALS.retrievalRecallAt1)}, R@3 ${atLeast(retrieval.system['recall@3'], GOALS.retrievalRecallAt3)}.`,
      `FAQ-seeking detection, all ${retrieval.turns.length} turns (${seeking} knowledge-seeking):`,
      table(
        ['Rule', 'Precision', 'Recall', 'F1', 'Accuracy'],
        ['left', 'right', 'right', 'right', 'right'],
        [
          [retrieval.faq_detection.rule, ...binaryCells(retrieval.faq_detection)],
          ['local provider calls search_knowledge_base (intent only)', ...binaryCells(retrieval.faq_detection_intent_only)],
        ],
      ),
    );
  }
  if (intent) {
    const { escalation } = intent;
    sections.push(
      `### Intent and escalation — the \`local\` provider's decision, ${results.data_part} part`,
      table(
        ['Metric', 'Value', 'Goal'],
        ['left', 'right', 'right'],
        [
          [`intent accuracy (Bitext, ${thousands(intent.counts.bitext_scored)} rows not used for training)`, bold(fraction(intent.accuracy)), atLeast(intent.accuracy, GOALS.intentAccuracy)],
          ['escalation precision', fraction(escalation.precision), ''],
          ['escalation recall', fraction(escalation.recall), ''],
          ['escalation F1', bold(fraction(escalation.f1)), atLeast(escalation.f1, GOALS.escalationF1)],
          ['false hand-overs (of which by the explicit-request rule)', `${escalation.false_positives} (${escalation.false_positives_from_explicit_rule})`, ''],
          [
            `\`oos_rejection\` (CLINC150 \`oos\` + HINT3 \`NO_NODES_DETECTED\`, ${thousands(intent.counts.oos_scored)} rows)`,
            bold(fraction(intent.oos_rejection)),
            atLeast(intent.oos_rejection, GOALS.oosRejection),
          ],
          ['— CLINC150 `oos` / HINT3', `${fraction(intent.oos_rejection_by_source.clinc150)} / ${fraction(intent.oos_rejection_by_source.hint3)}`, ''],
          ['`oos_false_rejection` (Bitext rows answered "don\'t know")', bold(fraction(intent.oos_false_rejection)), atMost(intent.oos_false_rejection, GOALS.oosFalseRejectionMax)],
          ['Bitext rows answered with a clarifying question', fraction(intent.in_scope_clarify_rate), ''],
          ['decision time p50 / p99', `${milliseconds(intent.decision_p50_ms)} / ${milliseconds(intent.decision_p99_ms)} ms`, ''],
        ],
      ),
    );
  }
  sections.push(
    `Intent model at start-up: ${thousands(results.startup.intent_model_examples)} examples plus their typo copies, trained in ${Math.round(results.startup.intent_model_train_ms)} ms inside this run.`,
  );
  return `${sections.join('\n\n')}\n`;
}

function binaryCells(scores: z.infer<typeof binaryScoresSchema>): string[] {
  return [scores.precision, scores.recall, scores.f1, scores.accuracy].map(fraction);
}

/** The rows of the top-level README's evaluation table, with the sentence that says what they were measured on. */
export function renderReadmeSummary(results: EvalResults, options: RenderOptions = {}): string {
  const folder = `\`${options.dataDir ?? results.data_dir}\``;
  const where = isDev(results)
    ? `on the dev parts of ${folder} (rows used for training left out). These are the rows the system was tuned on, so the numbers overstate what to expect on new data`
    : `on the \`${results.data_part}\` part of ${folder}, which the system was not tuned on`;
  const lines = [`Measured at ${runCommit(results)} (${runDate(results)}) ${where}. Details in [\`eval/README.md\`](eval/README.md):`, ''];
  const rows: string[][] = [];
  const { retrieval, intent } = results;
  if (retrieval) {
    const { system, bm25_dialogue: bm25 } = retrieval;
    rows.push(
      [
        `DSTC travel FAQ retrieval (${thousands(retrieval.kb_import.articles)} entries), recall@1 / @3 / MRR`,
        [system['recall@1'], system['recall@3'], system.mrr].map(fraction).join(' / '),
        `≥ ${GOALS.retrievalRecallAt1.toFixed(2)} / ≥ ${GOALS.retrievalRecallAt3.toFixed(2)}`,
      ],
      ['same, BM25 over the dialogue (minisearch), recall@1 / @3', `${fraction(bm25['recall@1'])} / ${fraction(bm25['recall@3'])}`, ''],
      ['retrieval latency p50 / p99 (loaded 2-core machine)', `${Math.round(system.p50_ms)} / ${Math.round(system.p99_ms)} ms`, ''],
    );
  }
  if (intent) {
    rows.push(
      ['intent accuracy (Bitext labels)', fraction(intent.accuracy), `≥ ${GOALS.intentAccuracy.toFixed(2)}`],
      ['escalation precision / recall / F1', [intent.escalation.precision, intent.escalation.recall, intent.escalation.f1].map(fraction).join(' / '), `F1 ≥ ${GOALS.escalationF1.toFixed(2)}`],
      ['out-of-scope rejection (CLINC150 + HINT3)', fraction(intent.oos_rejection), `≥ ${GOALS.oosRejection.toFixed(2)}`],
      ['false "don\'t know" on Bitext', fraction(intent.oos_false_rejection), `≤ ${GOALS.oosFalseRejectionMax.toFixed(2)}`],
    );
  }
  lines.push(table(['', 'measured', 'goal'], ['left', 'right', 'right'], rows));
  return `${lines.join('\n')}\n`;
}

export const RESULTS_START = '<!-- eval:report:start (generated by `npm run eval:report -- --readme eval/README.md`; do not edit by hand) -->';
export const RESULTS_END = '<!-- eval:report:end -->';

/** `readme` with the text between the results markers replaced; it must have both markers, once. */
export function replaceResultsBlock(readme: string, generated: string): string {
  const start = readme.indexOf(RESULTS_START);
  const end = readme.indexOf(RESULTS_END);
  if (start < 0 || end < start || readme.indexOf(RESULTS_START, start + 1) >= 0) {
    throw new Error(`the README needs one "${RESULTS_START}" line followed by one "${RESULTS_END}" line`);
  }
  return `${readme.slice(0, start + RESULTS_START.length)}\n\n${generated.trim()}\n\n${readme.slice(end)}`;
}
