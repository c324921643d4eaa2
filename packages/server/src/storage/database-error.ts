import type { SqlParam } from './database.js';

/**
 * What a failed query becomes before anyone can log it. Drivers attach the
 * query's parameters to their errors (PGlite: `params`), and PostgreSQL's own
 * messages quote values ("value \"4111…\" is out of range", "Key (id)=(…)"),
 * so a customer's text, card number included, would reach the log. This keeps
 * the SQLSTATE and the statement (our own text, no values) and replaces every
 * parameter value that the message or detail quotes with its placeholder.
 */
export class DatabaseQueryError extends Error {
  readonly code: string | undefined;
  readonly severity: string | undefined;
  readonly constraint: string | undefined;
  readonly detail: string | undefined;
  readonly statement: string;

  constructor(driverError: unknown, sql: string, params: readonly SqlParam[]) {
    const fields = typeof driverError === 'object' && driverError !== null ? (driverError as Record<string, unknown>) : {};
    const text = (value: unknown) => (typeof value === 'string' ? withoutValues(value, params) : undefined);
    super(text(fields.message) ?? 'database query failed');
    this.name = 'DatabaseQueryError';
    this.code = typeof fields.code === 'string' ? fields.code : undefined;
    this.severity = typeof fields.severity === 'string' ? fields.severity : undefined;
    this.constraint = typeof fields.constraint === 'string' ? fields.constraint : undefined;
    this.detail = text(fields.detail);
    this.statement = sql.replace(/\s+/g, ' ').trim().slice(0, 300);
  }
}

/**
 * The text with every parameter's value (as text, any length) replaced by its
 * $n, in one pass, longest value first: a short value never re-replaces part
 * of a longer one or of a placeholder already written.
 */
function withoutValues(text: string, params: readonly SqlParam[]): string {
  const placeholders = new Map<string, string>();
  params.forEach((param, index) => {
    for (const value of paramTexts(param)) if (value.length > 0 && !placeholders.has(value)) placeholders.set(value, `$${index + 1}`);
  });
  const values = [...placeholders.keys()].sort((a, b) => b.length - a.length);
  const scrubbed = values.length === 0 ? text : text.replace(new RegExp(values.map(escapeRegExp).join('|'), 'g'), (value) => placeholders.get(value) ?? value);
  // A value PostgreSQL shortened or re-quoted would not match above; key and value details are dropped whole.
  return scrubbed.replace(/\(([^()]*)\)=\(([^()]*)\)/g, '($1)=(…)');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function paramTexts(param: SqlParam): string[] {
  if (param === null || typeof param === 'boolean') return [];
  if (param instanceof Date) return [param.toISOString()];
  if (Buffer.isBuffer(param)) return [];
  if (Array.isArray(param)) return param.flatMap((item) => (item === null ? [] : [item]));
  return [String(param)];
}

/** Runs a driver call; its failure comes out as a DatabaseQueryError. */
export async function scrubbedQuery<T>(sql: string, params: readonly SqlParam[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new DatabaseQueryError(error, sql, params);
  }
}
