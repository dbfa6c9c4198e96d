-- Who moved a record's single-editor epoch on: one row per bump (a task re-assign, an
-- authorised transfer), written in the bumping mutation's transaction. A mutation made
-- under an older epoch is still judged (editor, version, field bases) when every bump
-- since was caused by the same client's own earlier mutations: the recipient of a transfer
-- editing on the device that authorised it, before that device pulled the new epoch.
-- Anyone else's edit under the old epoch stays a conflict.
CREATE TABLE sync_epoch_bumps (
    record_id   TEXT   NOT NULL,
    epoch       BIGINT NOT NULL,
    client_id   TEXT   NOT NULL,
    mutation_id BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    PRIMARY KEY (record_id, epoch)
);
