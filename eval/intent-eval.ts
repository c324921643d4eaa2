import type { LocalDecision } from '../packages/server/src/ai/providers/local/local-decision.js';
import type { BitextRow, ClincRow, Hint3Row } from './datasets.js';
import { BITEXT_LABEL_OF_INTENT, ESCALATION_LABELS } from './intent-mapping.js';
import { binaryScores, countBinary, percentile, share } from './metrics.js';

/** What the customer gets on the first model call: a tool call, an answer, a clarifying question, or "don't know". */
export type TurnOutcome = 'tool_call' | 'answer' | 'clarify' | 'dont_know';

export function outcomeOf(decision: LocalDecision): TurnOutcome {
  return decision.kind === 'tool_calls' ? 'tool_call' : decision.act;
}

/** The product hands over when the first step opens a ticket (the pre-model trigger is part of the same decision). */
export function escalates(decision: LocalDecision): boolean {
  return decision.kind === 'tool_calls' && decision.calls.some((call) => call.name === 'create_ticket');
}

export interface IntentEvalInput {
  bitext: BitextRow[];
  clinc: ClincRow[];
  hint3: Hint3Row[];
  /** The product's decision for one customer message. */
  decide: (text: string) => LocalDecision;
  /** Rows the intent model was trained on (dataset ids and normalised texts): never scored. */
  isTrainingRow: (row: { id: string; text: string }) => boolean;
  /** The pre-model rule (escalation/triggers.ts), to tell how many false hand-overs are its doing. */
  isExplicitHandoff: (text: string) => boolean;
}

export interface IntentEvalResult {
  accuracy: number;
  escalation: {
    precision: number;
    recall: number;
    f1: number;
    /** Negatives handed over because the explicit-request rule fired ("I want to speak to customer service"). */
    false_positives_from_explicit_rule: number;
    false_positives: number;
  };
  oos_rejection: number;
  oos_false_rejection: number;
  /** Share of in-scope (Bitext) messages that got a clarifying question instead of an action: the price of rejecting by asking. */
  in_scope_clarify_rate: number;
  oos_rejection_by_source: { clinc150: number; hint3: number };
  /** Per Bitext label: share whose detected intent maps to it. */
  accuracy_by_label: Record<string, number>;
  decision_p50_ms: number;
  decision_p99_ms: number;
  counts: {
    bitext_scored: number;
    bitext_skipped_as_training: number;
    oos_scored: number;
    oos_skipped_as_training: number;
  };
  /** A few misreadings, to see what goes wrong (the JSON only). */
  sample_errors: Array<{ text: string; label: string; predicted: string; outcome: TurnOutcome }>;
}

/**
 * Intent accuracy and escalation over Bitext, out-of-scope rejection over
 * CLINC150 `oos` and HINT3 `NO_NODES_DETECTED`, all from the local
 * provider's own decision for each message.
 */
export function evaluateIntents(input: IntentEvalInput): IntentEvalResult {
  const timings: number[] = [];
  const decideTimed = (text: string) => {
    const started = performance.now();
    const decision = input.decide(text);
    timings.push(performance.now() - started);
    return decision;
  };

  const bitext = input.bitext.filter((row) => !input.isTrainingRow(row));
  const inScope = bitext.map((row) => {
    const decision = decideTimed(row.text);
    const predicted = decision.intent === null ? null : (BITEXT_LABEL_OF_INTENT.get(decision.intent) ?? null);
    return { row, decision, outcome: outcomeOf(decision), correct: predicted === row.label };
  });

  const oosRows = [
    ...input.clinc.filter((row) => row.label === 'oos').map((row) => ({ row, source: 'clinc150' as const })),
    ...input.hint3.filter((row) => row.label === 'NO_NODES_DETECTED').map((row) => ({ row, source: 'hint3' as const })),
  ];
  const scoredOos = oosRows.filter(({ row }) => !input.isTrainingRow(row));
  const outOfScope = scoredOos.map(({ row, source }) => ({ row, source, outcome: outcomeOf(decideTimed(row.text)) }));
  const rejected = (item: { outcome: TurnOutcome }) => item.outcome === 'dont_know' || item.outcome === 'clarify';

  const falseHandovers = inScope.filter((item) => escalates(item.decision) && !ESCALATION_LABELS.has(item.row.label));
  const escalation = binaryScores(countBinary(inScope.map((item) => ({ predicted: escalates(item.decision), actual: ESCALATION_LABELS.has(item.row.label) }))));
  const labels = [...new Set(bitext.map((row) => row.label))].sort();
  return {
    accuracy: share(inScope, (item) => item.correct),
    escalation: {
      precision: escalation.precision,
      recall: escalation.recall,
      f1: escalation.f1,
      false_positives_from_explicit_rule: falseHandovers.filter((item) => input.isExplicitHandoff(item.row.text)).length,
      false_positives: falseHandovers.length,
    },
    oos_rejection: share(outOfScope, rejected),
    oos_false_rejection: share(inScope, (item) => item.outcome === 'dont_know'),
    in_scope_clarify_rate: share(inScope, (item) => item.outcome === 'clarify'),
    oos_rejection_by_source: {
      clinc150: share(outOfScope.filter((item) => item.source === 'clinc150'), rejected),
      hint3: share(outOfScope.filter((item) => item.source === 'hint3'), rejected),
    },
    accuracy_by_label: Object.fromEntries(labels.map((label) => [label, share(inScope.filter((item) => item.row.label === label), (item) => item.correct)])),
    decision_p50_ms: percentile(timings, 50),
    decision_p99_ms: percentile(timings, 99),
    counts: {
      bitext_scored: bitext.length,
      bitext_skipped_as_training: input.bitext.length - bitext.length,
      oos_scored: scoredOos.length,
      oos_skipped_as_training: oosRows.length - scoredOos.length,
    },
    sample_errors: inScope
      .filter((item) => !item.correct)
      .slice(0, 40)
      .map((item) => ({ text: item.row.text, label: item.row.label, predicted: item.decision.intent ?? '(none)', outcome: item.outcome })),
  };
}
