/**
 * U+0000 cannot be stored in a PostgreSQL text column: left in, it turns a
 * customer's message into a driver error (and, on some drivers, a log line
 * carrying the query's parameters). The edges refuse it up front, naming the
 * field, so bad input stays a client error.
 */
export function findNulCharacter(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'value' : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNulCharacter(item, `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return path ? `${path}.<key>` : '<key>';
      const found = findNulCharacter(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return null;
}
