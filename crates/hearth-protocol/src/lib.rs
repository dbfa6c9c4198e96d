//! Hearth's wire types: what the desktop app and `hearth-server` send each other as JSON.
//!
//! Everything here is versioned by its URL (`/api/v1/…`, see [`paths`]). A change that would
//! break an older app gets a new version; additive changes (a new optional field in a
//! response, a new endpoint) do not. Requests refuse unknown fields so a typo is a 4xx rather
//! than silently ignored.
//!
//! - [`auth`]: two-step sign-in (password, then an emailed 6-digit code), tokens and refresh,
//!   partner self-registration and email confirmation, invitations, password reset.
//! - [`users`]: the account endpoints (`/me`, business-support user administration).
//! - [`sync`]: push of the outbox, pull of the change log, resumable document upload.
//! - [`error`]: the one error body every endpoint returns, `{code, message}`.
//!
//! Domain types (`Account`, `Role`, ids) are reused from `hearth-domain`, never re-declared.
//! With the `specta` feature the types derive `specta::Type` (TypeScript bindings); with the
//! `utoipa` feature they derive `utoipa::ToSchema` (the server's OpenAPI document).

#![forbid(unsafe_code)]

pub mod auth;
pub mod error;
pub mod paths;
pub mod sync;
pub mod users;

pub use error::{ErrorBody, ErrorCode};

/// The API version this crate describes; part of every path.
pub const API_VERSION: &str = "v1";
