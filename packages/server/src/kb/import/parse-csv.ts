import { CsvError, parse } from 'csv-parse/sync';
import { z } from 'zod';
import { recordFallbackId, type LocatedArticle } from './located-article.js';
import { KbImportError } from './kb-import-error.js';
import { recordToArticle } from './parse-records.js';

const csvRowsSchema = z.array(z.object({ record: z.record(z.string(), z.string()), info: z.object({ lines: z.number() }), raw: z.string() }));

/**
 * CSV with a header row: `question,answer` or `title,body` columns, optional
 * `id`, `category`, `url`, `locale`, `entity` (column names are not
 * case-sensitive); other columns are kept in the metadata. Ids fall back to
 * the data row number.
 */
export function parseCsv(text: string, file: string): LocatedArticle[] {
  let header: string[] = [];
  let parsed: unknown;
  try {
    parsed = parse(text, {
      bom: true,
      columns: (names: string[]) => (header = names.map((name) => name.trim().toLowerCase())),
      skip_empty_lines: true,
      info: true,
      raw: true,
    });
  } catch (error) {
    const line = error instanceof CsvError && typeof error.lines === 'number' ? error.lines : 1;
    const reason = error instanceof Error ? error.message.replace(/ (at|on) line \d+/, '') : String(error);
    throw new KbImportError(file, line, `not valid CSV (${reason})`, { cause: error });
  }
  const has = (name: string) => header.includes(name);
  if (!(has('question') && has('answer')) && !(has('title') && has('body'))) {
    throw new KbImportError(file, 1, 'the header needs "question" and "answer" (or "title" and "body") columns');
  }
  return csvRowsSchema.parse(parsed).map((row, index) => {
    // `info.lines` is where the record ends; a quoted cell may span lines, so count back to where it starts.
    const line = row.info.lines - (row.raw.trim().match(/\n/g)?.length ?? 0);
    return recordToArticle(row.record, { file, line, fallbackId: recordFallbackId(file, index + 1) });
  });
}
