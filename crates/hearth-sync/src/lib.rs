//! `hearth-sync`: the desktop app's sync engine. It pushes the local store's outbox to
//! `hearth-server`, records the answers (applied, conflict, rejected) in the store, pulls
//! the change log page by page, and runs in the background with back-off while offline
//! (DESIGN.md, "Sync protocol").
//!
//! ```no_run
//! # async fn demo(store: hearth_store::Store) -> Result<(), hearth_sync::SyncError> {
//! use hearth_sync::{Engine, EngineConfig};
//! let engine = Engine::new(store, EngineConfig::new("https://hearth.example.org.uk", "token"))?;
//! let report = engine.sync_once().await?;          // one push + pull, now
//! let (handle, mut events) = engine.spawn(std::time::Duration::from_secs(30));
//! while let Some(event) = events.recv().await { /* progress bars */ }
//! # Ok(()) }
//! ```
//!
//! Documents (`documents`): before a push batch goes, the bytes of each `put_document` in
//! it are uploaded resumably (the server is asked how far it got, then 4 MiB chunks with
//! their SHA-256, then finalise), so metadata never reaches the server before its bytes and
//! the outbox order holds; pulled documents' metadata is applied with its page like any
//! record, and once every page is in, their bytes are downloaded by hash, verified and
//! stored (in the same sync; a failure leaves them for the next one). A server restored from a backup (a new epoch, or a push refused with a
//! gap) gets the journal of answered mutations again, then everything is pulled again.
//!
//! Progress (`SyncEvent`): `Pushed` after each answered push batch, `Pulled` after each
//! applied page (records so far; the server gives no total), `Upload` with the bytes of a
//! document the server has checked (where it resumed, then after each chunk) and
//! `Download` with the bytes of a pulled document received so far (every 64 KiB and at
//! the end). Per document the byte figures never go down within a sync and end at the
//! total. `tests/sync/progress.rs` checks them end to end.
//!
//! Invariants: a mutation leaves the outbox only when the server has answered it, in the
//! same local transaction that records the answer (and keeps it in the journal); a pulled page and its cursor are written
//! in one local transaction; every store call is a short transaction, so typing (autosave)
//! is never blocked for long. Log lines carry ids and counts only.

#![forbid(unsafe_code)]

mod documents;
mod engine;

pub use documents::{
    UploadReport, DOWNLOADS_AT_ONCE, STORE_BATCH_BYTES, STORE_BATCH_DOCUMENTS, UPLOAD_CHUNK_BYTES,
};
pub use engine::{Engine, EngineConfig, SyncError, SyncEvent, SyncHandle, SyncReport};
