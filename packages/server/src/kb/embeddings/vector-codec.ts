/**
 * Vectors on their way into and out of PostgreSQL: `real[]` literals for the
 * plain column, pgvector's `[...]` text form for `embedding_vec`, and
 * normalisation.
 */

/** Scaled to length 1, so cosine similarity is a dot product. A zero vector (a text with no features) stays zero. */
export function l2Normalise(vector: readonly number[]): number[] {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  return vector.map((value) => (norm === 0 ? 0 : value / norm));
}

/** Postgres array literal for a `real[]` parameter, e.g. `{0.1,-0.2}`. */
export function toPgArrayLiteral(vector: readonly number[]): string {
  return `{${vector.map(formatFloat).join(',')}}`;
}

/** pgvector's text form, e.g. `[0.1,-0.2]`. */
export function toPgVectorLiteral(vector: readonly number[]): string {
  return `[${vector.map(formatFloat).join(',')}]`;
}

// Stored as 4-byte floats either way: nine significant digits carry one exactly, more only lengthen the SQL.
const formatFloat = (value: number) => (Number.isFinite(value) ? Math.fround(value).toPrecision(9) : '0');

/** A `real[]` read back by either driver (both parse it into numbers); anything else is not a vector. */
export function parseStoredVector(value: unknown, dimensions: number): Float32Array | null {
  if (!Array.isArray(value) || value.length !== dimensions) return null;
  const vector = new Float32Array(dimensions);
  for (const [index, item] of value.entries()) {
    if (typeof item !== 'number' || !Number.isFinite(item)) return null;
    vector[index] = item;
  }
  return vector;
}
