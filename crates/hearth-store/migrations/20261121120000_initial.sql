-- The first schema of the local cache. Never edit once landed: add a new migration.

-- One row: who this device is to the sync protocol, and the last mutation id handed out.
CREATE TABLE client_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    client_id        TEXT    NOT NULL,
    last_mutation_id INTEGER NOT NULL,
    created_at       TEXT    NOT NULL
) STRICT;

-- Every record the device holds: drafts made here and records synced from the server.
-- `seq` is a stable rowid shared with `search_index`.
CREATE TABLE records (
    seq              INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,   -- UUIDv7 made on the client
    kind             TEXT    NOT NULL,          -- RecordKind::as_str
    status           TEXT    NOT NULL,          -- draft, completed, closed, …
    local_reference  TEXT    NOT NULL UNIQUE,   -- provisional, e.g. LOCAL-FSP-9C3E1A7F42
    server_reference TEXT             UNIQUE,   -- permanent, e.g. FSP-000123, once the server gives it
    title            TEXT,                      -- short label for lists, chosen by the app
    fields           TEXT    NOT NULL,          -- JSON object: the merged draft
    steps_saved      TEXT    NOT NULL,          -- JSON array of wizard step numbers saved so far
    last_step        INTEGER NOT NULL,
    version          INTEGER NOT NULL,          -- local version: +1 for every local edit
    server_version   INTEGER,                   -- last version the server confirmed (NULL: never synced)
    created_at       TEXT    NOT NULL,
    last_saved_at    TEXT    NOT NULL
) STRICT;

CREATE INDEX records_by_kind_newest ON records (kind, last_saved_at DESC);
CREATE INDEX records_by_kind_status ON records (kind, status);

-- Local edits waiting to be pushed, in the order they were made (DESIGN.md, sync contract).
CREATE TABLE outbox (
    mutation_id  INTEGER PRIMARY KEY,   -- per client, strictly increasing, no gaps
    client_id    TEXT    NOT NULL,
    record_id    TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    operation    TEXT    NOT NULL,      -- create, update, discard, put_document, delete_document
    step         INTEGER,
    base_version INTEGER NOT NULL,
    changes      TEXT    NOT NULL,      -- JSON array of {field, base, value}
    created_at   TEXT    NOT NULL
) STRICT;

-- Full-text search over what the app passes as search terms. rowid = records.seq.
CREATE VIRTUAL TABLE search_index USING fts5 (
    names,
    postcodes,
    dates_of_birth,
    refs,          -- references the app passed
    record_refs,   -- the record's own local and server references
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Document metadata; the bytes are in `document_chunks`, inside the encrypted database.
CREATE TABLE documents (
    id             TEXT    PRIMARY KEY,
    record_id      TEXT    NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    title          TEXT    NOT NULL,
    file_name      TEXT    NOT NULL,
    content_type   TEXT    NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    server_version INTEGER,
    added_at       TEXT    NOT NULL
) STRICT;

CREATE INDEX documents_by_record ON documents (record_id, added_at);

CREATE TABLE document_chunks (
    document_id TEXT    NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    bytes       BLOB    NOT NULL,
    PRIMARY KEY (document_id, idx)
) STRICT;
