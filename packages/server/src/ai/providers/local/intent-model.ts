import { trainIntentClassifier, type IntentClassifier } from './intent-classifier.js';
import { loadIntentTrainingData } from './intent-training-data.js';

let shared: IntentClassifier | undefined;

/**
 * The classifier trained on the shipped intent data, once per process: the
 * training is deterministic and takes well under a second, so there is no
 * model file to keep in sync with the data.
 */
export function sharedIntentClassifier(): IntentClassifier {
  shared ??= trainIntentClassifier(loadIntentTrainingData());
  return shared;
}
