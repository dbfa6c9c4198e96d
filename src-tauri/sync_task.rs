//! The sync engine in the background while signed in and unlocked.
//!
//! One task per session: it keeps a valid access token (refreshing it with the refresh
//! token from the cache a minute before it expires, or when the server says it expired),
//! runs [`hearth_sync::Engine::sync_with`] every [`SYNC_EVERY`] or when woken, and turns the
//! engine's [`SyncEvent`]s into the sync bar's [`SyncStatus`]. It never holds the
//! `store` lock, so commands (autosave) never wait for it. A server that answers
//! `wipe_device` (on refresh or sync) makes it wipe this device's cache. Each turn, online
//! or not, first deletes the referral drafts past their 30 days.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use hearth_protocol::ErrorCode as WireCode;
use hearth_store::Store;
use hearth_sync::{Engine, EngineConfig, SyncError, SyncEvent};
use tokio::sync::Notify;
use zeroize::Zeroizing;

use crate::dto::{saturating_u32, Progress, SyncState};
use crate::session::{self, keys, AuthClient, AuthFailure};
use crate::state::AppState;

/// How often to sync when nothing wakes the task.
pub const SYNC_EVERY: Duration = Duration::from_secs(30);
const BACKOFF_START: Duration = Duration::from_secs(2);
const BACKOFF_MAX: Duration = Duration::from_secs(120);
/// Refresh the access token this long before it expires.
const REFRESH_MARGIN: chrono::Duration = chrono::Duration::seconds(60);

