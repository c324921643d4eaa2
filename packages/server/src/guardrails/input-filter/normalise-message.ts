/**
 * The form the input filter's patterns read: lower case, accents and
 * compatibility forms folded ("Ｉｇｎｏｒｅ", "él" → "ignore", "el"), invisible
 * characters dropped, look-alike digits and symbols read as the letters they
 * stand for inside words ("ign0re", "1nstructions", "$uicide", "f*ck"), and
 * letters written one by one put back together ("i g n o r e").
 */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;
// Cyrillic and Greek letters that look like Latin ones ("ignоre" with a Cyrillic "о"): read as the Latin letter.
const CONFUSABLES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ӏ: 'l',
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
};
const CONFUSABLE = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'g');
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'i' };

export function normaliseMessage(text: string): string {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(INVISIBLE, '')
    .toLowerCase()
    .replace(CONFUSABLE, (char) => CONFUSABLES[char] ?? char)
    .replace(/ß/g, 'ss')
    .replace(/[’‘`´]/g, "'");
  return joinSpelledOut(folded.replace(/\S+/g, readLeet)).replace(/\s+/g, ' ').trim();
}

/** A word mixing letters with look-alike digits or symbols is read as letters; a plain number or "12a" is not a word. */
function readLeet(word: string): string {
  const letters = (word.match(/\p{L}/gu) ?? []).length;
  const lookAlikes = (word.match(/[013457@$!|]/g) ?? []).length;
  if (letters < 2 || lookAlikes === 0) return word;
  // Trailing "!" is punctuation, not an "i".
  const body = word.replace(/[!.?,;:]+$/, '');
  return body.replace(/[013457@$!|]/g, (char) => LEET[char] ?? char) + word.slice(body.length);
}

/** "i g n o r e  a l l" → "ignore all": four or more single letters in a row, one space apart. */
function joinSpelledOut(text: string): string {
  return text.replace(/(?:^|(?<=\s))(?:\p{L}[ .]){2,}\p{L}(?=\s|$)/gu, (run) => run.replace(/[ .]/g, ''));
}
