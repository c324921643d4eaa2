import type { SqlParam } from './database.js';

// An escaped NUL in JSON text (\u0000), not itself escaped (\\u0000 is a backslash and "u0000").
const ESCAPED_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/**
 * PostgreSQL refuses U+0000 in text and the \u0000 escape in jsonb. The edges
 * refuse it in customer input with a clear error; what the service itself
 * writes (a model's reply, a host API's answer, tool arguments) could still
 * carry one, and a driver error would then lose the whole reply. Here, the
 * last line, it becomes U+FFFD: visible, storable, and nothing else lost.
 */
export function storableParams(params: readonly SqlParam[]): SqlParam[] {
  return params.map(storable);
}

function storable(param: SqlParam): SqlParam {
  if (typeof param === 'string') return withoutNul(param);
  if (Array.isArray(param)) return param.map((item) => (item === null ? null : withoutNul(item)));
  return param;
}

function withoutNul(text: string): string {
  const plain = text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
  return plain.includes('\\u0000') ? plain.replace(ESCAPED_NUL, '$1\\ufffd') : plain;
}
