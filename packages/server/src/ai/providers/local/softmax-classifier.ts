import type { SparseVector } from './tfidf-vectorizer.js';

export interface TrainingExample {
  x: SparseVector;
  /** Class index. */
  y: number;
}

export interface SoftmaxTrainingOptions {
  epochs: number;
  learningRate: number;
  /** L2 penalty per example and step; keeps weights of rare features small. */
  l2: number;
  /** Fixes the example order, so the same data always gives the same model. */
  seed: number;
}

/** Below this a class's gradient is not applied (see the training loop). */
const NEGLIGIBLE_GRADIENT = 1e-4;

export interface SoftmaxClassifier {
  readonly classCount: number;
  /** Class probabilities, summing to 1. */
  probabilities(x: SparseVector): Float64Array;
}

/**
 * Multinomial logistic regression over sparse features, trained by plain
 * stochastic gradient descent with L2 weight decay. Small and deterministic:
 * a fixed seed gives the same example order, hence the same weights.
 */
export function trainSoftmax(examples: TrainingExample[], featureCount: number, classCount: number, options: SoftmaxTrainingOptions): SoftmaxClassifier {
  // Weights are stored as scale * raw so that weight decay is O(1) per step
  // instead of a pass over every weight.
  const raw = new Float64Array(featureCount * classCount);
  const bias = new Float64Array(classCount);
  let scale = 1;
  const random = seededRandom(options.seed);
  const order = examples.map((_, index) => index);
  const scores = new Float64Array(classCount);
  const activeClasses = new Int32Array(classCount);
  const activeSteps = new Float64Array(classCount);
  let step = 0;
  const totalSteps = Math.max(1, options.epochs * examples.length);

  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    shuffle(order, random);
    for (const exampleIndex of order) {
      const example = examples[exampleIndex];
      if (!example) continue;
      // Linear decay to zero: large steps first, then ever smaller ones that settle the weights (a cheap stand-in for averaging).
      const rate = options.learningRate * (1 - step / totalSteps);
      step += 1;
      computeScores(example.x, raw, bias, scale, classCount, scores);
      softmaxInPlace(scores);
      scale *= 1 - rate * options.l2;
      // Re-base before the scale underflows: fold it into the weights.
      if (scale < 1e-9) {
        for (let index = 0; index < raw.length; index += 1) raw[index] = (raw[index] ?? 0) * scale;
        scale = 1;
      }
      // Gradient of the log loss per class. Classes the model already rules out
      // (gradient ~0) are skipped: after the first epoch that is most of them,
      // and updating them would change nothing measurable.
      let active = 0;
      for (let c = 0; c < classCount; c += 1) {
        const gradient = (scores[c] ?? 0) - (c === example.y ? 1 : 0);
        if (Math.abs(gradient) < NEGLIGIBLE_GRADIENT) continue;
        activeClasses[active] = c;
        activeSteps[active] = (rate * gradient) / scale;
        active += 1;
        bias[c] = (bias[c] ?? 0) - rate * gradient;
      }
      for (let k = 0; k < example.x.indices.length; k += 1) {
        const base = (example.x.indices[k] ?? 0) * classCount;
        const value = example.x.values[k] ?? 0;
        for (let a = 0; a < active; a += 1) {
          const offset = base + (activeClasses[a] ?? 0);
          raw[offset] = (raw[offset] ?? 0) - (activeSteps[a] ?? 0) * value;
        }
      }
    }
  }
  for (let index = 0; index < raw.length; index += 1) raw[index] = (raw[index] ?? 0) * scale;

  return {
    classCount,
    probabilities(x) {
      const out = new Float64Array(classCount);
      computeScores(x, raw, bias, 1, classCount, out);
      softmaxInPlace(out);
      return out;
    },
  };
}

function computeScores(x: SparseVector, raw: Float64Array, bias: Float64Array, scale: number, classCount: number, out: Float64Array): void {
  out.set(bias);
  for (let k = 0; k < x.indices.length; k += 1) {
    const base = (x.indices[k] ?? 0) * classCount;
    const value = (x.values[k] ?? 0) * scale;
    for (let c = 0; c < classCount; c += 1) out[c] = (out[c] ?? 0) + value * (raw[base + c] ?? 0);
  }
}

function softmaxInPlace(scores: Float64Array): void {
  let max = -Infinity;
  for (const score of scores) max = Math.max(max, score);
  let sum = 0;
  for (let c = 0; c < scores.length; c += 1) {
    const value = Math.exp((scores[c] ?? 0) - max);
    scores[c] = value;
    sum += value;
  }
  for (let c = 0; c < scores.length; c += 1) scores[c] = (scores[c] ?? 0) / sum;
}

/** mulberry32: a tiny seeded generator; Math.random would make training irreproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(items: number[], random: () => number): void {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    const a = items[index] ?? 0;
    items[index] = items[other] ?? 0;
    items[other] = a;
  }
}
