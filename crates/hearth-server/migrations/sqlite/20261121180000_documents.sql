-- Documents (DESIGN.md, "Sync protocol" 5): resumable uploads and content-addressed bytes.
-- The bytes live on the filesystem under the data folder: a part file per upload while it
-- is under way, then `documents/<first two hex digits>/<sha256>` once finalised. Progress
-- is here, never in the process.

-- One resumable upload of one document's bytes by one user. received: bytes checked and
-- written so far (the next chunk starts there). finalised: 0/1.
CREATE TABLE document_uploads (
    id          TEXT   PRIMARY KEY,
    document_id TEXT   NOT NULL,
    user_id     TEXT   NOT NULL REFERENCES users (id),
    size        BIGINT NOT NULL,
    sha256      TEXT   NOT NULL,
    received    BIGINT NOT NULL,
    finalised   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
-- Creating the same upload again finds it (resume after a lost answer).
CREATE UNIQUE INDEX document_uploads_key ON document_uploads (user_id, document_id, sha256);
CREATE INDEX document_uploads_by_hash ON document_uploads (sha256, user_id, finalised);

-- Finalised bytes, once per content hash (deduplicated).
CREATE TABLE document_blobs (
    sha256       TEXT   PRIMARY KEY,
    size         BIGINT NOT NULL,
    content_type TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);
