-- A pulled document's metadata is applied with its page; its bytes are downloaded after
-- the records (DESIGN.md, "Sync protocol" 5: metadata is a record that syncs like any
-- other). Additive.

-- 1: the document's bytes are in `document_chunks` (always so for documents made on this
-- device); 0: pulled metadata whose bytes are not downloaded yet.
ALTER TABLE documents ADD COLUMN bytes_held INTEGER NOT NULL DEFAULT 1;
CREATE INDEX documents_without_bytes ON documents (id) WHERE bytes_held = 0;
