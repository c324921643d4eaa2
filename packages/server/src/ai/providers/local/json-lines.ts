import { z } from 'zod';

/**
 * Parses JSON Lines (one JSON value a line, blank lines ignored) against a
 * schema. A bad line fails the whole file with its name and line number, so
 * a broken data file is found at once instead of training on half of it.
 */
export function parseJsonLines<T extends z.ZodType>(content: string, fileName: string, schema: T): Array<z.output<T>> {
  const rows: Array<z.output<T>> = [];
  content.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new Error(`${fileName}:${index + 1}: not valid JSON`);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new Error(`${fileName}:${index + 1}: ${z.prettifyError(parsed.error)}`);
    rows.push(parsed.data);
  });
  return rows;
}
