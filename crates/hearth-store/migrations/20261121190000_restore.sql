-- A server restored from a backup (DESIGN.md, "Sync protocol" 6). Additive.

-- Mutations the server answered, kept (with the same columns as the outbox) so that when
-- the server comes back with a new epoch they can be sent again: it skips those it still
-- has and applies those it lost. Pruned after 90 days.
CREATE TABLE outbox_acked (
    mutation_id  INTEGER PRIMARY KEY,
    client_id    TEXT    NOT NULL,
    record_id    TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    operation    TEXT    NOT NULL,
    step         INTEGER,
    base_version INTEGER NOT NULL,
    changes      TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    epoch        INTEGER,
    acked_at     TEXT    NOT NULL
) STRICT;
CREATE INDEX outbox_acked_by_time ON outbox_acked (acked_at);

-- 1 while pulling everything again after a new server epoch: the server's versions are
-- taken even when lower than those held (the restored server is the truth).
ALTER TABLE sync_state ADD COLUMN restoring INTEGER NOT NULL DEFAULT 0;
