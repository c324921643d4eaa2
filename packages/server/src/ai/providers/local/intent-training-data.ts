import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { INTENT_NAMES, type IntentName } from './intent-taxonomy.js';
import { parseJsonLines } from './json-lines.js';

/**
 * The intent model's training examples, shipped with the server in
 * packages/server/intent-data/ (see its README for sources and licences).
 */

export interface IntentExample {
  /** The source dataset's row id for copied rows; absent for examples written here. */
  id?: string;
  text: string;
  intent: IntentName;
}

const exampleSchema = z.object({
  id: z.string().min(1).optional(),
  text: z.string().trim().min(1),
  intent: z.enum(INTENT_NAMES),
});

export const INTENT_DATA_DIR = fileURLToPath(new URL('../../../../intent-data/', import.meta.url));

/** Our own travel phrasing first, then the rows copied from public datasets. */
export const INTENT_DATA_FILES = ['travel-examples.jsonl', 'bitext.jsonl', 'clinc150.jsonl', 'hint3.jsonl'] as const;

/** Every example of every file, in file order (training is order-sensitive only through its seed). */
export function loadIntentTrainingData(dir: string = INTENT_DATA_DIR): IntentExample[] {
  return INTENT_DATA_FILES.flatMap((file) => parseIntentExamples(readFileSync(`${dir}/${file}`, 'utf8'), file));
}

/** One JSON object a line; a bad line fails loudly with its file and line number. */
export function parseIntentExamples(content: string, fileName: string): IntentExample[] {
  // Rebuilt without `id: undefined`, so examples compare equal to literals in tests.
  return parseJsonLines(content, fileName, exampleSchema).map(({ id, text, intent }) => (id === undefined ? { text, intent } : { id, text, intent }));
}
