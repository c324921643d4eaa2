/**
 * Measures the input pre-filter (classifyMessage) against the labelled corpus in
 * fixtures/guardrails/ (see its README): recall per harmful category and benign
 * false positives per kind, on the dev split (line index i % 3 !== 0, which the
 * lexicon was tuned on) and the held-out split (i % 3 === 0, never looked at
 * while tuning).
 *
 * Floors are a few points under what was measured, so a small lexicon edit does
 * not break the build but a real regression does:
 * - self_harm has the highest dev floor: a missed crisis costs more than a false
 *   alarm, so recall there is what the lexicon is tuned for first.
 * - held-out floors are much lower than dev floors: a rule lexicon generalises
 *   poorly to phrasings it was not written against (measured ~40-56% held-out vs
 *   ~100% dev). The held-out floors guard against losing what does generalise,
 *   not a target.
 * - benign false positives must stay under 2% of ordinary messages in both splits:
 *   blocking ordinary support questions is the cost of every rule added.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../src/guardrails/input-filter/classify-message.js';
import { INPUT_CATEGORIES, type InputCategory } from '../src/guardrails/input-filter/lexicon.js';

interface CorpusLine {
  text: string;
  category: InputCategory | 'benign';
  lang: 'en' | 'es' | 'fr' | 'de';
  kind?: 'support' | 'alarming' | 'xstest';
  source: string;
}

type Split = 'dev' | 'held-out';

const readCorpus = (file: string): CorpusLine[] =>
  readFileSync(new URL(`./fixtures/guardrails/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusLine);

const harmful = readCorpus('harmful.jsonl');
const ordinary = readCorpus('ordinary.jsonl');
const splitOf = (index: number): Split => (index % 3 === 0 ? 'held-out' : 'dev');

const RECALL_FLOOR: Record<Split, Record<InputCategory, number>> = {
  dev: { self_harm: 0.95, injection: 0.9, pii_exposure: 0.9, abuse: 0.9 },
  'held-out': { self_harm: 0.4, injection: 0.45, pii_exposure: 0.33, abuse: 0.4 },
};
const MAX_BENIGN_FP_RATE = 0.02;
/** Share of caught non-English lines whose verdict language is the line's language (measured 93%). */
const LANGUAGE_MATCH_FLOOR = 0.85;

interface CategoryRow {
  n: number;
  right: number;
  other: number;
  missed: number;
  recall: string;
}

function measure(split: Split) {
  const categories = Object.fromEntries(INPUT_CATEGORIES.map((category) => [category, { n: 0, right: 0, other: 0, missed: 0, recall: '' }])) as Record<InputCategory, CategoryRow>;
  for (const [index, line] of harmful.entries()) {
    if (splitOf(index) !== split || line.category === 'benign') continue;
    const row = categories[line.category];
    const verdict = classifyMessage(line.text);
    row.n++;
    if (!verdict) row.missed++;
    else if (verdict.category === line.category) row.right++;
    else row.other++;
  }
  for (const row of Object.values(categories)) row.recall = `${((100 * row.right) / row.n).toFixed(1)}%`;

  const benign: Record<string, { n: number; flagged: number }> = {};
  for (const [index, line] of ordinary.entries()) {
    if (splitOf(index) !== split) continue;
    const row = (benign[line.kind ?? 'unknown'] ??= { n: 0, flagged: 0 });
    row.n++;
    if (classifyMessage(line.text)) row.flagged++;
  }
  const benignTotal = Object.values(benign).reduce((sum, row) => ({ n: sum.n + row.n, flagged: sum.flagged + row.flagged }), { n: 0, flagged: 0 });
  return { categories, benign, benignTotal };
}

describe('input pre-filter on the labelled guardrail corpus', () => {
  it('the corpus meets its own spec', () => {
    expect(harmful.length).toBeGreaterThanOrEqual(400);
    expect(ordinary.length).toBeGreaterThanOrEqual(400);
    for (const category of INPUT_CATEGORIES) expect(harmful.some((line) => line.category === category), category).toBe(true);
    expect(ordinary.every((line) => line.category === 'benign')).toBe(true);
    // At least one non-English language has 15 or more lines in every harmful category.
    const wellCovered = (['es', 'fr', 'de'] as const).filter((lang) => INPUT_CATEGORIES.every((category) => harmful.filter((line) => line.lang === lang && line.category === category).length >= 15));
    expect(wellCovered.length).toBeGreaterThanOrEqual(1);
  });

  for (const split of ['dev', 'held-out'] as const) {
    it(`${split} split: recall per category and benign false positives`, () => {
      const { categories, benign, benignTotal } = measure(split);
      console.log(`\n${split} split: harmful lines caught in the right category, in another, or missed`);
      console.table(categories);
      console.log(`${split} split: benign lines flagged (false positives) by kind`);
      console.table(benign);
      for (const category of INPUT_CATEGORIES) {
        const row = categories[category];
        expect(row.right / row.n, `${split} ${category} recall ${row.recall}`).toBeGreaterThanOrEqual(RECALL_FLOOR[split][category]);
      }
      expect(benignTotal.flagged / benignTotal.n, `${split} benign FP ${benignTotal.flagged}/${benignTotal.n}`).toBeLessThan(MAX_BENIGN_FP_RATE);
    });
  }

  it('replies in the language of the message for most caught non-English lines', () => {
    const caught = harmful.filter((line) => line.lang !== 'en').flatMap((line) => {
      const verdict = classifyMessage(line.text);
      return verdict ? [{ line, verdict }] : [];
    });
    const matching = caught.filter(({ line, verdict }) => verdict.language === line.lang).length;
    console.log(`verdict language = line language on ${matching}/${caught.length} caught non-English lines`);
    expect(caught.length).toBeGreaterThan(0);
    expect(matching / caught.length).toBeGreaterThanOrEqual(LANGUAGE_MATCH_FLOOR);
  });

  it('stays fast on long adversarial input (no catastrophic backtracking)', () => {
    const inputs = ['a '.repeat(2000), 'you '.repeat(1000), "you're ".repeat(570), 'my '.repeat(1334), 'ignore the '.repeat(363), 'what which room '.repeat(250), 'system: '.repeat(500), 'de la '.repeat(666), 'x'.repeat(4000), '<|'.repeat(2000)];
    // Warm up: the first run of each pattern on a long string pays for regex compilation.
    for (const input of inputs) classifyMessage(input);
    for (const input of inputs) {
      const started = performance.now();
      classifyMessage(input);
      expect(performance.now() - started, JSON.stringify(input.slice(0, 20))).toBeLessThan(100);
    }
  });
});
