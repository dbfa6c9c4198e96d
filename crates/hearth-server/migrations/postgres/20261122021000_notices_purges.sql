-- Emails that sync pushes cause (new task, task retracted, transfer waiting for
-- authorisation, referral outcome), queued in the pushing transaction so a rolled-back
-- push sends nothing and a crash between commit and send loses nothing. Ids only: the
-- address and the record's reference are looked up when the message is sent.
-- claimed_at: a sender took it (a claim older than a few minutes is taken again).
CREATE TABLE mail_queue (
    id         TEXT PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id),
    kind       TEXT   NOT NULL,
    record_id  TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    claimed_at BIGINT,
    sent_at    BIGINT
);
CREATE INDEX mail_queue_pending ON mail_queue (sent_at, created_at);

-- Users who may have lost read access to a record by a write (a task re-assigned away
-- from them), numbered in the change log: their next pull re-checks access and sends a
-- purge for the record and the records attached to it when they can no longer read it.
CREATE TABLE sync_purges (
    seq       BIGINT NOT NULL,
    user_id   TEXT   NOT NULL,
    record_id TEXT   NOT NULL,
    PRIMARY KEY (seq, user_id, record_id)
);
CREATE INDEX sync_purges_by_user ON sync_purges (user_id, seq);

-- 1: the sharing row exists only because a transfer is offered to this user (so they can
-- read the plan before answering); a refused or withdrawn transfer removes it again.
ALTER TABLE sync_sharing ADD COLUMN via_transfer BIGINT NOT NULL DEFAULT 0;
