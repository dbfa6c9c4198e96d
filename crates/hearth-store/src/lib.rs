//! Hearth's local cache: an SQLCipher-encrypted SQLite database (through sqlx) that holds a
//! practitioner's drafts, the records synced to this device, the outbox of edits waiting to
//! be pushed, a full-text search index and documents.
//!
//! # Using it
//!
//! ```no_run
//! # async fn demo(dir: &std::path::Path) -> Result<(), hearth_store::StoreError> {
//! use hearth_domain::RecordKind;
//! use hearth_store::{KeyStorage, SearchTerms, StepSave, Store};
//!
//! let now = chrono::Utc::now();
//! let keys = KeyStorage::OsKeyring { service: "Hearth".into(), account: "cache-key".into() };
//! let store = Store::open_or_create(dir, keys, now).await?;
//!
//! // Autosave step 1 of a new plan: the store makes the id and a provisional reference.
//! let saved = store
//!     .save_step(StepSave {
//!         search: Some(SearchTerms { surnames: vec!["Example".into()], ..Default::default() }),
//!         ..StepSave::new(None, RecordKind::Plan, 1, serde_json::json!({ "surname": "Example" }), now)
//!     })
//!     .await?;
//! let draft = store.load(saved.record_id).await?;
//! let hits = store.search("exam", 20).await?;
//! # Ok(()) }
//! ```
//!
//! Sync (the `hearth-sync` engine drives it): [`Store::pending_mutations`] to push,
//! [`Store::record_answers`] for the server's answers, [`Store::apply_pull`] for each pulled
//! page with its cursor, [`Store::conflicts`] and [`Store::resolve_conflict`] for the
//! resolution screen. Documents: [`Store::document_range`] for resumable upload,
//! [`Store::apply_pull`] writes pulled documents' metadata with their page, then
//! [`Store::documents_without_bytes`] and [`Store::store_downloaded_bytes`] for their bytes
//! (downloaded after the records). A restored server:
//! [`Store::begin_restore`] puts the journal of answered mutations back in front of the
//! outbox.
//!
//! # Invariants
//! - The database is never plaintext: the key pragma is the first statement on every
//!   connection, and a missing or wrong key is an error, never a new empty cache
//!   (recovery is [`set_aside_cache`] and a fresh download from the server).
//! - Every local edit and its outbox row are written in one transaction; mutation ids are
//!   per client, strictly increasing and without gaps (DESIGN.md, sync contract).
//! - The store reads no clock where the caller can pass the time.
//! - Log lines carry ids and counts only, never fields, names or keys.

#![forbid(unsafe_code)]

mod columns;
mod document_sync;
mod documents;
mod drafts;
mod error;
mod hex;
mod ids;
pub mod kdf;
mod key;
mod open;
mod outbox;
mod restore;
mod search;
mod settings;
mod sync;
mod time;

use std::fmt;
use std::path::{Path, PathBuf};

use sqlx::SqlitePool;

pub use columns::{RecordColumns, MAX_COLUMN_PATHS};
pub use document_sync::MissingDocument;
pub use documents::{Document, DocumentMeta, NewDocument, MAX_DOCUMENT_BYTES};
pub use drafts::{status, Counts, Draft, RecordSummary, Saved, StepSave};
pub use error::{StoreError, StoreResult};
pub use ids::{ClientId, DocumentId, MutationId, RecordId};
pub use key::{
    change_password, forget_keyring_key, DatabaseKey, KeyStorage, Password, KEY_FILE_NAME,
};
pub use open::{existing_protection, set_aside_cache, ExistingCache, DATABASE_FILE_NAME};
pub use outbox::{FieldChange, Mutation, Operation};
pub use restore::JOURNAL_DAYS;
pub use search::SearchTerms;
pub use sync::{Answer, Conflict, ConflictField, ConflictOutcome, PulledPage, PulledRecord};

/// An open cache. Cheap to clone (a connection pool inside); share it across tasks.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    client_id: ClientId,
    path: PathBuf,
    encrypted: bool,
}

impl Store {
    /// This device's id in the sync protocol.
    pub fn client_id(&self) -> ClientId {
        self.client_id
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the pool: its connect options hold the key pragma.
        f.debug_struct("Store")
            .field("client_id", &self.client_id)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}
