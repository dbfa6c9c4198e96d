-- Accounts, services, work groups, sign-in state, sessions and the audit log.
-- Ids are UUID text; times are milliseconds since the Unix epoch (UTC); flags are 0/1.
-- The PostgreSQL migrations use the same column types so one query text serves both.

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    forename        TEXT NOT NULL,
    surname         TEXT NOT NULL,
    email           TEXT NOT NULL UNIQUE,   -- lower-cased
    password_hash   TEXT,                   -- NULL until an invitation is accepted
    roles           TEXT NOT NULL,          -- JSON array of role names
    out_of_office   TEXT,
    active          BIGINT NOT NULL,
    email_confirmed BIGINT NOT NULL,
    partner_details TEXT,                   -- JSON: professional role, organisation, address
    created_at      BIGINT NOT NULL,
    disabled_at     BIGINT
);

CREATE TABLE services (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    commissioned_service TEXT
);

CREATE TABLE work_groups (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE service_members (
    service_id TEXT NOT NULL REFERENCES services (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (service_id, user_id)
);

CREATE TABLE work_group_members (
    work_group_id TEXT NOT NULL REFERENCES work_groups (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    is_manager    BIGINT NOT NULL,
    PRIMARY KEY (work_group_id, user_id)
);

-- One row per password that was right: the emailed code is bound to it.
CREATE TABLE sign_in_attempts (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    code_hash    TEXT NOT NULL,
    code_sent_at BIGINT NOT NULL,
    used_at      BIGINT,
    created_at   BIGINT NOT NULL
);

-- Wrong passwords and codes, for throttling. `subject` is `user:<id>` or `email:<sha256>`.
CREATE TABLE auth_failures (
    subject TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX auth_failures_subject_at ON auth_failures (subject, at);

CREATE TABLE devices (
    id                TEXT NOT NULL,
    user_id           TEXT NOT NULL REFERENCES users (id),
    name              TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    last_seen_at      BIGINT NOT NULL,
    wipe_requested_at BIGINT,
    PRIMARY KEY (id, user_id)
);

-- One row per signed-in device; tokens are stored as SHA-256 hex.
CREATE TABLE sessions (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users (id),
    device_id          TEXT NOT NULL,
    access_hash        TEXT NOT NULL UNIQUE,
    access_expires_at  BIGINT NOT NULL,
    refresh_hash       TEXT NOT NULL UNIQUE,
    refresh_expires_at BIGINT NOT NULL,
    created_at         BIGINT NOT NULL,
    revoked_at         BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Invitations, password resets and email confirmations: single-use secrets.
CREATE TABLE account_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    purpose     TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- Append-only, hash-chained. Never personal data: user ids, record ids, action names.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT,
    device    TEXT,
    action    TEXT NOT NULL,
    target    TEXT,
    outcome   TEXT NOT NULL,
    reason    TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

-- The chain's head: locked by every append so appends are serialised across replicas,
-- and compared by `audit verify` so a removed last row is noticed.
CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
