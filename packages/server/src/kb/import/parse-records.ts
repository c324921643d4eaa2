import { buildArticle, recordFallbackId, type LocatedArticle } from './located-article.js';
import { KbImportError } from './kb-import-error.js';

/**
 * Records (JSON, JSONL, CSV rows) → articles. A record is an article
 * (`title`, `body`) or a question/answer pair (`question`, `answer`), with
 * optional `id`, `category`, `url`, `locale`, `entity`, `metadata`. The DSTC
 * FAQ shape maps onto it: `domain` is the category, `entity_name` the entity;
 * any other field (`entity_id`) is kept in the metadata.
 */

const aliases = {
  title: ['title', 'question'],
  body: ['body', 'answer'],
  category: ['category', 'domain'],
  entity: ['entity', 'entity_name'],
  url: ['url'],
  locale: ['locale'],
} as const;
const consumed = new Set<string>(['id', 'metadata', ...Object.values(aliases).flat()]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Empty cells and blank strings mean "not given", as in a CSV with an optional column left empty. */
const given = (value: unknown) => value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');

export function recordToArticle(record: unknown, at: { file: string; line: number; fallbackId: string }): LocatedArticle {
  const fail = (problem: string): never => {
    throw new KbImportError(at.file, at.line, problem);
  };
  if (!isObject(record)) return fail('expected an object (an article or a question/answer pair)');
  const pick = (names: readonly string[]) => names.map((name) => record[name]).find(given);
  const fields: Record<string, unknown> = Object.fromEntries(Object.entries(aliases).map(([field, names]) => [field, pick(names)]));
  const isPair = 'question' in record || 'answer' in record;
  if (!given(fields.title) && !given(fields.body)) fail('expected an article (title, body) or a question/answer pair');
  if (!given(fields.body)) fail(isPair ? 'missing answer' : 'missing body');
  if (!given(fields.title)) fail(isPair ? 'missing question' : 'missing title');
  const extra = Object.fromEntries(Object.entries(record).filter(([key, value]) => !consumed.has(key) && given(value)));
  fields.metadata = record.metadata === undefined ? extra : isObject(record.metadata) ? { ...extra, ...record.metadata } : record.metadata;
  return buildArticle({ file: at.file, line: at.line, explicitId: record.id, fallbackId: at.fallbackId, fields });
}

/** JSON Lines: one object per line; blank lines are skipped. Ids fall back to the line number. */
export function parseJsonLines(text: string, file: string): LocatedArticle[] {
  const articles: LocatedArticle[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch (error) {
      throw new KbImportError(file, line, `not valid JSON (${jsonReason(error)})`, { cause: error });
    }
    articles.push(recordToArticle(record, { file, line, fallbackId: recordFallbackId(file, line) }));
  });
  return articles;
}

/** A JSON array of records. Ids fall back to the item number. */
export function parseJsonArray(text: string, file: string): LocatedArticle[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new KbImportError(file, jsonErrorLine(text, error), `not valid JSON (${jsonReason(error)})`, { cause: error });
  }
  if (!Array.isArray(parsed)) throw new KbImportError(file, 1, 'expected a JSON array of articles or question/answer pairs');
  const lines = arrayItemLines(text);
  return parsed.map((record: unknown, index) => recordToArticle(record, { file, line: lines[index] ?? 1, fallbackId: recordFallbackId(file, index + 1) }));
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The engine's reason without its position, which the file:line prefix already says better. */
function jsonReason(error: unknown): string {
  return errorMessage(error).replace(/ in JSON at position.*$/, '');
}

function jsonErrorLine(text: string, error: unknown): number {
  const message = errorMessage(error);
  const stated = /\(line (\d+) column \d+\)/.exec(message)?.[1];
  if (stated) return Number(stated);
  const position = /at position (\d+)/.exec(message)?.[1];
  const upTo = position === undefined ? text.length : Number(position);
  return text.slice(0, upTo).split('\n').length;
}

/**
 * The line on which each element of a top-level JSON array starts. JSON.parse
 * keeps no positions, so the text is scanned once (it is known to be valid).
 */
function arrayItemLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectItem = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\n') line += 1;
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (expectItem && char !== undefined && !/\s/.test(char) && char !== ']') {
      lines.push(line);
      expectItem = false;
    }
    if (char === '"') inString = true;
    else if (char === '[' || char === '{') {
      depth += 1;
      if (depth === 1) expectItem = true;
    } else if (char === ']' || char === '}') depth -= 1;
    else if (char === ',' && depth === 1) expectItem = true;
  }
  return lines;
}
