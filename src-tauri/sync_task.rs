//! The sync engine in the background while signed in and unlocked.
//!
//! One task per session: it keeps a valid access token (refreshing it with the refresh
//! token from the cache a minute before it expires, or when the server says it expired),
//! runs [`hearth_sync::Engine::sync_with`] every [`SYNC_EVERY`], when woken, or (online) once
//! new edits have waited [`EDITS_QUIET`] with no more typed, and turns the
//! engine's [`SyncEvent`]s into the sync bar's [`SyncStatus`]. It never holds the
//! `store` lock, so commands (autosave) never wait for it. A server that answers
//! `wipe_device` (on refresh or sync) makes it wipe this device's cache. Each turn, online
//! or not, first deletes the referral drafts past their 30 days.

use std::collections::BTreeSet;
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
/// Online, edits are sent once no new one has been saved for this long (a pause in typing),
/// rather than at the next [`SYNC_EVERY`].
pub const EDITS_QUIET: Duration = Duration::from_secs(2);
/// How often the wait between syncs looks at the outbox for new edits.
const EDITS_LOOK_EVERY: Duration = Duration::from_millis(500);
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
    // Transfers already waiting when this session started are not news.
    let mut known_transfers = transfers_waiting_ids(&store).await;
    while !stop.load(Ordering::SeqCst) {
        // Referral drafts 30 days past their last save go first, on opening (this loop's
        // first turn) and before every sync, so their discards are pushed with it.
        if let Err(err) = crate::referrals::delete_expired_drafts(&store, Utc::now()).await {
            tracing::warn!(code = ?err.code, "expired referral drafts could not be deleted");
        }
        // Set when this turn's sync reached the server and finished.
        let mut synced = false;
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
                let pending = store.pending().await.unwrap_or_default();
                state.update_sync_status(|s| {
                    s.conflicts = saturating_u32(conflicts as u64);
                    s.set_pending(pending);
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
                        // After every sync that finished, not only one that pulled: a sync
                        // that failed after applying pages leaves its offers for this one.
                        let waiting = transfers_waiting_ids(&store).await;
                        if let Some(body) = new_transfers_message(&mut known_transfers, waiting) {
                            state.notify("Hearth", &body);
                        }
                        retried_token = false;
                        backoff = BACKOFF_START;
                        synced = true;
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
        if synced {
            // The last sync reached the server: what is typed now goes at the next pause.
            wait_sending_edits(&store, wait, &wake).await;
        } else if !wait.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.notified() => {}
            }
        }
    }
}

