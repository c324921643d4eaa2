import { featureIds, wordFeature } from './text-features.js';

/** A sparse, L2-normalised vector: feature indices ascending, with their weights. */
export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

export interface TfidfVectorizer {
  readonly size: number;
  vectorize(text: string): SparseVector;
  /** Is this word a feature the vocabulary knows (seen often enough in training)? */
  knowsWord(word: string): boolean;
}

/** A text's distinct feature ids, ascending, with how often each occurs. */
interface FeatureCounts {
  ids: Uint32Array;
  counts: Uint16Array;
}

function countFeatures(text: string): FeatureCounts {
  const sorted = Uint32Array.from(featureIds(text)).sort();
  let distinct = 0;
  for (let index = 0; index < sorted.length; index += 1) if (index === 0 || sorted[index] !== sorted[index - 1]) distinct += 1;
  const ids = new Uint32Array(distinct);
  const counts = new Uint16Array(distinct);
  let at = -1;
  for (let index = 0; index < sorted.length; index += 1) {
    if (index === 0 || sorted[index] !== sorted[index - 1]) at += 1;
    ids[at] = sorted[index] ?? 0;
    counts[at] = (counts[at] ?? 0) + 1;
  }
  return { ids, counts };
}

/**
 * Fits a TF-IDF vocabulary on the training texts: features seen in at least
 * `minDocumentFrequency` texts, weighted by sublinear term frequency times
 * smoothed inverse document frequency. Rare features are dropped because a
 * feature seen once cannot generalise and only costs memory. Returns the
 * training texts' vectors too, made from the counts already taken.
 */
export function fitTfidf(texts: string[], options: { minDocumentFrequency?: number } = {}): { vectorizer: TfidfVectorizer; vectors: SparseVector[] } {
  const minDf = options.minDocumentFrequency ?? 2;
  const counted = texts.map(countFeatures);
  const documentFrequency = new Map<number, number>();
  for (const { ids } of counted) for (const id of ids) documentFrequency.set(id, (documentFrequency.get(id) ?? 0) + 1);

  // Indices in ascending feature-id order: a text's ascending ids then map to
  // ascending indices, so vectors need no second sort. Deterministic too.
  const kept = Uint32Array.from([...documentFrequency].filter(([, df]) => df >= minDf).map(([id]) => id)).sort();
  const indexOf = new Map<number, number>();
  const idf = new Float64Array(kept.length);
  kept.forEach((id, index) => {
    indexOf.set(id, index);
    idf[index] = Math.log((1 + texts.length) / (1 + (documentFrequency.get(id) ?? 0))) + 1;
  });

  const toVector = ({ ids, counts }: FeatureCounts): SparseVector => {
    const indices: number[] = [];
    const weights: number[] = [];
    let squares = 0;
    ids.forEach((id, position) => {
      const index = indexOf.get(id);
      if (index === undefined) return;
      const weight = (1 + Math.log(counts[position] ?? 1)) * (idf[index] ?? 0);
      indices.push(index);
      weights.push(weight);
      squares += weight * weight;
    });
    const norm = Math.sqrt(squares) || 1;
    return { indices: Int32Array.from(indices), values: Float64Array.from(weights, (weight) => weight / norm) };
  };

  const vectorizer: TfidfVectorizer = {
    size: kept.length,
    knowsWord: (word) => indexOf.has(wordFeature(word)),
    vectorize: (text) => toVector(countFeatures(text)),
  };
  return { vectorizer, vectors: counted.map(toVector) };
}

/** Cosine similarity of two L2-normalised sparse vectors (a merge over sorted indices). */
export function cosine(a: SparseVector, b: SparseVector): number {
  let sum = 0;
  let i = 0;
  let j = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const ai = a.indices[i] ?? 0;
    const bj = b.indices[j] ?? 0;
    if (ai === bj) {
      sum += (a.values[i] ?? 0) * (b.values[j] ?? 0);
      i += 1;
      j += 1;
    } else if (ai < bj) i += 1;
    else j += 1;
  }
  return sum;
}
