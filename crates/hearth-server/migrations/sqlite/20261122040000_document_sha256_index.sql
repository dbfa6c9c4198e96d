-- Blob downloads are access-checked by the live document records naming the bytes: an
-- indexed look-up (SHA-256 -> document record ids) instead of a LIKE scan of every row.
-- A virtual generated column (computed on read, nothing to keep in step on writes).
ALTER TABLE sync_records ADD COLUMN doc_sha256 TEXT
    GENERATED ALWAYS AS (CASE WHEN kind = 'document' THEN json_extract(fields, '$.sha256') END) VIRTUAL;
CREATE INDEX sync_records_by_doc_sha256 ON sync_records (doc_sha256);
