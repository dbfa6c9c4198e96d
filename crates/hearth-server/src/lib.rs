//! `hearth-server`: the central server the desktop app signs in to and syncs with.
//!
//! - [`store`]: the storage trait and its SQLite and PostgreSQL implementations.
//! - [`auth`], [`users`]: the HTTP handlers; [`app`] holds the state, the signed-in user
//!   extractor and the router; [`error`] the one error type and body.
//! - [`sync`]: push and pull (the storage side is in `sync_db`, one transaction per
//!   mutation).
//! - [`documents`]: resumable upload and download of document bytes (the storage side is
//!   in `documents_db`; the bytes are files under the data folder).
//! - [`access`]: who may do what to which record; [`audit`]: the hash-chained log.
//! - [`secrets`]: Argon2id passwords, tokens and codes; [`mail`]: SMTP or the dev outbox;
//!   [`notify`]: the emails sync pushes queue, sent after commit.
//! - [`drafts`]: referral drafts deleted 30 days after their last save (or later, while a
//!   device of the author may hold a save not yet sent), with a warning email before;
//!   swept by [`serve`] once at start and hourly.
//! - [`clock`]: time is passed in ([`clock::ManualClock`] in tests).
//!
//! Invariants: no state in the process (attempts, codes, throttles and sessions are rows);
//! nothing personal in a log line or an audit row; codes reach the console only in
//! development (no SMTP configured).

#![forbid(unsafe_code)]

pub mod access;
pub mod app;
pub mod audit;
mod audit_db;
pub mod auth;
pub mod clock;
pub mod config;
pub mod documents;
mod documents_db;
pub mod drafts;
mod drafts_db;
pub mod error;
pub mod mail;
pub mod notify;
pub mod secrets;
pub mod seed;
pub mod store;
pub mod sync;
mod sync_db;
pub mod users;

use std::sync::Arc;

use anyhow::Context;

use crate::app::AppState;
use crate::clock::Clock;
use crate::config::Settings;
use crate::mail::Mailer;
use crate::store::DynStore;

/// Opens (and migrates) the database the settings name.
pub async fn open_store(settings: &Settings) -> anyhow::Result<DynStore> {
    if settings.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir).context("creating the data folder")?;
    }
    let store = store::connect(&settings.database_url)
        .await
        .context("opening the database")?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

pub fn mailer(settings: &Settings) -> anyhow::Result<Mailer> {
    match &settings.smtp_url {
        Some(url) => Mailer::smtp(url, &settings.mail_from),
        None => Mailer::outbox(settings.outbox_dir(), &settings.mail_from),
    }
}

/// Serves until the listener fails or `shutdown` resolves. Meanwhile sweeps the referral
/// drafts ([`drafts::sweep`]) at once and every [`drafts::SWEEP_EVERY`], by the state's clock
/// and policy.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    /// Stops the sweeper when serving stops (or this future is dropped).
    struct Sweeper(tokio::task::JoinHandle<()>);
    impl Drop for Sweeper {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let _sweeper = Sweeper(tokio::spawn(drafts::run(
        Arc::downgrade(&state.store),
        state.clock.clone(),
        state.policy.clone(),
        state.mail_wake.clone(),
        drafts::SWEEP_EVERY,
    )));
    axum::serve(listener, app::router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")
}

/// The state for `serve` with the real clock.
pub async fn state(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    let store = open_store(settings).await?;
    Ok(AppState::new(store, clock, mailer(settings)?)
        .await?
        .with_documents_dir(&settings.data_dir))
}
