/**
 * Word-level text normalisation shared by the offline embedder and the
 * entity matcher: the same words must come out of a help-centre article and
 * of a noisy, transcribed customer turn for either to work.
 */

/** Lower-cased words without accents or apostrophes ("Hotel's" → "hotels", "café" → "cafe"). */
export function normaliseWords(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      // "don't" and "hotel's" stay one word, as customers type them with or without the apostrophe.
      .replace(/['’]/g, '')
      .replace(/&/g, ' and ')
      .match(/[a-z0-9]+/g) ?? []
  );
}

const VOWELS = /[aeiouy]/;

// Longest first: "ations" must not stop at "s". Each suffix keeps at least three letters of stem.
const SUFFIXES = ['ational', 'ations', 'ation', 'ements', 'ement', 'ments', 'ment', 'ingly', 'ings', 'ing', 'ibly', 'ably', 'ible', 'able', 'edly', 'ed', 'ly'];

/**
 * A light English stemmer: enough to put "cancelled", "cancellation",
 * "cancelation" and "cancel" on one stem, without Porter's aggressive
 * rewrites that merge unrelated words. Stems are features, not words, so they
 * need not be readable.
 */
export function lightStem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let stem = word;
  if (stem.endsWith('ies') && stem.length > 4) stem = `${stem.slice(0, -3)}y`;
  else if (stem.endsWith('sses')) stem = stem.slice(0, -2);
  else if (stem.endsWith('s') && !/(ss|us|is)$/.test(stem)) stem = stem.slice(0, -1);

  let stripped = false;
  for (const suffix of SUFFIXES) {
    const rest = stem.slice(0, -suffix.length);
    if (stem.endsWith(suffix) && rest.length >= 3 && VOWELS.test(rest)) {
      stem = rest;
      stripped = true;
      break;
    }
  }
  // "cancell(ed)", "stopp(ing)": the doubled consonant is spelling, not meaning.
  if (stripped && /([b-df-hj-np-tv-z])\1$/.test(stem)) stem = stem.slice(0, -1);
  // "reserve"/"reserv(ation)", "smoke"/"smok(ing)".
  if (stem.length > 4 && stem.endsWith('e')) stem = stem.slice(0, -1);
  return stem;
}

/** Character n-grams of a word padded with boundary marks, so prefixes and suffixes count as such. */
export function charNgrams(word: string, min: number, max: number): string[] {
  const padded = `<${word}>`;
  const grams: string[] = [];
  for (let size = min; size <= max; size += 1) {
    for (let start = 0; start + size <= padded.length; start += 1) grams.push(padded.slice(start, start + size));
  }
  return grams;
}
