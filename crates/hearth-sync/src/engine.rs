//! The engine: one sync is a push of the whole outbox, then a pull to the end of the log,
//! then the bytes of pulled documents not yet in the cache.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth_protocol::sync::{
    FieldChange, Outcome, PullResponse, PushMutation, PushRequest, PushResponse, SyncOperation,
};
use hearth_protocol::{paths, ErrorBody, ErrorCode};
use hearth_store::{
    Answer, ConflictField, MutationId, Operation, PulledPage, PulledRecord, Store, StoreError,
};
use tokio::sync::{mpsc, Notify};

/// Where the server is and how to talk to it.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// e.g. `https://hearth.example.org.uk` (no trailing slash).
    pub base_url: String,
    pub access_token: String,
    /// Each request's time limit (connect and answer).
    pub request_timeout: Duration,
    /// Mutations per push request.
    pub push_batch: u32,
    /// Records per pulled page.
    pub pull_page: u32,
    /// The first wait after a failure; doubled after each further failure.
    pub backoff_start: Duration,
    pub backoff_max: Duration,
    /// Idle connections kept per host (0: a new connection for every request).
    pub idle_connections_per_host: usize,
}

impl EngineConfig {
    pub fn new(base_url: impl Into<String>, access_token: impl Into<String>) -> Self {
        EngineConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            access_token: access_token.into(),
            request_timeout: Duration::from_secs(30),
            push_batch: 200,
            pull_page: 500,
            backoff_start: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            idle_connections_per_host: usize::MAX,
        }
    }
}

/// What went wrong with a sync. Nothing is lost by any of them: what was not answered is
/// still in the outbox, what was not pulled comes with the next pull.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached, or the connection broke (offline, timeout).
    #[error(
        "The Hearth server could not be reached; changes are kept on this device and sent later"
    )]
    Offline(#[source] reqwest::Error),
    /// The server answered with an error.
    #[error("The Hearth server refused the sync ({status}): {message}")]
    Server {
        status: u16,
        code: Option<ErrorCode>,
        message: String,
    },
    /// The server is missing mutations this device believes it sent (e.g. it was restored
    /// from a backup).
    #[error("The Hearth server is missing changes from this device: {message}")]
    Gap { message: String },
    /// The server needs changes from this device that it no longer keeps: answered ones
    /// are kept for [`hearth_store::JOURNAL_DAYS`] days only (e.g. the server was restored
    /// from an older backup). Sending again cannot fill the gap, so the background loop
    /// pauses instead of retrying; a person must act (an administrator). Nothing waiting
    /// is lost: unsent changes stay in the outbox.
    #[error(
        "The Hearth server is missing changes this device sent more than {journal_days} days \
         ago, which are no longer kept here ({message}). Sync is paused: ask your Hearth \
         administrator. Changes not yet sent are kept on this device"
    )]
    GapCannotBeFilled {
        /// The oldest change this device still holds to send.
        first_held: Option<i64>,
        journal_days: i64,
        /// The server's words (ids only).
        message: String,
    },
    /// The answer could not be understood.
    #[error("The Hearth server's answer could not be read: {0}")]
    Protocol(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// Worth retrying later without anyone doing anything (network, server busy).
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Offline(_) => true,
            SyncError::Server { status, .. } => *status >= 500 || *status == 429,
            SyncError::Protocol(_) => true,
            _ => false,
        }
    }

    /// Retrying cannot help until a person acts: the background loop pauses.
    pub fn needs_attention(&self) -> bool {
        matches!(self, SyncError::GapCannotBeFilled { .. })
    }
}

/// Figures of one sync, for progress and logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Mutations the server answered.
    pub pushed: u64,
    pub applied: u64,
    pub conflicts: u64,
    pub rejected: u64,
    /// Records received (changes) and removed (purges).
    pub pulled: u64,
    pub purged: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// Progress, for the app's progress bars (`sync://progress`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncEvent {
    Started,
    /// Mutations answered so far in this sync, and how many are still waiting.
    Pushed {
        done: u64,
        waiting: u64,
        bytes_sent: u64,
    },
    /// Records received so far in this sync (after each applied page).
    Pulled {
        records: u64,
        bytes_received: u64,
    },
    /// A document's bytes going up: `done` of `total` bytes are on the server (checked
    /// there). Per document, `done` never goes down within one sync and ends at `total`
    /// when the upload completes; the first event of an attempt shows where it resumed.
    Upload {
        document: uuid::Uuid,
        done: u64,
        total: u64,
    },
    /// A pulled document's bytes coming down (after the records are pulled): `done` of
    /// `total` bytes received. Per document, `done` never goes down and ends at `total`;
    /// the bytes are then verified against their SHA-256 and stored.
    Download {
        document: uuid::Uuid,
        done: u64,
        total: u64,
    },
    Finished(SyncReport),
    /// Sync failed in a way retrying cannot mend ([`SyncError::needs_attention`]): the
    /// background loop no longer retries on its own, only when woken
    /// ([`SyncHandle::sync_now`], e.g. a person pressing "Sync now").
    Paused {
        message: String,
    },
    /// The sync failed; the next try is in `retry_in`.
    Failed {
        transient: bool,
        retry_in: Duration,
        message: String,
    },
}

pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) http: reqwest::Client,
    pub(crate) config: EngineConfig,
    token: Mutex<String>,
    /// Only one sync at a time (the background loop and `sync_once` callers share it).
    running: tokio::sync::Mutex<()>,
}

/// The sync engine for one store. Cheap to clone.
#[derive(Clone)]
pub struct Engine(pub(crate) Arc<Inner>);

/// The background loop: [`SyncHandle::sync_now`] wakes it, dropping or
/// [`SyncHandle::stop`] ends it.
pub struct SyncHandle {
    wake: Arc<Notify>,
    stop: Arc<AtomicBool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SyncHandle {
    /// Syncs now (e.g. after an edit, or when the network comes back).
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    /// Ends the loop after the sync under way (if any) and waits for it.
    pub async fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }
}

fn operation(op: Operation) -> SyncOperation {
    match op {
        Operation::Create => SyncOperation::Create,
        Operation::Update => SyncOperation::Update,
        Operation::Discard => SyncOperation::Discard,
        Operation::PutDocument => SyncOperation::PutDocument,
        Operation::DeleteDocument => SyncOperation::DeleteDocument,
    }
}

fn answer(outcome: Outcome) -> Answer {
    match outcome {
        Outcome::Applied { version, reference } => Answer::Applied { version, reference },
        Outcome::Skipped { original: Some(o) } => answer(*o),
        Outcome::Skipped { original: None } => Answer::AnsweredBefore,
        Outcome::Conflict { version, fields } => Answer::Conflict {
            server_version: version,
            fields: fields
                .into_iter()
                .map(|f| ConflictField {
                    field: f.field,
                    base: f.base,
                    mine: f.mine,
                    theirs: f.theirs,
                })
                .collect(),
        },
        Outcome::Rejected { reason } => Answer::Rejected { reason },
    }
}

