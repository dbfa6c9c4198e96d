-- The app's own small values that must not be in plaintext on disk (the session's refresh
-- token, the offline-unlock password verifier, the account, the policy). Additive.
CREATE TABLE app_settings (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
