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
//! Invariants: a mutation leaves the outbox only when the server has answered it, in the
//! same local transaction that records the answer; a pulled page and its cursor are written
//! in one local transaction; every store call is a short transaction, so typing (autosave)
//! is never blocked for long. Log lines carry ids and counts only.

#![forbid(unsafe_code)]

mod engine;

pub use engine::{Engine, EngineConfig, SyncError, SyncEvent, SyncHandle, SyncReport};
