//! The one error body: `{code, message}` (plus `fields` when a form has problems).

use hearth_domain::FieldError;
use serde::{Deserialize, Serialize};

/// What went wrong, for the app to act on. `message` is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON, or a path or query parameter is malformed.
    BadRequest,
    /// The JSON has the wrong shape: an unknown field, a missing one, a wrong type.
    InvalidBody,
    /// The request needs `Content-Type: application/json`.
    UnsupportedMediaType,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// A form with field errors; see `fields`.
    Validation,
    /// The email address or the password is wrong (the same answer for both).
    InvalidCredentials,
    /// The sign-in code is wrong, already used, or belongs to another sign-in.
    InvalidCode,
    /// The sign-in code is more than 10 minutes old: ask for a new one.
    CodeExpired,
    /// Too many wrong passwords or codes: wait a few minutes.
    Throttled,
    /// No valid access token (missing, expired, revoked, or the account is disabled).
    Unauthenticated,
    /// This device was signed out by business support: remove every local copy of Hearth data.
    WipeDevice,
    /// Signed in, but this role or this user may not do this to this record.
    Forbidden,
    NotFound,
    /// The request clashes with what is stored (e.g. the email address is taken).
    Conflict,
    /// A push whose first mutation id leaves a gap after the last one the server answered;
    /// the body's message names the id expected. Send the outbox from there.
    SyncGap,
    /// Something went wrong on the server; nothing personal is in the message.
    Unexpected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// Every field problem, when `code` is `validation`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "utoipa", schema(value_type = Vec<Object>))]
    pub fields: Vec<FieldError>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }
}
