import { isFillerWord, synonymGroupOf } from '../query-terms.js';
import { charNgrams, lightStem, normaliseWords } from '../text-features.js';
import type { Embedder } from './embedder.js';
import { l2Normalise } from './vector-codec.js';

/** Bump when features or weights change: stored vectors of the old version are then re-embedded. */
const FEATURES_VERSION = 'v1';
const DEFAULT_EMBEDDING_DIMENSIONS = 384;

// Relative weights of the feature families. A word counts once as itself and
// more through its character n-grams and consonant skeleton (so "cancelation"
// still meets "cancellation", "sutcase" meets "suitcase"), and a little
// through its neighbours and its synonyms.
const WORD_WEIGHT = 1;
const CHAR_WEIGHT = 1.5;
const SKELETON_WEIGHT = 0.7;
const SYNONYM_WEIGHT = 0.7;
const BIGRAM_WEIGHT = 0.6;
const COMPOUND_WEIGHT = 0.5;
/** Weights of 3-, 4- and 5-grams: short n-grams survive a typo more often than long ones. */
const GRAM_WEIGHTS = [1, 0.7, 0.5];

/**
 * The offline default embedder: signed feature hashing of word, word-pair and
 * character n-gram features. No model and no download; the same text gives
 * the same vector on every machine. It captures spelling variants, typos,
 * word forms and the support synonyms of query-terms.ts, not meaning at
 * large — paraphrases with no shared words are the hosted embedders' job.
 */
export function createHashedFeaturesEmbedder(options: { dimensions?: number } = {}): Embedder {
  const dimensions = options.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  if (!Number.isInteger(dimensions) || dimensions < 8) throw new RangeError(`dimensions must be an integer >= 8, got ${dimensions}`);
  return {
    // The dimension count is part of the model: a vector of another size is another model's.
    model: `hashed-features-${FEATURES_VERSION}-${dimensions}`,
    dimensions,
    async embed(texts) {
      return texts.map((text) => hashedFeatureVector(text, dimensions));
    },
  };
}

export function hashedFeatureVector(text: string, dimensions: number): number[] {
  const features = new FeatureBag();
  const words = normaliseWords(text);
  const isContent = (word: string) => word.length >= 2 && !isFillerWord(word);

  for (const [index, word] of words.entries()) {
    const next = words[index + 1];
    if (next !== undefined && (isContent(word) || isContent(next))) {
      features.add(`b:${lightStem(word)}_${lightStem(next)}`, BIGRAM_WEIGHT);
      // "check in", "check-in" and "checkin" are one thing to a customer.
      if (/^[a-z]+$/.test(word) && /^[a-z]+$/.test(next)) features.add(`w:${lightStem(word + next)}`, COMPOUND_WEIGHT);
    }
    if (!isContent(word)) continue;
    features.add(`w:${lightStem(word)}`, WORD_WEIGHT);
    const group = synonymGroupOf(word);
    if (group?.[0] !== undefined) features.add(`s:${group[0]}`, SYNONYM_WEIGHT);
    // Without vowels and doubled letters a word's stem survives most misspellings and mishearings ("sutcase", "arived").
    const skeleton = consonantSkeleton(lightStem(word));
    if (skeleton.length >= 2) features.add(`k:${skeleton}`, SKELETON_WEIGHT);
    // Spread so that a long word's many n-grams weigh as much as a short word's few.
    const grams = [3, 4, 5].flatMap((size, index) => charNgrams(word, size, size).map((gram) => ({ gram, weight: GRAM_WEIGHTS[index] ?? 0 })));
    const norm = Math.sqrt(grams.reduce((sum, { weight }) => sum + weight * weight, 0)) || 1;
    for (const { gram, weight } of grams) features.add(`c:${gram}`, (CHAR_WEIGHT * weight) / norm);
  }
  return features.toVector(dimensions);
}

/** The first letter and the consonants after it, repeats collapsed: "suitcase" and "sutcase" both give "stcs". */
function consonantSkeleton(word: string): string {
  if (/\d/.test(word)) return '';
  return word.replace(/(.)\1+/g, '$1').replace(/(?!^)[aeiouy]/g, '');
}

/** Features with their weight and count; sublinear in the count, so a repeated word does not drown the rest. */
class FeatureBag {
  private readonly entries = new Map<string, { weight: number; count: number }>();

  add(feature: string, weight: number): void {
    const entry = this.entries.get(feature);
    if (entry) {
      entry.weight += weight;
      entry.count += 1;
    } else {
      this.entries.set(feature, { weight, count: 1 });
    }
  }

  toVector(dimensions: number): number[] {
    const vector = new Float64Array(dimensions);
    for (const [feature, { weight, count }] of this.entries) {
      const hash = fnv1a(feature);
      const value = (weight / count) * (1 + Math.log(count));
      // The sign comes from other bits than the slot, so colliding features cancel out on average instead of adding up.
      const slot = hash % dimensions;
      vector[slot] = (vector[slot] ?? 0) + ((mix(hash) & 1) === 0 ? value : -value);
    }
    return l2Normalise(Array.from(vector));
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's finaliser: every input bit affects every output bit. */
function mix(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