/// Waits up to `wait`, or until woken, or until edits are waiting and none has been added for
/// [`EDITS_QUIET`]: a practitioner who stops typing while online has the change on the
/// server within seconds, not up to half a minute later (a laptop shut meanwhile would keep
/// it until the next connection).
async fn wait_sending_edits(store: &Store, wait: Duration, wake: &Notify) {
    let deadline = tokio::time::Instant::now() + wait;
    // Edits the last sync left waiting (a document whose bytes could not go yet) wait for
    // the next turn as before: only edits saved since then shorten the wait, so a sync that
    // cannot empty the outbox never turns into a loop.
    let left = store.newest_pending_mutation().await.ok().flatten();
    let mut newest = left;
    let mut quiet_since = tokio::time::Instant::now();
    loop {
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(EDITS_LOOK_EVERY.min(deadline - now)) => {}
            _ = wake.notified() => return,
        }
        let Ok(seen) = store.newest_pending_mutation().await else {
            continue;
        };
        if seen != newest {
            newest = seen;
            quiet_since = tokio::time::Instant::now();
        } else if seen.is_some() && seen != left && quiet_since.elapsed() >= EDITS_QUIET {
            return;
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

/// The plans in the cache whose transfer waits for the signed-in user to authorise it (none
/// while this device does not know who is signed in).
pub(crate) async fn transfers_waiting_ids(store: &Store) -> BTreeSet<String> {
    let Ok(Some(me)) = crate::sharing::me_of(store).await else {
        return BTreeSet::new();
    };
    crate::sharing::waiting_for(store, &me)
        .await
        .map(|w| w.into_iter().map(|t| t.plan_id).collect())
        .unwrap_or_default()
}

/// The notification for transfers offered to the signed-in user that they have not been
/// told of: plans waiting now that were not waiting when last looked (`known`), which then
/// becomes what waits now, so an offer is told once (and an offer answered, then made
/// again, is news again). Names nobody: the lock screen may show it.
pub(crate) fn new_transfers_message(
    known: &mut BTreeSet<String>,
    waiting: BTreeSet<String>,
) -> Option<String> {
    let new = waiting.difference(known).count();
    *known = waiting;
    match new {
        0 => None,
        1 => Some("A plan is waiting for you to authorise its transfer in Hearth.".into()),
        n => Some(format!(
            "{n} plans are waiting for you to authorise their transfer in Hearth."
        )),
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

    fn ids(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_transfer_offer_is_told_once_and_names_nobody() {
        let mut known = ids(&["p1"]);
        // Already waiting when last looked: nothing.
        assert_eq!(new_transfers_message(&mut known, ids(&["p1"])), None);
        assert_eq!(
            new_transfers_message(&mut known, ids(&["p1", "p2"])).as_deref(),
            Some("A plan is waiting for you to authorise its transfer in Hearth.")
        );
        // Told: not again, however many syncs follow.
        assert_eq!(new_transfers_message(&mut known, ids(&["p1", "p2"])), None);
        assert_eq!(
            new_transfers_message(&mut known, ids(&["p2", "p3", "p4"])).as_deref(),
            Some("2 plans are waiting for you to authorise their transfer in Hearth.")
        );
        // Answered (gone from the list), then offered again later: news again.
        assert_eq!(new_transfers_message(&mut known, ids(&["p3", "p4"])), None);
        assert_eq!(
            new_transfers_message(&mut known, ids(&["p2", "p3", "p4"])).as_deref(),
            Some("A plan is waiting for you to authorise its transfer in Hearth.")
        );
        assert_eq!(new_transfers_message(&mut known, BTreeSet::new()), None);
        assert!(known.is_empty());
    }

    /// Which pulled changes make a notification: a plan pulled with a transfer to the
    /// signed-in user awaiting authorisation, and nothing else (another recipient, an
    /// answered transfer, a plan with no transfer); pulling it again tells nothing.
    #[tokio::test]
    async fn pulled_plans_offering_a_transfer_to_me_are_told_once() {
        use hearth_domain::RecordKind;
        use hearth_store::{DatabaseKey, KeyStorage, PulledPage, PulledRecord};
        use serde_json::json;

        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_or_create(
            dir.path(),
            KeyStorage::Supplied {
                key: DatabaseKey::from_bytes([9; 32]),
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let me = "0192f000-0000-7000-8000-0000000000aa";
        let other = "0192f000-0000-7000-8000-0000000000bb";
        // Nobody known on this device yet: nothing waits for anyone.
        assert!(transfers_waiting_ids(&store).await.is_empty());
        let account = json!({
            "id": me, "forename": "Jo", "surname": "Invented",
            "email": "jo.invented@example.org.uk", "roles": ["practitioner"],
            "services": [], "work_groups": [], "out_of_office": null, "active": true
        });
        store
            .set_setting(keys::ACCOUNT, &account.to_string())
            .await
            .unwrap();
        let mut known = transfers_waiting_ids(&store).await;
        assert!(known.is_empty());

        let plan = |id: uuid::Uuid, version: i64, transfer: serde_json::Value| PulledRecord {
            id,
            kind: RecordKind::Plan,
            version,
            epoch: 0,
            deleted: false,
            fields: json!({"family_name": "Testfamily", "transfer": transfer})
                .as_object()
                .unwrap()
                .clone(),
            reference: None,
        };
        let offer =
            |to: &str, state: &str| json!({"to": to, "state": state, "sender_leaves": false});
        let ids_of = |n: usize| (0..n).map(|_| uuid::Uuid::now_v7()).collect::<Vec<_>>();
        let p = ids_of(5);
        let pull = async |cursor: i64, records: Vec<PulledRecord>| {
            store
                .apply_pull(
                    &PulledPage {
                        records,
                        purges: Vec::new(),
                        cursor,
                        server_epoch: "e1".into(),
                    },
                    Utc::now(),
                )
                .await
                .unwrap();
        };
        pull(
            1,
            vec![
                plan(p[0], 1, offer(other, "awaiting_authorisation")),
                plan(p[1], 1, offer(me, "refused")),
                plan(p[2], 1, serde_json::Value::Null),
            ],
        )
        .await;
        let waiting = transfers_waiting_ids(&store).await;
        assert_eq!(new_transfers_message(&mut known, waiting), None);

        pull(
            2,
            vec![
                plan(p[3], 1, offer(me, "awaiting_authorisation")),
                plan(p[4], 1, offer(me, "authorised")),
            ],
        )
        .await;
        let waiting = transfers_waiting_ids(&store).await;
        assert_eq!(waiting, ids(&[&p[3].to_string()]));
        assert_eq!(
            new_transfers_message(&mut known, waiting).as_deref(),
            Some("A plan is waiting for you to authorise its transfer in Hearth.")
        );
        // The same offer pulled again (another change to the plan): not told again.
        let mut again = plan(p[3], 2, offer(me, "awaiting_authorisation"));
        again
            .fields
            .insert("family_name".into(), json!("Othertestfamily"));
        pull(3, vec![again]).await;
        let waiting = transfers_waiting_ids(&store).await;
        assert_eq!(new_transfers_message(&mut known, waiting), None);
        // A plan already here is offered to me: news.
        pull(4, vec![plan(p[2], 2, offer(me, "awaiting_authorisation"))]).await;
        let waiting = transfers_waiting_ids(&store).await;
        assert_eq!(
            new_transfers_message(&mut known, waiting).as_deref(),
            Some("A plan is waiting for you to authorise its transfer in Hearth.")
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
