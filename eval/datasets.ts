import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { parseJsonLines } from '../packages/server/src/ai/providers/local/json-lines.js';

/**
 * The evaluation datasets as ../shared/data lays them out (one folder each,
 * JSON Lines, described in each folder's README). A held-out copy has the
 * same layout, so every loader takes the folder holding the dataset folders.
 */

/** What the three utterance datasets share: a row id, the customer's text and its intent label. */
const utteranceSchema = z.object({ id: z.string(), text: z.string(), label: z.string() });

export const bitextRowSchema = utteranceSchema.extend({ tags: z.string().optional() });
export type BitextRow = z.output<typeof bitextRowSchema>;

/** `domain` is null for `oos`. */
export const clincRowSchema = utteranceSchema.extend({ domain: z.string().nullable() });
export type ClincRow = z.output<typeof clincRowSchema>;

/** Label sets differ per bot; `NO_NODES_DETECTED` is out of scope for all. */
export const hint3RowSchema = utteranceSchema.extend({ bot: z.string() });
export type Hint3Row = z.output<typeof hint3RowSchema>;

export const faqEntrySchema = z.object({
  id: z.string(),
  domain: z.string(),
  entity_id: z.string(),
  entity_name: z.string().nullable(),
  question: z.string(),
  answer: z.string(),
});
export type FaqEntry = z.output<typeof faqEntrySchema>;

export const faqQuerySchema = z
  .object({
    id: z.string(),
    text: z.string(),
    context: z.array(z.object({ speaker: z.enum(['U', 'S']), text: z.string() })),
    knowledge_seeking: z.boolean(),
    kb_ids: z.array(z.string()).optional(),
  })
  // A knowledge-seeking turn without gold entries could not be scored.
  .refine((query) => !query.knowledge_seeking || (query.kb_ids?.length ?? 0) > 0, 'knowledge_seeking turns need kb_ids');
export type FaqQuery = z.output<typeof faqQuerySchema>;

async function loadJsonLines<T extends z.ZodType>(dataDir: string, relativePath: string, schema: T): Promise<Array<z.output<T>>> {
  const path = join(dataDir, relativePath);
  return parseJsonLines(await readFile(path, 'utf8'), path, schema);
}

export const loadBitext = (dataDir: string) => loadJsonLines(dataDir, 'bitext-customer-support/utterances.jsonl', bitextRowSchema);
export const loadClinc = (dataDir: string) => loadJsonLines(dataDir, 'clinc150-oos/utterances.jsonl', clincRowSchema);
export const loadHint3 = (dataDir: string) => loadJsonLines(dataDir, 'hint3/utterances.jsonl', hint3RowSchema);
export const loadFaqKb = (dataDir: string) => loadJsonLines(dataDir, 'dstc-sf-travel-faq/kb.jsonl', faqEntrySchema);
export const loadFaqQueries = (dataDir: string) => loadJsonLines(dataDir, 'dstc-sf-travel-faq/queries.jsonl', faqQuerySchema);
