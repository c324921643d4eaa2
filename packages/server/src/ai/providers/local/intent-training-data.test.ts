import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INTENT_NAMES } from './intent-taxonomy.js';
import { INTENT_DATA_DIR, loadIntentTrainingData, parseIntentExamples } from './intent-training-data.js';

describe('intent training data', () => {
  const examples = loadIntentTrainingData();

  it('has examples for every intent', () => {
    const covered = new Set(examples.map((example) => example.intent));
    expect(INTENT_NAMES.filter((intent) => !covered.has(intent))).toEqual([]);
  });

  it('keeps the dataset row id of copied rows, so the harness can leave them out', () => {
    expect(examples.filter((example) => example.id?.startsWith('bitext-')).length).toBeGreaterThan(1000);
    expect(new Set(examples.flatMap((example) => (example.id ? [example.id] : []))).size).toBe(examples.filter((example) => example.id).length);
  });

  it('ships the Bitext licence and the notice of modification next to the data', () => {
    expect(readFileSync(`${INTENT_DATA_DIR}/LICENSE-CDLA-Sharing-1.0.txt`, 'utf8')).toContain('Community Data License Agreement');
    const readme = readFileSync(`${INTENT_DATA_DIR}/README.md`, 'utf8');
    expect(readme).toMatch(/Notice of modification/);
    expect(existsSync(`${INTENT_DATA_DIR}/bitext.jsonl`)).toBe(true);
  });

  it('rejects an unknown intent with the file and line', () => {
    expect(() => parseIntentExamples('{"text":"hi","intent":"greeting"}\n{"text":"x","intent":"teleport"}', 'mine.jsonl')).toThrow(/^mine\.jsonl:2: .*intent/s);
  });

  it('leaves out the id of written examples', () => {
    expect(parseIntentExamples('{"text":"hi","intent":"greeting"}', 'mine.jsonl')).toEqual([{ text: 'hi', intent: 'greeting' }]);
  });
});
