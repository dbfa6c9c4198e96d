//! The one error type of the store. Every variant's message is written for the
//! practitioner or the IT person who reads it; none carries personal data or key material.

use std::path::PathBuf;

use hearth_domain::RecordKind;

use crate::ids::{DocumentId, RecordId};

/// What the app says after a key problem: the cache can always be rebuilt from the server.
const RECOVERY: &str = "Nothing has been changed on this device. If you cannot fix this, \
you can reset this device's cache and download your records again from the Hearth server \
(edits that were never synced would be lost).";

/// Everything that can go wrong in the local cache.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A cache exists but its key is not in the OS keyring (removed, or another user profile).
    #[error(
        "The key that unlocks this device's Hearth cache is missing from the system keyring. \
         {RECOVERY}"
    )]
    KeyMissing,

    /// The password did not unwrap the key kept beside the cache.
    #[error("That password does not unlock this device's Hearth cache. Check it and try again. {RECOVERY}")]
    WrongPassword,

    /// A key was found but it does not open the cache (it belongs to another cache).
    #[error(
        "The key found for this device's Hearth cache does not open it, so the cache cannot \
         be read. {RECOVERY}"
    )]
    WrongKey,

    /// The cache is password-protected but no key file is beside it.
    #[error(
        "This device's Hearth cache is protected by a password, but the file that holds its \
         wrapped key ({path}) is missing. {RECOVERY}"
    )]
    KeyFileMissing { path: PathBuf },

    /// The wrapped-key file exists but cannot be read as one.
    #[error("The file that holds this device's wrapped Hearth key ({path}) is damaged: {reason}. {RECOVERY}")]
    KeyFileDamaged { path: PathBuf, reason: String },

    /// No usable OS keyring (no Secret Service, locked keyring, unsupported platform).
    /// The app should offer password protection instead.
    #[error(
        "The system keyring could not be used ({reason}). Hearth can protect its cache \
         with your password instead."
    )]
    KeyringUnavailable { reason: String },

    /// The cache file opened but failed SQLCipher's or SQLite's integrity check.
    #[error(
        "This device's Hearth cache is damaged ({problems} problem(s) found by the integrity \
         check). {RECOVERY}"
    )]
    Corrupt { problems: usize },

    /// A draft was saved under an id that already belongs to a record of another kind.
    #[error("Record {id} is a {existing:?}, not a {requested:?}; nothing was saved.")]
    KindMismatch {
        id: RecordId,
        existing: RecordKind,
        requested: RecordKind,
    },

    /// The record does not exist in this cache.
    #[error("Record {0} is not in this device's cache.")]
    RecordNotFound(RecordId),

    /// The document does not exist in this cache.
    #[error("Document {0} is not in this device's cache.")]
    DocumentNotFound(DocumentId),

    /// The document's metadata is here but its bytes are not downloaded yet.
    #[error(
        "Document {0} is still downloading to this device; it will open once the next sync \
         has brought it."
    )]
    DocumentNotDownloaded(DocumentId),

    /// The fields of a wizard step were not a JSON object.
    #[error("The fields of step {step} must be a JSON object; nothing was saved.")]
    FieldsNotAnObject { step: u32 },

    /// A document is bigger than the limit.
    #[error(
        "This document is {size} bytes; Hearth accepts documents up to {max} bytes (15 MB). \
         Reduce its size and try again."
    )]
    DocumentTooLarge { size: u64, max: u64 },

    /// A value in the cache could not be read back (a bug or a damaged row).
    #[error("A stored value could not be read ({0}). {RECOVERY}")]
    Unreadable(String),

    /// The data folder could not be read or written.
    #[error("Hearth could not use its data folder {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Any other database failure.
    #[error("The local cache could not complete the operation: {0}")]
    Database(#[from] sqlx::Error),

    /// Migrations could not be applied.
    #[error("The local cache could not be upgraded to this version of Hearth: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Short name for results of this crate.
pub type StoreResult<T> = Result<T, StoreError>;
