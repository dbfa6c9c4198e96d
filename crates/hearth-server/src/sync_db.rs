//! The sync tables (migration `…_sync.sql`): one push transaction per mutation, pull pages
//! bounded by the change-log counter, plan sharing. Expanded for SQLite and PostgreSQL from
//! one macro with the same query text, like the rest of [`crate::store`].
//!
//! Lock order inside a push transaction, the same for every writer so none can deadlock:
//! the client's row, the record's row, the kind's reference counter, `sync_state` (the
//! change-log counter), `audit_head`.

use chrono::{DateTime, Utc};
use hearth_domain::{RecordKind, UserId};
use hearth_protocol::sync::{Change, FieldConflict, Outcome, PushMutation, SyncOperation};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::store::{millis, AuditEvent, Result, StoreError};

/// What the storage answered for one mutation.
#[derive(Debug, Clone, PartialEq)]
pub enum PushStep {
    Answered(Outcome),
    /// The mutation id does not follow the last one answered; nothing was done.
    Gap {
        expected: i64,
    },
    /// The client id was first used by another user's device.
    ForeignClient,
}

/// One page of pull, before it is put on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct PullPage {
    pub changes: Vec<(i64, Change)>,
    pub purges: Vec<Uuid>,
    pub next_cursor: i64,
    pub more: bool,
}

/// The push of one mutation by a signed-in device.
#[derive(Debug, Clone, Copy)]
pub struct MutationIn<'a> {
    pub client_id: Uuid,
    pub user: UserId,
    pub device: Uuid,
    pub mutation: &'a PushMutation,
    pub now: DateTime<Utc>,
}

/// A record's row as a push reads it.
pub(crate) struct Current {
    pub kind: String,
    pub owner_id: String,
    pub version: i64,
    pub epoch: i64,
    pub fields: Map<String, Value>,
    pub reference: Option<String>,
    pub deleted: bool,
}

/// What to do with a mutation, decided without IO from the record as it is.
pub(crate) enum Decision {
    /// Write the record: new fields, deleted flag; `create` when there was no row.
    Apply {
        fields: Map<String, Value>,
        deleted: bool,
        create: bool,
    },
    Conflict(Outcome),
    Reject(&'static str),
}

fn is_delete(op: SyncOperation) -> bool {
    matches!(op, SyncOperation::Discard | SyncOperation::DeleteDocument)
}

pub(crate) fn decide(user: UserId, m: &PushMutation, cur: Option<&Current>) -> Decision {
    let Some(cur) = cur else {
        if is_delete(m.operation) {
            return Decision::Reject("the record is not on the server");
        }
        if m.base_version != 0 {
            return Decision::Reject("the record is not on the server");
        }
        let mut fields = Map::new();
        for c in &m.changes {
            fields.insert(c.field.clone(), c.value.clone());
        }
        return Decision::Apply {
            fields,
            deleted: false,
            create: true,
        };
    };
    if cur.owner_id != user.to_string() {
        return Decision::Reject("only the record's current editor may change it");
    }
    if cur.kind != m.kind.as_str() {
        return Decision::Reject("the record is of another kind");
    }
    if cur.deleted {
        return Decision::Reject("the record was discarded");
    }
    let null = Value::Null;
    let bases_hold = m
        .changes
        .iter()
        .all(|c| cur.fields.get(&c.field).unwrap_or(&null) == &c.base);
    if cur.version != m.base_version || cur.epoch != m.epoch || !bases_hold {
        return Decision::Conflict(Outcome::Conflict {
            version: cur.version,
            fields: m
                .changes
                .iter()
                .map(|c| FieldConflict {
                    field: c.field.clone(),
                    base: c.base.clone(),
                    mine: c.value.clone(),
                    theirs: cur.fields.get(&c.field).cloned().unwrap_or(Value::Null),
                })
                .collect(),
        });
    }
    let mut fields = cur.fields.clone();
    for c in &m.changes {
        fields.insert(c.field.clone(), c.value.clone());
    }
    Decision::Apply {
        fields,
        deleted: is_delete(m.operation),
        create: false,
    }
}

pub(crate) fn parse_fields(s: &str) -> Result<Map<String, Value>> {
    serde_json::from_str(s)
        .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("bad record fields in db: {e}")))
}

pub(crate) fn parse_kind(s: &str) -> Result<RecordKind> {
    RecordKind::parse(s)
        .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("bad record kind in db")))
}

