//! The audit log: append-only, each row chained to the one before by SHA-256.
//!
//! A row's hash is `SHA-256(prev_hash || canonical)`, where `canonical` is the JSON array of
//! its fields in a fixed order. [`verify`] recomputes the chain from the first row and
//! compares the last hash with the head row, so an edited, inserted or removed row (the last
//! one included) is found. Rows name who (a user id), what (an action and a record id), when
//! and from which device — never personal data.
//!
//! Writing and chaining are apart, so requests never queue on the chain's head: a request
//! writes its row into `audit_pending` inside its own transaction (a row is never lost,
//! and it commits or rolls back with what it records); the [`run_sealer`] task (one per
//! server process; replicas queue on the `audit_head` row lock) moves pending rows, oldest
//! first, onto the chain in batches, in one transaction that also deletes them from
//! `audit_pending`. `audit verify` (and [`crate::store::Store::audit_rows`]) seal whatever
//! is pending first, so they always check every row written.

use sha2::{Digest, Sha256};

use crate::store::{millis, AuditEvent, AuditRow};

/// The hash the first row chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn canonical(r: &AuditRow) -> String {
    serde_json::json!([r.seq, r.at, r.actor, r.device, r.action, r.target, r.outcome, r.reason])
        .to_string()
}

fn hash_of(prev_hash: &str, r: &AuditRow) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical(r).as_bytes());
    hex::encode(h.finalize())
}

/// The row to store for `event` at `seq`, after the row whose hash is `prev_hash`.
pub fn chain(seq: i64, prev_hash: &str, e: &AuditEvent) -> AuditRow {
    let mut row = AuditRow {
        seq,
        at: millis(e.at),
        actor: e.actor.map(|u| u.to_string()),
        device: e.device.map(|d| d.to_string()),
        action: e.action.clone(),
        target: e.target.clone(),
        outcome: e.outcome.clone(),
        reason: e.reason.clone(),
        prev_hash: prev_hash.to_owned(),
        hash: String::new(),
    };
    row.hash = hash_of(prev_hash, &row);
    row
}

/// Links a stored, not yet chained row (as read from `audit_pending`) at `seq` after the
/// row whose hash is `prev_hash`.
pub fn link(seq: i64, prev_hash: &str, mut row: AuditRow) -> AuditRow {
    row.seq = seq;
    row.prev_hash = prev_hash.to_owned();
    row.hash = hash_of(prev_hash, &row);
    row
}

/// Requests' audit events on their way to `audit_pending`: one writer task takes whatever
/// has queued while its last write was committing and writes it in one statement (group
/// commit), so concurrent requests share commits instead of each paying for one. A request
/// waits until its own row has committed (a row is never lost, and a failure to audit still
/// fails the request); only events of requests still in flight are ever held here.
#[derive(Clone)]
pub struct AuditQueue(tokio::sync::mpsc::Sender<(AuditEvent, AuditReply)>);

type AuditReply = tokio::sync::oneshot::Sender<Result<(), String>>;

/// The most events written in one statement.
const QUEUE_BATCH: usize = 256;

impl AuditQueue {
    /// Starts the writer task; it ends when every sender is dropped or the store is gone.
    pub fn start(store: std::sync::Weak<dyn crate::store::Store>) -> AuditQueue {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(AuditEvent, AuditReply)>(4096);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < QUEUE_BATCH {
                    match rx.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let Some(store) = store.upgrade() else { return };
                let events: Vec<AuditEvent> = batch.iter().map(|(e, _)| e.clone()).collect();
                let written = store
                    .audit_append_many(&events)
                    .await
                    .map_err(|e| e.to_string());
                drop(store);
                for (_, reply) in batch {
                    let _ = reply.send(written.clone());
                }
            }
        });
        AuditQueue(tx)
    }

    /// Writes `event` and returns once it has committed.
    pub async fn write(
        &self,
        store: &crate::store::DynStore,
        event: AuditEvent,
    ) -> Result<(), crate::store::StoreError> {
        let (reply, done) = tokio::sync::oneshot::channel();
        if let Err(e) = self.0.send((event, reply)).await {
            // The writer is gone: write it directly.
            store.audit_append(&e.0 .0).await?;
            return Ok(());
        }
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(crate::store::StoreError::Unexpected(anyhow::anyhow!(
                "writing audit rows: {message}"
            ))),
            Err(_) => Err(crate::store::StoreError::Unexpected(anyhow::anyhow!(
                "the audit writer stopped"
            ))),
        }
    }
}

/// How many pending rows one sealing transaction chains at most.
pub const SEAL_BATCH: i64 = 500;

/// Chains pending audit rows until the store is dropped: at once while there is a
/// backlog, otherwise every `every`.
pub async fn run_sealer(
    store: std::sync::Weak<dyn crate::store::Store>,
    every: std::time::Duration,
) {
    loop {
        let Some(s) = store.upgrade() else { return };
        let sealed = s.audit_seal(SEAL_BATCH).await;
        drop(s);
        match sealed {
            Ok(n) if n >= SEAL_BATCH as u64 => continue,
            Ok(_) => tokio::time::sleep(every).await,
            Err(e) => {
                tracing::warn!(error = %e, "sealing the audit log failed; retrying");
                tokio::time::sleep(every * 5).await;
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("row {seq}: expected sequence number {expected} (a row is missing or was inserted)")]
    Gap { seq: i64, expected: i64 },
    #[error("row {seq}: does not chain to the row before it")]
    Broken { seq: i64 },
    #[error("row {seq}: its content does not match its hash (edited)")]
    Edited { seq: i64 },
    #[error("the log ends at row {last} but the head says {head} (rows removed from the end)")]
    Truncated { last: i64, head: i64 },
    #[error("the last row's hash does not match the head")]
    HeadMismatch,
}

/// Checks the whole chain; `Ok(number of rows)` when intact.
pub fn verify(rows: &[AuditRow], head_seq: i64, head_hash: &str) -> Result<i64, ChainError> {
    let mut prev = GENESIS.to_owned();
    let mut expected = 1;
    for r in rows {
        if r.seq != expected {
            return Err(ChainError::Gap {
                seq: r.seq,
                expected,
            });
        }
        if r.prev_hash != prev {
            return Err(ChainError::Broken { seq: r.seq });
        }
        if hash_of(&prev, r) != r.hash {
            return Err(ChainError::Edited { seq: r.seq });
        }
        prev = r.hash.clone();
        expected += 1;
    }
    let last = expected - 1;
    if last != head_seq {
        return Err(ChainError::Truncated {
            last,
            head: head_seq,
        });
    }
    if prev != head_hash {
        return Err(ChainError::HeadMismatch);
    }
    Ok(last)
}
