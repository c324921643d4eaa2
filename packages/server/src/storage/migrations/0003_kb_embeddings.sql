-- Knowledge-base embeddings. Plain columns that work on every PostgreSQL:
-- where pgvector is installed, kb/vector-index.ts adds an indexed
-- `embedding_vec vector(n)` copy at start-up (it cannot live here, since the
-- extension is optional).

-- L2-normalised vector of the chunk's text; null until the indexer has run.
ALTER TABLE kb_chunks ADD COLUMN embedding real[];
-- The embedder that produced it (e.g. 'hashed-features-v1-384'): a different
-- current embedder means the chunk is re-embedded at start-up.
ALTER TABLE kb_chunks ADD COLUMN embedding_model text;
-- When it was written: with the row count, the version of the in-service
-- vector cache (no pgvector), so other nodes' writes are noticed.
ALTER TABLE kb_chunks ADD COLUMN embedded_at timestamptz;
CREATE INDEX kb_chunks_embedding_model_idx ON kb_chunks (embedding_model);
-- Follow-up questions are answered within one entity's articles.
CREATE INDEX kb_articles_entity_idx ON kb_articles (entity) WHERE entity IS NOT NULL;