pub(crate) fn write_event(
    user: UserId,
    device: Uuid,
    record: Uuid,
    outcome: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AuditEvent {
    AuditEvent {
        at: now,
        actor: Some(user),
        device: Some(device),
        action: "record.write".to_owned(),
        target: Some(record.to_string()),
        outcome: outcome.to_owned(),
        reason: reason.map(str::to_owned),
    }
}

pub(crate) fn at(now: DateTime<Utc>) -> i64 {
    millis(now)
}

/// The inherent sync methods of one store type; the `Store` trait calls them.
macro_rules! sync_sql {
    ($Store:ident, $Db:ty, $begin:literal) => {
        impl $Store {
            pub(crate) async fn sync_epoch_impl(&self) -> Result<String> {
                let (epoch,): (String,) =
                    sqlx::query_as("SELECT epoch FROM sync_state WHERE id = 1")
                        .fetch_one(&self.pool)
                        .await?;
                Ok(epoch)
            }

            pub(crate) async fn sync_push_impl(
                &self,
                p: $crate::sync_db::MutationIn<'_>,
            ) -> Result<$crate::sync_db::PushStep> {
                use $crate::sync_db::{decide, parse_fields, write_event, Current, Decision, PushStep};
                use hearth_protocol::sync::Outcome;
                let m = p.mutation;
                let now = $crate::sync_db::at(p.now);
                let client = p.client_id.to_string();
                let record = m.record_id.to_string();
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query(
                    "INSERT INTO sync_clients (client_id, user_id, last_mutation_id, created_at, \
                     last_push_at) VALUES ($1, $2, 0, $3, $3) ON CONFLICT (client_id) DO NOTHING",
                )
                .bind(&client)
                .bind(p.user.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                // Locks the client's row: a retry racing its own first attempt waits here.
                let (owner, last): (String, i64) = sqlx::query_as(
                    "UPDATE sync_clients SET last_push_at = $1 WHERE client_id = $2 \
                     RETURNING user_id, last_mutation_id",
                )
                .bind(now)
                .bind(&client)
                .fetch_one(&mut *tx)
                .await?;
                if owner != p.user.to_string() {
                    return Ok(PushStep::ForeignClient);
                }
                if m.mutation_id <= last {
                    let original = self.sync_original(&mut tx, &client, m.mutation_id).await?;
                    return Ok(PushStep::Answered(Outcome::Skipped {
                        original: original.map(Box::new),
                    }));
                }
                if m.mutation_id != last + 1 {
                    return Ok(PushStep::Gap { expected: last + 1 });
                }
                // Locks the record's row (a no-op update: SQLite has no FOR UPDATE).
                let row: Option<(String, String, i64, i64, String, Option<String>, i64)> =
                    sqlx::query_as(
                        "UPDATE sync_records SET version = version WHERE id = $1 \
                         RETURNING kind, owner_id, version, epoch, fields, reference, deleted",
                    )
                    .bind(&record)
                    .fetch_optional(&mut *tx)
                    .await?;
                let cur = match row {
                    Some((kind, owner_id, version, epoch, fields, reference, deleted)) => {
                        Some(Current {
                            kind,
                            owner_id,
                            version,
                            epoch,
                            fields: parse_fields(&fields)?,
                            reference,
                            deleted: deleted != 0,
                        })
                    }
                    None => None,
                };
                let (outcome, audit_outcome, reason) = match decide(p.user, m, cur.as_ref()) {
                    Decision::Apply {
                        fields,
                        deleted,
                        create,
                    } => {
                        let reference = if create {
                            let prefix = m.kind.reference_prefix();
                            let (n,): (i64,) = sqlx::query_as(
                                "UPDATE reference_counters SET last_value = last_value + 1 \
                                 WHERE prefix = $1 RETURNING last_value",
                            )
                            .bind(prefix)
                            .fetch_one(&mut *tx)
                            .await?;
                            Some(format!("{prefix}-{n:06}"))
                        } else {
                            cur.as_ref().and_then(|c| c.reference.clone())
                        };
                        let version = cur.as_ref().map_or(0, |c| c.version) + 1;
                        let epoch = cur.as_ref().map_or(m.epoch, |c| c.epoch);
                        // Taken last: holding it serialises writers, so keep it short.
                        let (seq,): (i64,) = sqlx::query_as(
                            "UPDATE sync_state SET change_seq = change_seq + 1 WHERE id = 1 \
                             RETURNING change_seq",
                        )
                        .fetch_one(&mut *tx)
                        .await?;
                        let fields_json = serde_json::Value::Object(fields).to_string();
                        if create {
                            sqlx::query(
                                "INSERT INTO sync_records (id, kind, owner_id, version, epoch, \
                                 fields, reference, deleted, last_seq, created_at, updated_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $9)",
                            )
                            .bind(&record)
                            .bind(m.kind.as_str())
                            .bind(p.user.to_string())
                            .bind(version)
                            .bind(epoch)
                            .bind(&fields_json)
                            .bind(&reference)
                            .bind(seq)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        } else {
                            sqlx::query(
                                "UPDATE sync_records SET version = $1, fields = $2, deleted = $3, \
                                 last_seq = $4, updated_at = $5 WHERE id = $6",
                            )
                            .bind(version)
                            .bind(&fields_json)
                            .bind(i64::from(deleted))
                            .bind(seq)
                            .bind(now)
                            .bind(&record)
                            .execute(&mut *tx)
                            .await?;
                        }
                        sqlx::query(
                            "INSERT INTO sync_changes (seq, record_id, version, client_id, \
                             mutation_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(seq)
                        .bind(&record)
                        .bind(version)
                        .bind(&client)
                        .bind(m.mutation_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        (Outcome::Applied { version, reference }, "applied", None)
                    }
                    Decision::Conflict(outcome) => {
                        self.sync_answered(&mut tx, &client, m, "conflict", &outcome, now)
                            .await?;
                        (outcome, "conflict", None)
                    }
                    Decision::Reject(reason) => {
                        let outcome = Outcome::Rejected {
                            reason: reason.to_owned(),
                        };
                        self.sync_answered(&mut tx, &client, m, "rejected", &outcome, now)
                            .await?;
                        (outcome, "rejected", Some(reason))
                    }
                };
                sqlx::query("UPDATE sync_clients SET last_mutation_id = $1 WHERE client_id = $2")
                    .bind(m.mutation_id)
                    .bind(&client)
                    .execute(&mut *tx)
                    .await?;
                let event = write_event(p.user, p.device, m.record_id, audit_outcome, reason, p.now);
                self.audit_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(PushStep::Answered(outcome))
            }

            async fn sync_answered(
                &self,
                tx: &mut sqlx::Transaction<'_, $Db>,
                client: &str,
                m: &hearth_protocol::sync::PushMutation,
                outcome: &str,
                detail: &hearth_protocol::sync::Outcome,
                now: i64,
            ) -> Result<()> {
                let detail = serde_json::to_string(detail).map_err(anyhow::Error::from)?;
                sqlx::query(
                    "INSERT INTO sync_conflicts (client_id, mutation_id, record_id, outcome, \
                     detail, at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(client)
                .bind(m.mutation_id)
                .bind(m.record_id.to_string())
                .bind(outcome)
                .bind(detail)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// The first answer to an already answered mutation, when it is still known.
            async fn sync_original(
                &self,
                tx: &mut sqlx::Transaction<'_, $Db>,
                client: &str,
                mutation_id: i64,
            ) -> Result<Option<hearth_protocol::sync::Outcome>> {
                use hearth_protocol::sync::Outcome;
                let applied: Option<(i64, Option<String>)> = sqlx::query_as(
                    "SELECT c.version, r.reference FROM sync_changes c \
                     JOIN sync_records r ON r.id = c.record_id \
                     WHERE c.client_id = $1 AND c.mutation_id = $2",
                )
                .bind(client)
                .bind(mutation_id)
                .fetch_optional(&mut **tx)
                .await?;
                if let Some((version, reference)) = applied {
                    return Ok(Some(Outcome::Applied { version, reference }));
                }
                let answered: Option<(String,)> = sqlx::query_as(
                    "SELECT detail FROM sync_conflicts WHERE client_id = $1 AND mutation_id = $2",
                )
                .bind(client)
                .bind(mutation_id)
                .fetch_optional(&mut **tx)
                .await?;
                Ok(answered.and_then(|(d,)| serde_json::from_str(&d).ok()))
            }

            /// Appends an audit row inside the caller's transaction.
            async fn audit_in(
                &self,
                tx: &mut sqlx::Transaction<'_, $Db>,
                e: &$crate::store::AuditEvent,
            ) -> Result<()> {
                let (seq, prev): (i64, String) = sqlx::query_as(
                    "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
                )
                .fetch_one(&mut **tx)
                .await?;
                let row = crate::audit::chain(seq, &prev, e);
                sqlx::query(
                    "INSERT INTO audit_log \
                     (seq, at, actor, device, action, target, outcome, reason, prev_hash, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(row.seq)
                .bind(row.at)
                .bind(&row.actor)
                .bind(&row.device)
                .bind(&row.action)
                .bind(&row.target)
                .bind(&row.outcome)
                .bind(&row.reason)
                .bind(&row.prev_hash)
                .bind(&row.hash)
                .execute(&mut **tx)
                .await?;
                sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
                    .bind(&row.hash)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            pub(crate) async fn sync_pull_impl(
                &self,
                user: UserId,
                after: i64,
                limit: u32,
            ) -> Result<$crate::sync_db::PullPage> {
                use $crate::sync_db::{parse_fields, parse_kind, PullPage};
                use hearth_protocol::sync::Change;
                let user = user.to_string();
                // Read first: every change numbered at or below it has committed (writers
                // take numbers in commit order), so serving only up to it never skips one.
                let (bound,): (i64,) =
                    sqlx::query_as("SELECT change_seq FROM sync_state WHERE id = 1")
                        .fetch_one(&self.pool)
                        .await?;
                let rows: Vec<(String, String, i64, i64, String, Option<String>, i64, i64)> =
                    sqlx::query_as(
                        "SELECT r.id, r.kind, r.version, r.epoch, r.fields, r.reference, \
                         r.deleted, r.last_seq FROM sync_records r \
                         WHERE r.last_seq > $1 AND r.last_seq <= $2 \
                           AND (r.owner_id = $3 OR EXISTS (SELECT 1 FROM sync_sharing s \
                                WHERE s.record_id = r.id AND s.user_id = $3 AND s.active = 1)) \
                         ORDER BY r.last_seq LIMIT $4",
                    )
                    .bind(after)
                    .bind(bound)
                    .bind(&user)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                let more = rows.len() == usize::try_from(limit).unwrap_or(usize::MAX);
                let next_cursor = match (more, rows.last()) {
                    (true, Some(last)) => last.7,
                    _ => bound.max(after),
                };
                let mut changes = Vec::with_capacity(rows.len());
                for (id, kind, version, epoch, fields, reference, deleted, seq) in rows {
                    changes.push((
                        seq,
                        Change {
                            record_id: $crate::sync_db::parse_uuid(&id)?,
                            kind: parse_kind(&kind)?,
                            version,
                            epoch,
                            deleted: deleted != 0,
                            fields: parse_fields(&fields)?,
                            reference,
                        },
                    ));
                }
                let purges: Vec<(String,)> = sqlx::query_as(
                    "SELECT s.record_id FROM sync_sharing s \
                     WHERE s.user_id = $1 AND s.active = 0 \
                       AND s.changed_seq > $2 AND s.changed_seq <= $3 \
                       AND NOT EXISTS (SELECT 1 FROM sync_records r \
                                       WHERE r.id = s.record_id AND r.owner_id = $1) \
                     ORDER BY s.changed_seq",
                )
                .bind(&user)
                .bind(after)
                .bind(next_cursor)
                .fetch_all(&self.pool)
                .await?;
                Ok(PullPage {
                    changes,
                    purges: purges
                        .iter()
                        .map(|(id,)| $crate::sync_db::parse_uuid(id))
                        .collect::<Result<_>>()?,
                    next_cursor,
                    more,
                })
            }

            pub(crate) async fn set_sharing_impl(
                &self,
                record: Uuid,
                user: UserId,
                active: bool,
                event: &$crate::store::AuditEvent,
            ) -> Result<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                let (seq,): (i64,) = sqlx::query_as(
                    "UPDATE sync_state SET change_seq = change_seq + 1 WHERE id = 1 \
                     RETURNING change_seq",
                )
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO sync_sharing (record_id, user_id, active, changed_seq) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (record_id, user_id) \
                     DO UPDATE SET active = $3, changed_seq = $4",
                )
                .bind(record.to_string())
                .bind(user.to_string())
                .bind(i64::from(active))
                .bind(seq)
                .execute(&mut *tx)
                .await?;
                if active {
                    // Newly shared: the record comes down on the user's next pull.
                    sqlx::query("UPDATE sync_records SET last_seq = $1 WHERE id = $2")
                        .bind(seq)
                        .bind(record.to_string())
                        .execute(&mut *tx)
                        .await?;
                }
                self.audit_in(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use sync_sql;

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::Unexpected(anyhow::anyhow!("bad uuid in db: {e}")))
}
