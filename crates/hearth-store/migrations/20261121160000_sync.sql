-- Sync (DESIGN.md, "Sync protocol"). Additive: the first schema is not edited.

-- The record as the server last confirmed it; the local view (records.fields) is this with
-- the pending outbox edits applied on top. NULL: the server has never confirmed the record.
ALTER TABLE records ADD COLUMN server_fields TEXT;
-- The single-editor epoch the server last gave the record (0 before any transfer).
ALTER TABLE records ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;

-- The epoch each edit was made under, taken from the record when the edit is written (an
-- edit made under an old epoch becomes a conflict on the server, never an overwrite).
ALTER TABLE outbox ADD COLUMN epoch INTEGER;
CREATE TRIGGER outbox_epoch AFTER INSERT ON outbox
BEGIN
    UPDATE outbox SET epoch = coalesce((SELECT epoch FROM records WHERE id = NEW.record_id), 0)
    WHERE mutation_id = NEW.mutation_id;
END;

-- One row: where pull got to, and the server's epoch it got there on.
CREATE TABLE sync_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    cursor       INTEGER NOT NULL,
    server_epoch TEXT
) STRICT;
INSERT INTO sync_state (id, cursor, server_epoch) VALUES (1, 0, NULL);

-- Edits the server answered with a conflict or a rejection, kept until a person resolves
-- them (the app's resolution screen).
CREATE TABLE sync_conflicts (
    id             INTEGER PRIMARY KEY,
    mutation_id    INTEGER NOT NULL UNIQUE,
    record_id      TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    outcome        TEXT    NOT NULL,   -- conflict or rejected
    server_version INTEGER,
    fields         TEXT    NOT NULL,   -- JSON array of {field, base, mine, theirs}
    reason         TEXT,               -- for rejections: the server's fixed phrase
    created_at     TEXT    NOT NULL,
    resolved_at    TEXT
) STRICT;
CREATE INDEX sync_conflicts_open ON sync_conflicts (resolved_at, id);
