//! The audit log: append-only, each row chained to the one before by SHA-256.
//!
//! A row's hash is `SHA-256(prev_hash || canonical)`, where `canonical` is the JSON array of
//! its fields in a fixed order. [`verify`] recomputes the chain from the first row and
//! compares the last hash with the head row, so an edited, inserted or removed row (the last
//! one included) is found. Rows name who (a user id), what (an action and a record id), when
//! and from which device — never personal data.

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
