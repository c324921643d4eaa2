-- Knowledge-base ingestion: where each article came from, a content hash per
-- article and per chunk so that a re-import writes (and re-embeds) only what
-- changed, and the entity an entity-specific FAQ is about. Plain SQL that
-- runs on PGlite and on PostgreSQL 15 alike.

-- Which import owns the article ('demo', 'admin', or an import's --source);
-- --prune deletes only within one source.
ALTER TABLE kb_articles ADD COLUMN source text NOT NULL DEFAULT 'manual';
-- The file the article was imported from, relative to the import root.
ALTER TABLE kb_articles ADD COLUMN source_path text;
-- sha256 of everything stored about the article; null (rows written before
-- this migration) never matches, so such an article is rewritten once.
ALTER TABLE kb_articles ADD COLUMN content_hash text;
-- The hotel, place or product an entity-specific FAQ is about; null for general policies.
ALTER TABLE kb_articles ADD COLUMN entity text;
ALTER TABLE kb_articles ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'::jsonb;
CREATE INDEX kb_articles_source_idx ON kb_articles (source);

-- sha256 of the text handed to the chunk indexer; '' (rows written before
-- this migration) never matches, so such a chunk is re-indexed once.
ALTER TABLE kb_chunks ADD COLUMN content_hash text NOT NULL DEFAULT '';
