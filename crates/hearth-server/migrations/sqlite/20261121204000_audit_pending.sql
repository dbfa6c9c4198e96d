-- Audit rows written by requests, waiting to be chained. A request inserts its row here in
-- its own transaction (so a row is never lost and requests do not queue on audit_head);
-- the sealer moves rows, oldest first, onto the chain in audit_log in batches, under the
-- audit_head lock, in the same transaction that deletes them from here.
CREATE TABLE audit_pending (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      BIGINT NOT NULL,
    actor   TEXT,
    device  TEXT,
    action  TEXT NOT NULL,
    target  TEXT,
    outcome TEXT NOT NULL,
    reason  TEXT
);
