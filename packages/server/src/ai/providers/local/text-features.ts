/**
 * What the intent classifier sees of a message: a normalised text, its words
 * and word pairs, and the character n-grams inside each word. Word features
 * carry meaning ("talk to a human"); character n-grams survive typos and
 * inflection ("cacount", "refunded"), which customers type all the time.
 *
 * Features are 30-bit hashes, not strings: training featurises thousands of
 * texts at every start, and hashing n-grams in place avoids allocating a
 * string for each. Two features sharing a hash is rare and only blurs them.
 */

/** Character n-gram lengths taken inside each word (padded with spaces). */
const CHAR_NGRAM_MIN = 3;
const CHAR_NGRAM_MAX = 5;

/**
 * Lower case, accents and apostrophes gone, every number one "0" (an order
 * number or an amount says nothing about the intent, only that there is one),
 * punctuation as spaces.
 */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`']/g, '')
    .replace(/\S+@\S+\.\S+/g, ' email ')
    .replace(/https?:\/\/\S+/g, ' link ')
    .replace(/\d+(?:[.,]\d+)*/g, '0')
    .replace(/[^a-z0-9\u0080-\uffff]+/g, ' ')
    .trim();
}

/** Hesitations of spoken or dictated messages ("uh", "umm", "hmm"): noise for every intent. */
const DISFLUENCY = /^(?:u+h+|u+m+|h+m+|hh+|e+r+m*|a+h+|m+h*m+)$/;

export function wordsOf(text: string): string[] {
  const normalised = normaliseText(text);
  return normalised === '' ? [] : normalised.split(' ').filter((word) => !DISFLUENCY.test(word));
}

// FNV-1a, 32 bits. Each kind of feature starts from its own basis, so that
// the word "ref" and the character trigram "ref" are different features.
const FNV_PRIME = 0x01000193;
const WORD_BASIS = 0x811c9dc5;
const PAIR_BASIS = 0x050c5d1f;
const CHAR_BASIS = 0x2b7e1516;

function hashString(basis: number, text: string, start = 0, end = text.length): number {
  let hash = basis;
  for (let index = start; index < end; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), FNV_PRIME);
  return hash;
}

// 30 bits: V8 keeps such numbers as small integers, which Maps hash far faster than heap numbers.
const toId = (hash: number) => hash & 0x3fffffff;

/** The feature id of a whole word (for vocabulary look-ups). */
export function wordFeature(word: string): number {
  return toId(hashString(WORD_BASIS, word));
}

/** Feature ids, one per occurrence: words, adjacent word pairs, and character n-grams of each word. */
export function featureIds(text: string): number[] {
  const ids: number[] = [];
  const words = wordsOf(text);
  words.forEach((word, index) => {
    ids.push(wordFeature(word));
    const next = words[index + 1];
    if (next !== undefined) ids.push(toId(hashString(PAIR_BASIS, `${word} ${next}`)));
    // FNV-1a reads left to right, so the 4- and 5-gram at a position extend the 3-gram's hash.
    const padded = ` ${word} `;
    for (let start = 0; start + CHAR_NGRAM_MIN <= padded.length; start += 1) {
      let hash = hashString(CHAR_BASIS, padded, start, start + CHAR_NGRAM_MIN - 1);
      for (let end = start + CHAR_NGRAM_MIN; end <= Math.min(start + CHAR_NGRAM_MAX, padded.length); end += 1) {
        hash = Math.imul(hash ^ padded.charCodeAt(end - 1), FNV_PRIME);
        ids.push(toId(hash));
      }
    }
  });
  return ids;
}
