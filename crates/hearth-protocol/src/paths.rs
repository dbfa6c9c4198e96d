//! The endpoints, as paths. `{id}` is a placeholder for a UUID.

pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const OPENAPI: &str = "/api/openapi.json";

pub const SIGN_IN: &str = "/api/v1/auth/sign-in";
pub const SIGN_IN_VERIFY: &str = "/api/v1/auth/sign-in/verify";
pub const SIGN_IN_RESEND_CODE: &str = "/api/v1/auth/sign-in/resend-code";
pub const REFRESH: &str = "/api/v1/auth/refresh";
pub const SIGN_OUT: &str = "/api/v1/auth/sign-out";
pub const REGISTER_PARTNER: &str = "/api/v1/auth/register";
pub const CONFIRM_EMAIL: &str = "/api/v1/auth/register/confirm";
pub const ACCEPT_INVITATION: &str = "/api/v1/auth/invitation/accept";
pub const PASSWORD_RESET: &str = "/api/v1/auth/password-reset";
pub const PASSWORD_RESET_COMPLETE: &str = "/api/v1/auth/password-reset/complete";

pub const ME: &str = "/api/v1/me";
pub const ME_OUT_OF_OFFICE: &str = "/api/v1/me/out-of-office";
pub const USERS: &str = "/api/v1/users";
pub const USER: &str = "/api/v1/users/{id}";
pub const USER_DISABLE: &str = "/api/v1/users/{id}/disable";
pub const USER_LOOKUP: &str = "/api/v1/users/lookup";
/// The teams providing a commissioned service (requests for support are sent to them).
pub const SERVICES: &str = "/api/v1/services";
/// The workers a manager of the service may allocate to its requests.
pub const SERVICE_WORKERS: &str = "/api/v1/services/{id}/workers";

pub const SYNC_PUSH: &str = "/api/v1/sync/push";
pub const SYNC_PULL: &str = "/api/v1/sync/pull";
pub const UPLOADS: &str = "/api/v1/uploads";
pub const UPLOAD: &str = "/api/v1/uploads/{id}";
pub const UPLOAD_FINALISE: &str = "/api/v1/uploads/{id}/finalise";

/// `USER` with the id filled in.
pub fn user(id: impl std::fmt::Display) -> String {
    format!("/api/v1/users/{id}")
}

/// `SERVICE_WORKERS` with the service's id filled in.
pub fn service_workers(id: impl std::fmt::Display) -> String {
    format!("/api/v1/services/{id}/workers")
}

/// `USER_DISABLE` with the id filled in.
pub fn user_disable(id: impl std::fmt::Display) -> String {
    format!("/api/v1/users/{id}/disable")
}

/// `GET` (or `HEAD`) a finalised document's bytes by their SHA-256 (lower-case hex). The
/// answer carries `X-Content-Sha256`; the client checks the bytes against it.
pub const BLOB: &str = "/api/v1/blobs/{sha256}";

/// `UPLOAD` with the id filled in.
pub fn upload(id: impl std::fmt::Display) -> String {
    format!("/api/v1/uploads/{id}")
}

/// `UPLOAD_FINALISE` with the id filled in.
pub fn upload_finalise(id: impl std::fmt::Display) -> String {
    format!("/api/v1/uploads/{id}/finalise")
}

/// `BLOB` with the hash filled in.
pub fn blob(sha256: &str) -> String {
    format!("/api/v1/blobs/{sha256}")
}

/// The header carrying a chunk's SHA-256 (lower-case hex) on `PUT UPLOAD?offset=n`.
pub const CHUNK_SHA256_HEADER: &str = "x-chunk-sha256";
/// The header carrying a downloaded blob's SHA-256.
pub const CONTENT_SHA256_HEADER: &str = "x-content-sha256";
