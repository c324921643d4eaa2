import type { IntentExample } from './intent-training-data.js';
import { INTENT_NAMES, type IntentName } from './intent-taxonomy.js';
import { trainSoftmax, type SoftmaxTrainingOptions } from './softmax-classifier.js';
import { fitTfidf } from './tfidf-vectorizer.js';
import { withTypos } from './typo-augmentation.js';

export interface IntentPrediction {
  /** The most likely intent, out_of_scope included. */
  intent: IntentName;
  probability: number;
  /** The most likely intent other than out_of_scope: what a clarifying question would ask about. */
  bestInScope: { intent: IntentName; probability: number };
  outOfScopeProbability: number;
}

export interface IntentClassifier {
  classify(text: string): IntentPrediction;
  /** Is this (normalised) word in the training vocabulary? */
  knowsWord(word: string): boolean;
}

export interface IntentTrainingOptions extends SoftmaxTrainingOptions {
  minDocumentFrequency: number;
  /** Copies with synthetic typos added per in-scope example (typo-augmentation.ts). */
  typoCopies: number;
}

/** Chosen on dev rows the model was not trained on (eval/README.md); a few epochs suffice on normalised TF-IDF. */
export const DEFAULT_INTENT_TRAINING: IntentTrainingOptions = { epochs: 4, learningRate: 2, l2: 1e-5, seed: 1, minDocumentFrequency: 2, typoCopies: 1 };

/**
 * TF-IDF over words, word pairs and character n-grams, then multinomial
 * logistic regression. Out of scope is a class of its own, learnt from
 * examples of what a travel-support bot is not for, so its probability is a
 * direct "this is not for me" signal rather than a guess from low scores.
 */
export function trainIntentClassifier(given: IntentExample[], options: IntentTrainingOptions = DEFAULT_INTENT_TRAINING): IntentClassifier {
  // Out-of-scope examples get no typo copies: misspelt nonsense is still nonsense, and that class is the largest already.
  const examples = [
    ...given,
    ...given.flatMap((example, index) =>
      example.intent === 'out_of_scope'
        ? []
        : Array.from({ length: options.typoCopies }, (_, copy) => ({ text: withTypos(example.text, options.seed * 1_000_003 + index * 31 + copy), intent: example.intent })),
    ),
  ];
  const { vectorizer, vectors } = fitTfidf(
    examples.map((example) => example.text),
    { minDocumentFrequency: options.minDocumentFrequency },
  );
  const classOf = new Map(INTENT_NAMES.map((name, index) => [name, index]));
  const outOfScope = classOf.get('out_of_scope') ?? -1;
  const model = trainSoftmax(
    vectors.map((x, index) => ({ x, y: classOf.get(examples[index]?.intent ?? 'out_of_scope') ?? outOfScope })),
    vectorizer.size,
    INTENT_NAMES.length,
    options,
  );

  return {
    knowsWord: (word) => vectorizer.knowsWord(word),
    classify(text) {
      const probabilities = model.probabilities(vectorizer.vectorize(text));
      let best = 0;
      let bestInScope = outOfScope === 0 ? 1 : 0;
      probabilities.forEach((probability, index) => {
        if (probability > (probabilities[best] ?? 0)) best = index;
        if (index !== outOfScope && probability > (probabilities[bestInScope] ?? 0)) bestInScope = index;
      });
      const nameOf = (index: number): IntentName => INTENT_NAMES[index] ?? 'out_of_scope';
      return {
        intent: nameOf(best),
        probability: probabilities[best] ?? 0,
        bestInScope: { intent: nameOf(bestInScope), probability: probabilities[bestInScope] ?? 0 },
        outOfScopeProbability: probabilities[outOfScope] ?? 0,
      };
    },
  };
}
