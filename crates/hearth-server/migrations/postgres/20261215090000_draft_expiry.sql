-- Referral drafts are deleted 30 days after their last save (`crate::drafts`), with one
-- email to the author when the draft enters its warning window. A draft's last save is the
-- `updated_at` of its record (the last applied mutation).

-- The warning sent for a draft: `last_saved` is the save it warned about. A later save
-- moves the expiry, so a draft whose `updated_at` differs from it is warned again when it
-- next enters the window. The row goes when the draft is deleted.
CREATE TABLE draft_expiry_notices (
    record_id  TEXT   PRIMARY KEY,
    last_saved BIGINT NOT NULL,
    queued_at  BIGINT NOT NULL
);

-- The sweep reads the live drafts oldest save first, without scanning other records.
CREATE INDEX sync_records_live_referral_drafts ON sync_records (updated_at, id)
    WHERE kind = 'referral' AND submitted = 0 AND deleted = 0;