impl Engine {
    pub fn new(store: Store, config: EngineConfig) -> Result<Engine, SyncError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout)
            .pool_max_idle_per_host(config.idle_connections_per_host)
            .build()
            .map_err(SyncError::Offline)?;
        Ok(Engine(Arc::new(Inner {
            store,
            http,
            token: Mutex::new(config.access_token.clone()),
            config,
            running: tokio::sync::Mutex::new(()),
        })))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// Uses a new access token from now on (after a refresh).
    pub fn set_access_token(&self, token: impl Into<String>) {
        *self.0.token.lock().unwrap_or_else(|e| e.into_inner()) = token.into();
    }

    fn token(&self) -> String {
        self.0
            .token
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// One sync now: push the whole outbox, then pull to the end of the change log.
    pub async fn sync_once(&self) -> Result<SyncReport, SyncError> {
        self.sync_with(&|_| {}).await
    }

    /// [`Engine::sync_once`], reporting progress to `progress`.
    pub async fn sync_with(
        &self,
        progress: &(dyn Fn(SyncEvent) + Send + Sync),
    ) -> Result<SyncReport, SyncError> {
        let _one = self.0.running.lock().await;
        progress(SyncEvent::Started);
        let mut report = SyncReport::default();
        self.push(&mut report, progress).await?;
        if self.pull(&mut report, progress).await? {
            // A new server epoch: the answered mutations went back into the outbox; send
            // them, then read everything again.
            self.push(&mut report, progress).await?;
            self.pull(&mut report, progress).await?;
        }
        // Pulled documents' bytes, once every record is in (their metadata came with it).
        self.download_missing(&mut report, progress).await?;
        tracing::debug!(
            pushed = report.pushed,
            conflicts = report.conflicts,
            pulled = report.pulled,
            "sync finished"
        );
        progress(SyncEvent::Finished(report.clone()));
        Ok(report)
    }

    pub(crate) async fn send(&self, req: reqwest::RequestBuilder) -> Result<Vec<u8>, SyncError> {
        let res = self.send_for_response(req).await?;
        Ok(res.bytes().await.map_err(SyncError::Offline)?.to_vec())
    }

    /// Sends `req` with the access token; a successful answer with its body still to read
    /// (for streaming it), any other answer as its error.
    pub(crate) async fn send_for_response(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, SyncError> {
        let res = req
            .bearer_auth(self.token())
            .send()
            .await
            .map_err(SyncError::Offline)?;
        let status = res.status();
        if status.is_success() {
            Ok(res)
        } else {
            let body = res.bytes().await.map_err(SyncError::Offline)?.to_vec();
            let parsed: Option<ErrorBody> = serde_json::from_slice(&body).ok();
            let (code, message) = match parsed {
                Some(b) => (Some(b.code), b.message),
                None => (
                    None,
                    String::from_utf8_lossy(&body).chars().take(200).collect(),
                ),
            };
            if code == Some(ErrorCode::SyncGap) {
                return Err(SyncError::Gap { message });
            }
            Err(SyncError::Server {
                status: status.as_u16(),
                code,
                message,
            })
        }
    }

    async fn push(
        &self,
        report: &mut SyncReport,
        progress: &(dyn Fn(SyncEvent) + Send + Sync),
    ) -> Result<(), SyncError> {
        let store = &self.0.store;
        let mut requeued = false;
        loop {
            let pending = store.pending_mutations(self.0.config.push_batch).await?;
            if pending.is_empty() {
                return Ok(());
            }
            // A document's metadata goes only once its bytes are up.
            self.upload_for_batch(&pending, report, progress).await?;
            let request = PushRequest {
                client_id: store.client_id().as_uuid(),
                mutations: pending
                    .iter()
                    .map(|m| PushMutation {
                        mutation_id: m.mutation_id.0,
                        record_id: m.record_id,
                        kind: m.kind,
                        operation: operation(m.operation),
                        base_version: m.base_version,
                        epoch: m.epoch,
                        changes: m
                            .changes
                            .iter()
                            .map(|c| FieldChange {
                                field: c.field.clone(),
                                base: c.base.clone(),
                                value: c.value.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            };
            let body =
                serde_json::to_vec(&request).map_err(|e| SyncError::Protocol(e.to_string()))?;
            report.bytes_sent += u64::try_from(body.len()).unwrap_or(0);
            let url = format!("{}{}", self.0.config.base_url, paths::SYNC_PUSH);
            let sent = self
                .send(
                    self.0
                        .http
                        .post(url)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body),
                )
                .await;
            let bytes = match sent {
                // The server lacks mutations it once answered (restored from a backup):
                // send them again from the journal, once per sync.
                Err(SyncError::Gap { .. }) if !requeued => {
                    requeued = true;
                    store.begin_restore().await?;
                    continue;
                }
                // Everything journalled went again and the server still lacks some: older
                // than the journal. Retrying cannot fill it.
                Err(SyncError::Gap { message }) => {
                    tracing::warn!(
                        first_held = pending.first().map(|m| m.mutation_id.0),
                        "the server lacks changes older than the journal"
                    );
                    return Err(SyncError::GapCannotBeFilled {
                        first_held: pending.first().map(|m| m.mutation_id.0),
                        journal_days: hearth_store::JOURNAL_DAYS,
                        message,
                    });
                }
                other => other?,
            };
            report.bytes_received += u64::try_from(bytes.len()).unwrap_or(0);
            let response: PushResponse =
                serde_json::from_slice(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))?;
            if response.results.is_empty() {
                return Err(SyncError::Protocol(
                    "a push was answered with nothing".into(),
                ));
            }
            let mut answers = Vec::with_capacity(response.results.len());
            for r in response.results {
                let a = answer(r.outcome);
                match &a {
                    Answer::Applied { .. } | Answer::AnsweredBefore => report.applied += 1,
                    Answer::Conflict { .. } => report.conflicts += 1,
                    Answer::Rejected { .. } => report.rejected += 1,
                }
                answers.push((MutationId(r.mutation_id), a));
            }
            report.pushed += u64::try_from(answers.len()).unwrap_or(0);
            store.record_answers(&answers, chrono::Utc::now()).await?;
            let waiting = store.counts().await?.pending_outbox;
            progress(SyncEvent::Pushed {
                done: report.pushed,
                waiting,
                bytes_sent: report.bytes_sent,
            });
        }
    }

    /// Pulls to the end of the log; true when the server showed a new epoch (the journal
    /// went back into the outbox and pull starts again from the beginning).
    async fn pull(
        &self,
        report: &mut SyncReport,
        progress: &(dyn Fn(SyncEvent) + Send + Sync),
    ) -> Result<bool, SyncError> {
        let store = &self.0.store;
        let (cursor, mut epoch) = store.sync_cursor().await?;
        // The next page is asked for while this one is applied (its cursor is in this
        // page's answer); each page is still applied with its cursor in one transaction,
        // in order, and a page that fails to apply stops the pull (its prefetched
        // successor is dropped unapplied).
        let mut fetched = Some(self.fetch_pull_page(cursor).await);
        while let Some(answer) = fetched.take() {
            let (bytes, page) = answer?;
            report.bytes_received += u64::try_from(bytes).unwrap_or(0);
            if epoch.as_deref().is_some_and(|e| e != page.server_epoch) {
                // The server was restored from a backup: send again what it may lack, then
                // read everything again.
                tracing::warn!(
                    "server epoch changed; sending again and pulling from the beginning"
                );
                store.begin_restore().await?;
                return Ok(true);
            }
            report.pulled += u64::try_from(page.changes.len()).unwrap_or(0);
            report.purged += u64::try_from(page.purges.len()).unwrap_or(0);
            let more = page.more;
            let next_cursor = page.next_cursor;
            let pulled = PulledPage {
                records: page
                    .changes
                    .into_iter()
                    .map(|c| PulledRecord {
                        id: c.record_id,
                        kind: c.kind,
                        version: c.version,
                        epoch: c.epoch,
                        deleted: c.deleted,
                        fields: c.fields,
                        reference: c.reference,
                    })
                    .collect(),
                purges: page.purges.into_iter().map(|p| p.record_id).collect(),
                cursor: next_cursor,
                server_epoch: page.server_epoch,
            };
            let apply = store.apply_pull(&pulled, chrono::Utc::now());
            if more {
                let (applied, next) = tokio::join!(apply, self.fetch_pull_page(next_cursor));
                applied?;
                fetched = Some(next);
            } else {
                apply.await?;
            }
            // The store's epoch is now this page's.
            epoch = Some(pulled.server_epoch);
            progress(SyncEvent::Pulled {
                records: report.pulled,
                bytes_received: report.bytes_received,
            });
        }
        store.end_restore().await?;
        Ok(false)
    }

    /// One pull page after `cursor`: its size in bytes and the answer.
    async fn fetch_pull_page(&self, cursor: i64) -> Result<(usize, PullResponse), SyncError> {
        let url = format!(
            "{}{}?after={cursor}&limit={}",
            self.0.config.base_url,
            paths::SYNC_PULL,
            self.0.config.pull_page
        );
        let bytes = self.send(self.0.http.get(url)).await?;
        let page: PullResponse =
            serde_json::from_slice(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))?;
        Ok((bytes.len(), page))
    }

    /// Runs syncs in the background: every `every`, when woken, and after a failure after a
    /// back-off that doubles up to the configured maximum. Progress goes to the receiver.
    pub fn spawn(&self, every: Duration) -> (SyncHandle, mpsc::UnboundedReceiver<SyncEvent>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let wake = Arc::new(Notify::new());
        let stop = Arc::new(AtomicBool::new(false));
        let engine = self.clone();
        let (wake2, stop2) = (wake.clone(), stop.clone());
        let task = tokio::spawn(async move {
            let start = engine.0.config.backoff_start;
            let max = engine.0.config.backoff_max;
            let mut backoff = start;
            while !stop2.load(Ordering::SeqCst) {
                let events = tx.clone();
                let send = move |e: SyncEvent| {
                    let _ = events.send(e);
                };
                let wait = match engine.sync_with(&send).await {
                    Ok(_) => {
                        backoff = start;
                        every
                    }
                    Err(e) if e.needs_attention() => {
                        tracing::warn!("sync paused until woken: it needs a person");
                        let _ = tx.send(SyncEvent::Paused {
                            message: e.to_string(),
                        });
                        // No timer: only a wake (or stop) tries again.
                        if stop2.load(Ordering::SeqCst) {
                            break;
                        }
                        wake2.notified().await;
                        continue;
                    }
                    Err(e) => {
                        let wait = backoff;
                        backoff = (backoff * 2).min(max);
                        tracing::info!(
                            transient = e.is_transient(),
                            retry_in_ms = wait.as_millis() as u64,
                            "sync failed"
                        );
                        let _ = tx.send(SyncEvent::Failed {
                            transient: e.is_transient(),
                            retry_in: wait,
                            message: e.to_string(),
                        });
                        wait
                    }
                };
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = wake2.notified() => {}
                }
            }
        });
        (
            SyncHandle {
                wake,
                stop,
                task: Some(task),
            },
            rx,
        )
    }
}
