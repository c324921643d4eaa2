import MiniSearch from 'minisearch';
import type { FaqEntry } from './datasets.js';

/**
 * The baseline: plain BM25 (minisearch: lower-cased words, no
 * stemming, no synonyms, OR of the query words) over each FAQ entry's
 * question, answer and entity name. Common English function words and
 * spoken fillers are dropped, as any BM25 set-up does: without that, a whole
 * dialogue as the query matches every entry on "the" and "uh".
 */
const STOP_WORDS = new Set(
  `a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with
  i you we me my your our us he she him her them what which who whom when where why how do does did can could would should have has had
  am been being its im ive id dont yeah ok okay so just also like um umm uh hh oh well`.split(/\s+/),
);

const indexTerm = (term: string): string | null => {
  const lower = term.toLowerCase();
  return STOP_WORDS.has(lower) ? null : lower;
};
export interface Bm25Index {
  /** Dataset ids of the best entries, best first. */
  search(text: string, limit: number): string[];
}

interface FaqDocument {
  id: string;
  question: string;
  answer: string;
  entity: string;
}

export function buildBm25Index(entries: FaqEntry[]): Bm25Index {
  const index = new MiniSearch<FaqDocument>({ fields: ['question', 'answer', 'entity'], idField: 'id', processTerm: indexTerm });
  index.addAll(entries.map((entry) => ({ id: entry.id, question: entry.question, answer: entry.answer, entity: entry.entity_name ?? '' })));
  return {
    search(text, limit) {
      return index
        .search(text)
        .slice(0, limit)
        .map((result) => String(result.id));
    },
  };
}
