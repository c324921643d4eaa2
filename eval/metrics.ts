/**
 * The harness's metrics, as pure functions over plain numbers so that they
 * can be unit-tested apart from any dataset or retriever.
 */

/** 1-based rank of the first retrieved id that is a gold id; null when none was retrieved. */
export function firstRelevantRank(retrieved: readonly string[], gold: ReadonlySet<string>): number | null {
  const index = retrieved.findIndex((id) => gold.has(id));
  return index === -1 ? null : index + 1;
}

/** Share of queries whose first relevant result is within the top k. */
export function recallAtK(ranks: ReadonlyArray<number | null>, k: number): number {
  if (ranks.length === 0) return 0;
  return ranks.filter((rank) => rank !== null && rank <= k).length / ranks.length;
}

/** Mean of 1/rank of the first relevant result (0 when it was not retrieved). */
export function meanReciprocalRank(ranks: ReadonlyArray<number | null>): number {
  if (ranks.length === 0) return 0;
  return ranks.reduce<number>((sum, rank) => sum + (rank === null ? 0 : 1 / rank), 0) / ranks.length;
}

/** Nearest-rank percentile (p in 0..100) of the values; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? 0;
}

export interface BinaryCounts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
}

/** Tallies (predicted, actual) pairs of a yes/no decision. */
export function countBinary(pairs: Iterable<{ predicted: boolean; actual: boolean }>): BinaryCounts {
  const counts: BinaryCounts = { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 };
  for (const { predicted, actual } of pairs) {
    if (predicted && actual) counts.truePositives += 1;
    else if (predicted) counts.falsePositives += 1;
    else if (actual) counts.falseNegatives += 1;
    else counts.trueNegatives += 1;
  }
  return counts;
}

export interface BinaryScores {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
}

/** Precision, recall, F1 and accuracy; a ratio with nothing to divide by is 0. */
export function binaryScores(counts: BinaryCounts): BinaryScores {
  const { truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn } = counts;
  const ratio = (numerator: number, denominator: number) => (denominator === 0 ? 0 : numerator / denominator);
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), accuracy: ratio(tp + tn, tp + fp + fn + tn) };
}

/** Share of items for which the predicate holds; 0 for none. */
export function share<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  return items.length === 0 ? 0 : items.filter(predicate).length / items.length;
}
