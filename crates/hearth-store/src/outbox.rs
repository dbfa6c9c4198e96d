//! The outbox: local edits waiting to be pushed, in order (DESIGN.md, sync contract 1–2).

use chrono::{DateTime, Utc};
use hearth_domain::RecordKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{Row as _, SqliteConnection};
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::ids::{ClientId, MutationId};
use crate::{time, Store};

/// What a mutation does to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// First save of a record made on this device.
    Create,
    /// A later edit (wizard step, status change).
    Update,
    /// The draft was discarded.
    Discard,
    /// A document's metadata (its bytes travel separately).
    PutDocument,
    /// A document was deleted.
    DeleteDocument,
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Discard => "discard",
            Operation::PutDocument => "put_document",
            Operation::DeleteDocument => "delete_document",
        }
    }

    fn parse(s: &str) -> Option<Operation> {
        [
            Operation::Create,
            Operation::Update,
            Operation::Discard,
            Operation::PutDocument,
            Operation::DeleteDocument,
        ]
        .into_iter()
        .find(|op| op.as_str() == s)
    }
}

/// One changed field, with the value it had before the edit (for per-field conflicts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    /// The value before this edit; `null` if the field was not set.
    pub base: Value,
    pub value: Value,
}

/// One pending edit, as the sync engine pushes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub client_id: ClientId,
    pub mutation_id: MutationId,
    /// The record's (or document's) UUIDv7.
    pub record_id: Uuid,
    pub kind: RecordKind,
    pub operation: Operation,
    /// The wizard step that was saved, for step saves.
    pub step: Option<u32>,
    /// The record's version this edit was made on (0 for a new record).
    pub base_version: i64,
    /// The record's single-editor epoch when the edit was made (0 before any transfer).
    #[serde(default)]
    pub epoch: i64,
    pub changes: Vec<FieldChange>,
    pub created_at: DateTime<Utc>,
}

/// The parts of an outbox row the caller chooses; the store adds the ids.
pub(crate) struct NewMutation<'a> {
    pub record_id: Uuid,
    pub kind: RecordKind,
    pub operation: Operation,
    pub step: Option<u32>,
    pub base_version: i64,
    pub changes: &'a [FieldChange],
    pub at: DateTime<Utc>,
}

/// Appends an outbox row inside the caller's transaction and returns its mutation id.
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    client_id: ClientId,
    m: NewMutation<'_>,
) -> StoreResult<MutationId> {
    let id: i64 = sqlx::query_scalar(
        "UPDATE client_state SET last_mutation_id = last_mutation_id + 1 WHERE id = 1
         RETURNING last_mutation_id",
    )
    .fetch_one(&mut *conn)
    .await?;
    let changes =
        serde_json::to_string(m.changes).map_err(|e| StoreError::Unreadable(e.to_string()))?;
    sqlx::query(
        "INSERT INTO outbox (mutation_id, client_id, record_id, kind, operation, step, base_version, changes, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(client_id.to_string())
    .bind(m.record_id.to_string())
    .bind(m.kind.as_str())
    .bind(m.operation.as_str())
    .bind(m.step.map(i64::from))
    .bind(m.base_version)
    .bind(changes)
    .bind(time::encode(m.at))
    .execute(&mut *conn)
    .await?;
    Ok(MutationId(id))
}

impl Store {
    /// The newest pending mutation's id, or `None` when nothing waits: a cheap look that
    /// tells whether edits wait and whether new ones came since the last look.
    pub async fn newest_pending_mutation(&self) -> StoreResult<Option<MutationId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT max(mutation_id) FROM outbox")
            .fetch_one(&self.pool)
            .await?;
        Ok(id.map(MutationId))
    }

    /// Up to `limit` pending mutations, oldest first (the order they must be pushed in).
    pub async fn pending_mutations(&self, limit: u32) -> StoreResult<Vec<Mutation>> {
        let rows = sqlx::query(
            "SELECT mutation_id, client_id, record_id, kind, operation, step, base_version, changes, created_at,
                    coalesce(epoch, 0) AS epoch
             FROM outbox ORDER BY mutation_id LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let bad = |what: &str| StoreError::Unreadable(format!("outbox {what}"));
                let kind: String = row.try_get("kind")?;
                let operation: String = row.try_get("operation")?;
                let client_id: String = row.try_get("client_id")?;
                let record_id: String = row.try_get("record_id")?;
                let changes: String = row.try_get("changes")?;
                let created_at: String = row.try_get("created_at")?;
                let step: Option<i64> = row.try_get("step")?;
                Ok(Mutation {
                    client_id: client_id.parse().map_err(|_| bad("client id"))?,
                    mutation_id: MutationId(row.try_get("mutation_id")?),
                    record_id: record_id.parse().map_err(|_| bad("record id"))?,
                    kind: RecordKind::parse(&kind).ok_or_else(|| bad("kind"))?,
                    operation: Operation::parse(&operation).ok_or_else(|| bad("operation"))?,
                    step: step
                        .map(|s| u32::try_from(s).map_err(|_| bad("step")))
                        .transpose()?,
                    base_version: row.try_get("base_version")?,
                    epoch: row.try_get("epoch")?,
                    changes: serde_json::from_str(&changes).map_err(|_| bad("changes"))?,
                    created_at: time::decode(&created_at)?,
                })
            })
            .collect()
    }

    /// Removes every mutation up to and including `up_to` (the server has applied, skipped
    /// or answered them). Returns how many were removed.
    pub async fn acknowledge(&self, up_to: MutationId) -> StoreResult<u64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // Kept for a server restored from a backup (`restore`).
        sqlx::query(
            "INSERT OR REPLACE INTO outbox_acked (mutation_id, client_id, record_id, kind,
                 operation, step, base_version, changes, created_at, epoch, acked_at)
             SELECT mutation_id, client_id, record_id, kind, operation, step, base_version,
                 changes, created_at, epoch, created_at FROM outbox WHERE mutation_id <= ?",
        )
        .bind(up_to.0)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM outbox WHERE mutation_id <= ?")
            .bind(up_to.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        tracing::debug!(up_to = up_to.0, removed = done, "outbox acknowledged");
        Ok(done)
    }

    /// The last mutation id handed out on this device (0 before the first edit).
    pub async fn last_mutation_id(&self) -> StoreResult<MutationId> {
        let id: i64 = sqlx::query_scalar("SELECT last_mutation_id FROM client_state WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(MutationId(id))
    }
}
