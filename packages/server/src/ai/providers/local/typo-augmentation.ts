import { seededRandom } from './softmax-classifier.js';

/**
 * Synthetic typos for training: customers type "cancle", "refnud", "acount".
 * Character n-grams already tolerate one slip; copies of the training
 * examples with a slip or two teach the model the rest. Deterministic: the
 * same text always gets the same typos.
 */

// Neighbours on a QWERTY keyboard, for the slips fingers actually make.
const NEIGHBOURS: Record<string, string> = {
  a: 'qwsz', b: 'vghn', c: 'xdfv', d: 'serfcx', e: 'wsdr', f: 'drtgvc', g: 'ftyhbv', h: 'gyujnb', i: 'ujko', j: 'huikmn', k: 'jiolm',
  l: 'kop', m: 'njk', n: 'bhjm', o: 'iklp', p: 'ol', q: 'wa', r: 'edft', s: 'awedxz', t: 'rfgy', u: 'yhji', v: 'cfgb', w: 'qase',
  x: 'zsdc', y: 'tghu', z: 'asx',
};

export function withTypos(text: string, seed: number): string {
  const random = seededRandom(seed);
  const words = text.split(' ');
  // At least one slip, in a word long enough to still be recognisable.
  const candidates = words.map((word, index) => ({ word, index })).filter(({ word }) => /^[a-z]{4,}$/i.test(word));
  if (candidates.length === 0) return text;
  const chosen = new Set<number>();
  chosen.add(candidates[Math.floor(random() * candidates.length)]?.index ?? 0);
  for (const { index } of candidates) if (random() < 0.15) chosen.add(index);
  return words.map((word, index) => (chosen.has(index) ? slip(word, random) : word)).join(' ');
}

function slip(word: string, random: () => number): string {
  // Never the first letter: people rarely get that wrong, and it anchors the word.
  const at = 1 + Math.floor(random() * (word.length - 1));
  const letter = word[at] ?? '';
  switch (Math.floor(random() * 4)) {
    case 0: // swapped with the next letter ("cancle")
      return at + 1 < word.length ? word.slice(0, at) + (word[at + 1] ?? '') + letter + word.slice(at + 2) : word.slice(0, at - 1) + letter + (word[at - 1] ?? '');
    case 1: // left out ("acount")
      return word.slice(0, at) + word.slice(at + 1);
    case 2: // doubled ("refundd")
      return word.slice(0, at) + letter + word.slice(at);
    default: {
      // a neighbouring key ("refind")
      const options = NEIGHBOURS[letter.toLowerCase()] ?? letter;
      return word.slice(0, at) + (options[Math.floor(random() * options.length)] ?? letter) + word.slice(at + 1);
    }
  }
}
