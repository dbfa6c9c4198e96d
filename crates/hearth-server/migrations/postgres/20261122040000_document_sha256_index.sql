-- Blob downloads are access-checked by the live document records naming the bytes: an
-- indexed look-up (SHA-256 -> document record ids) instead of a LIKE scan of every row.
-- A stored generated column (kept in step by the database on every write).
ALTER TABLE sync_records ADD COLUMN doc_sha256 TEXT
    GENERATED ALWAYS AS (CASE WHEN kind = 'document' THEN (fields::jsonb) ->> 'sha256' END) STORED;
CREATE INDEX sync_records_by_doc_sha256 ON sync_records (doc_sha256);
