-- Blob downloads are access-checked by the live document records naming the bytes: an
-- indexed look-up (SHA-256 -> document record ids) instead of a LIKE scan of every row.
-- An expression index (no new column: backups and restores copy the table as it was);
-- `blob_readable` queries the same expression.
CREATE INDEX sync_records_by_doc_sha256 ON sync_records (json_extract(fields, '$.sha256'))
    WHERE kind = 'document';
