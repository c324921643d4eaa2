/**
 * The text a chunk is embedded from: the passage with what it is about —
 * a bare FAQ answer ("No, pets are not allowed.") means little without its
 * entity and question. The import (planChunks, which also hashes it) and
 * the start-up embedding of stale chunks both build it here, so a chunk gets
 * the same vector whichever path embedded it.
 */
export function chunkEmbeddingText(chunk: { entity: string | null; title: string; heading: string | null; body: string }): string {
  return [chunk.entity, chunk.title, chunk.heading === chunk.title ? null : chunk.heading, chunk.body]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join('\n');
}