/// The running task. Dropping it does not stop the task: call [`SyncRunner::stop`].
pub struct SyncRunner {
    stop: Arc<AtomicBool>,
    wake: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl SyncRunner {
    /// Starts syncing `store` with the server at `base_url`.
    pub fn start(state: AppState, store: Store, base_url: String) -> Result<Self, SyncError> {
        let engine = Engine::new(store, EngineConfig::new(base_url.clone(), String::new()))?;
        let auth = AuthClient::new(&base_url);
        let stop = Arc::new(AtomicBool::new(false));
        let wake = Arc::new(Notify::new());
        let task = tokio::spawn(run(state, engine, auth, stop.clone(), wake.clone()));
        Ok(Self { stop, wake, task })
    }

    /// Syncs now rather than at the next interval.
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    /// Asks the task to stop after the current step, without waiting (from inside it).
    pub fn signal_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Stops the task: waits a few seconds for a sync in flight to finish its step, then
    /// cancels it (every store write is one transaction, so nothing is half-written).
    pub async fn stop(mut self) {
        self.signal_stop();
        if tokio::time::timeout(Duration::from_secs(5), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

/// Why no access token could be had.
enum TokenProblem {
    Offline(String),
    SignInNeeded,
    Wipe,
    Store(String),
}

async fn access_token(
    state: &AppState,
    store: &Store,
    auth: &AuthClient,
) -> Result<String, TokenProblem> {
    let now = Utc::now();
    {
        let session = state.session.lock().await;
        if let (Some(token), Some(expires)) = (&session.access_token, session.access_expires_at) {
            if expires - REFRESH_MARGIN > now {
                return Ok(token.to_string());
            }
        }
    }
    let refresh = store
        .setting(keys::REFRESH_TOKEN)
        .await
        .map_err(|e| TokenProblem::Store(e.to_string()))?
        .map(Zeroizing::new)
        .ok_or(TokenProblem::SignInNeeded)?;
    match auth.refresh(&refresh).await {
        Ok(tokens) => {
            session::remember_tokens(store, &tokens, Utc::now())
                .await
                .map_err(|e| TokenProblem::Store(e.message))?;
            let mut session = state.session.lock().await;
            session.access_token = Some(Zeroizing::new(tokens.access_token.expose().to_owned()));
            session.access_expires_at = Some(tokens.access_expires_at);
            tracing::info!("access token refreshed");
            Ok(tokens.access_token.expose().to_owned())
        }
        Err(failure) if failure.is_wipe() => Err(TokenProblem::Wipe),
        Err(failure) if failure.is_unauthenticated() => Err(TokenProblem::SignInNeeded),
        Err(AuthFailure::Unreachable) => Err(TokenProblem::Offline(
            "Hearth cannot reach the server. Your changes are kept on this device and sent when you are back online."
                .into(),
        )),
        Err(other) => Err(TokenProblem::Offline(crate::error::AppError::from(other).message)),
    }
}

async fn forget_access_token(state: &AppState) {
    let mut session = state.session.lock().await;
    session.access_token = None;
    session.access_expires_at = None;
}

async fn run(
    state: AppState,
    engine: Engine,
    auth: AuthClient,
    stop: Arc<AtomicBool>,
    wake: Arc<Notify>,
) {
    let store = engine.store().clone();
    let mut backoff = BACKOFF_START;
    let mut retried_token = false;
    while !stop.load(Ordering::SeqCst) {
        // Referral drafts 30 days past their last save go first, on opening (this loop's
        // first turn) and before every sync, so their discards are pushed with it.
        if let Err(err) = crate::referrals::delete_expired_drafts(&store, Utc::now()).await {
            tracing::warn!(code = ?err.code, "expired referral drafts could not be deleted");
        }
        let wait = match access_token(&state, &store, &auth).await {
            Err(TokenProblem::Wipe) => {
                crate::shell::wipe(&state, true).await;
                return;
            }
            Err(TokenProblem::SignInNeeded) => {
                state.update_sync_status(|s| {
                    s.state = SyncState::SignInNeeded;
                    s.upload = None;
                    s.download = None;
                    s.message =
                        Some("Your session has ended. Sign in again to sync your changes.".into());
                });
                tracing::info!("sync stopped: an online sign-in is needed");
                return;
            }
            Err(TokenProblem::Offline(message)) | Err(TokenProblem::Store(message)) => {
                state.update_sync_status(|s| {
                    s.state = SyncState::Offline;
                    s.upload = None;
                    s.download = None;
                    s.message = Some(message);
                });
                next_backoff(&mut backoff)
            }
            Ok(token) => {
                engine.set_access_token(token);
                state.update_sync_status(|s| {
                    s.state = SyncState::Syncing;
                    s.message = None;
                });
                let tasks_before = task_count(&store).await;
                let progress_state = state.clone();
                let progress = move |event: SyncEvent| on_event(&progress_state, event);
                let result = engine.sync_with(&progress).await;
                let conflicts = store.conflicts().await.map(|c| c.len()).unwrap_or(0);
                let pending = store.counts().await.map(|c| c.pending_outbox).unwrap_or(0);
                state.update_sync_status(|s| {
                    s.conflicts = saturating_u32(conflicts as u64);
                    s.pending_changes = saturating_u32(pending);
                    s.upload = None;
                    s.download = None;
                });
                match result {
                    Ok(report) => {
                        if report.pulled > 0 {
                            let tasks_after = task_count(&store).await;
                            if let Some(body) = new_tasks_message(tasks_before, tasks_after) {
                                state.notify("Hearth", &body);
                            }
                        }
                        retried_token = false;
                        backoff = BACKOFF_START;
                        state.update_sync_status(|s| {
                            s.state = SyncState::UpToDate;
                            s.last_synced_at = Some(Utc::now());
                            s.completed_syncs = s.completed_syncs.wrapping_add(1);
                            s.message = None;
                        });
                        tracing::info!(
                            pushed = report.pushed,
                            pulled = report.pulled,
                            "sync finished"
                        );
                        SYNC_EVERY
                    }
                    Err(SyncError::Server {
                        code: Some(WireCode::WipeDevice),
                        ..
                    }) => {
                        crate::shell::wipe(&state, true).await;
                        return;
                    }
                    Err(SyncError::Server {
                        code: Some(WireCode::Unauthenticated),
                        ..
                    }) if !retried_token => {
                        // The access token expired or was revoked: refresh and go again now.
                        retried_token = true;
                        forget_access_token(&state).await;
                        Duration::ZERO
                    }
                    Err(err) => {
                        let offline = matches!(err, SyncError::Offline(_));
                        if matches!(
                            err,
                            SyncError::Server {
                                code: Some(WireCode::Unauthenticated),
                                ..
                            }
                        ) {
                            forget_access_token(&state).await;
                        }
                        state.update_sync_status(|s| {
                            s.state = if offline {
                                SyncState::Offline
                            } else {
                                SyncState::Failed
                            };
                            s.message = Some(err.to_string());
                        });
                        next_backoff(&mut backoff)
                    }
                }
            }
        };
        if stop.load(Ordering::SeqCst) {
            break;
        }
        if !wait.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.notified() => {}
            }
        }
    }
}

async fn task_count(store: &Store) -> usize {
    store
        .list(hearth_domain::RecordKind::Task)
        .await
        .map(|tasks| tasks.len())
        .unwrap_or(0)
}

/// The notification for tasks that arrived by sync (no names: the lock screen may show it).
pub(crate) fn new_tasks_message(before: usize, after: usize) -> Option<String> {
    match after.saturating_sub(before) {
        0 => None,
        1 => Some("A new task has arrived in Hearth.".into()),
        n => Some(format!("{n} new tasks have arrived in Hearth.")),
    }
}

fn next_backoff(backoff: &mut Duration) -> Duration {
    let wait = *backoff;
    *backoff = (*backoff * 2).min(BACKOFF_MAX);
    wait
}

/// The engine's progress, for the sync bar.
pub(crate) fn on_event(state: &AppState, event: SyncEvent) {
    state.update_sync_status(|s| match event {
        SyncEvent::Started => {
            s.state = SyncState::Syncing;
            s.upload = None;
            s.download = None;
        }
        SyncEvent::Pushed {
            done,
            waiting,
            bytes_sent,
        } => {
            s.upload = Some(Progress {
                done: saturating_u32(done),
                total: Some(saturating_u32(done.saturating_add(waiting))),
                bytes: saturating_u32(bytes_sent),
            });
        }
        SyncEvent::Pulled {
            records,
            bytes_received,
        } => {
            s.download = Some(Progress {
                done: saturating_u32(records),
                total: None,
                bytes: saturating_u32(bytes_received),
            });
        }
        SyncEvent::Finished(_) | SyncEvent::Failed { .. } => {}
        // Events added to the engine later (byte progress of documents) show nothing yet.
        #[allow(unreachable_patterns)]
        _ => {}
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_says_how_many_tasks_arrived_and_names_nobody() {
        assert_eq!(new_tasks_message(3, 3), None);
        assert_eq!(new_tasks_message(3, 2), None);
        assert_eq!(
            new_tasks_message(0, 1).as_deref(),
            Some("A new task has arrived in Hearth.")
        );
        assert_eq!(
            new_tasks_message(1, 4).as_deref(),
            Some("3 new tasks have arrived in Hearth.")
        );
    }

    #[test]
    fn progress_events_fill_the_sync_bar() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(
            dir.path().to_path_buf(),
            crate::state::KeyPolicy::PasswordOnly,
        );
        on_event(&state, SyncEvent::Started);
        assert_eq!(state.sync_status().state, SyncState::Syncing);
        on_event(
            &state,
            SyncEvent::Pushed {
                done: 3,
                waiting: 1,
                bytes_sent: 2048,
            },
        );
        on_event(
            &state,
            SyncEvent::Pulled {
                records: 7,
                bytes_received: u64::MAX,
            },
        );
        let status = state.sync_status();
        assert_eq!(
            status.upload,
            Some(Progress {
                done: 3,
                total: Some(4),
                bytes: 2048
            })
        );
        assert_eq!(
            status.download,
            Some(Progress {
                done: 7,
                total: None,
                bytes: u32::MAX
            })
        );
    }
}
