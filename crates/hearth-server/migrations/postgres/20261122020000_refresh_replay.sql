-- Refresh tokens that were rotated away. Presenting one again means it was copied (or a
-- client replayed it): the session it belonged to, and every other session of that
-- user's device, is revoked. Rows go with their session.
CREATE TABLE retired_refresh_tokens (
    refresh_hash TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL,
    retired_at   BIGINT NOT NULL
);
CREATE INDEX retired_refresh_tokens_session ON retired_refresh_tokens (session_id);
