-- Sync (DESIGN.md, "Sync protocol"): records as the server holds them, the change log,
-- per-client progress, per-kind reference counters and plan sharing.
-- The same column types as the first migration, so one query text serves SQLite and PostgreSQL.

-- One row. change_seq numbers the change log: it is taken by an UPDATE of this row inside
-- each writing transaction, so writers queue here and commit in sequence order; a pull that
-- reads change_seq first and then serves only rows at or below it never skips a row that
-- commits later. epoch changes when the database is restored from a backup.
CREATE TABLE sync_state (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    change_seq BIGINT NOT NULL,
    epoch      TEXT   NOT NULL
);
INSERT INTO sync_state (id, change_seq, epoch) VALUES (1, 0, md5(random()::text || clock_timestamp()::text));

-- Every device that has pushed: the last mutation id answered, and whose device it is.
CREATE TABLE sync_clients (
    client_id        TEXT PRIMARY KEY,
    user_id          TEXT   NOT NULL REFERENCES users (id),
    last_mutation_id BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    last_push_at     BIGINT NOT NULL
);

-- The current state of every synced record. last_seq: the change-log number of its latest
-- change (what pull pages by).
CREATE TABLE sync_records (
    id         TEXT PRIMARY KEY,
    kind       TEXT   NOT NULL,
    owner_id   TEXT   NOT NULL REFERENCES users (id),
    version    BIGINT NOT NULL,
    epoch      BIGINT NOT NULL,
    fields     TEXT   NOT NULL,          -- JSON object
    reference  TEXT   UNIQUE,            -- permanent, e.g. FSP-000123
    deleted    BIGINT NOT NULL,          -- 0/1: discarded
    last_seq   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sync_records_by_seq ON sync_records (last_seq);
CREATE INDEX sync_records_by_owner ON sync_records (owner_id, last_seq);

-- The change log: one row per applied mutation (ids only; the fields are in sync_records).
CREATE TABLE sync_changes (
    seq         BIGINT PRIMARY KEY,
    record_id   TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    client_id   TEXT   NOT NULL,
    mutation_id BIGINT NOT NULL,
    at          BIGINT NOT NULL
);
-- At most one change per pushed mutation, and the first answer can be found again.
CREATE UNIQUE INDEX sync_changes_by_mutation ON sync_changes (client_id, mutation_id);

-- Conflicts and rejections answered, so a retried push gets the same answer again.
CREATE TABLE sync_conflicts (
    client_id   TEXT   NOT NULL,
    mutation_id BIGINT NOT NULL,
    record_id   TEXT   NOT NULL,
    outcome     TEXT   NOT NULL,        -- conflict or rejected
    detail      TEXT   NOT NULL,        -- the answer as sent (JSON)
    at          BIGINT NOT NULL,
    PRIMARY KEY (client_id, mutation_id)
);

-- Per-kind counter for permanent references; updated in the creating transaction.
CREATE TABLE reference_counters (
    prefix     TEXT PRIMARY KEY,
    last_value BIGINT NOT NULL
);
INSERT INTO reference_counters (prefix, last_value) VALUES
    ('FSP', 0), ('REV', 0), ('MARF', 0), ('RFS', 0), ('TSK', 0), ('CON', 0), ('DOC', 0);

-- A plan's sharing list. changed_seq: the change-log number of the last change, so a
-- removal comes down to that user's next pull as a purge.
CREATE TABLE sync_sharing (
    record_id   TEXT   NOT NULL,
    user_id     TEXT   NOT NULL REFERENCES users (id),
    active      BIGINT NOT NULL,
    changed_seq BIGINT NOT NULL,
    PRIMARY KEY (record_id, user_id)
);
CREATE INDEX sync_sharing_by_user ON sync_sharing (user_id, changed_seq);
