//! Drafts: wizard steps autosaved into records, each edit with its outbox row.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hearth_domain::RecordKind;
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, SqliteConnection};

use crate::error::{StoreError, StoreResult};
use crate::ids::{MutationId, RecordId};
use crate::outbox::{self, FieldChange, NewMutation, Operation};
use crate::search::{self, SearchTerms};
use crate::{time, Store};

/// The statuses the store itself knows (for [`Store::counts`]); others are kept as given.
pub mod status {
    /// Being written; every new record starts here.
    pub const DRAFT: &str = "draft";
    /// Finished by the practitioner (a completed plan).
    pub const COMPLETED: &str = "completed";
    /// Closed (for plans: closed by a review).
    pub const CLOSED: &str = "closed";
}

/// One autosave of one wizard step.
#[derive(Debug, Clone)]
pub struct StepSave {
    /// The record; `None` for a new record (the store makes a UUIDv7 from `saved_at`).
    /// An id the store has not seen yet creates the record under that id.
    pub record_id: Option<RecordId>,
    pub kind: RecordKind,
    /// The wizard step these fields belong to.
    pub step: u32,
    /// A JSON object: merged into the record's fields, key by key (`null` clears a field).
    pub fields: Value,
    /// A short label for lists (e.g. the child's name); `None` keeps the previous one.
    pub title: Option<String>,
    /// What search should find this record by; `None` keeps the previous terms.
    pub search: Option<SearchTerms>,
    /// When the save happened (the caller's clock).
    pub saved_at: DateTime<Utc>,
}

impl StepSave {
    /// A save with no title and no search terms; set those fields to add them.
    pub fn new(
        record_id: Option<RecordId>,
        kind: RecordKind,
        step: u32,
        fields: Value,
        saved_at: DateTime<Utc>,
    ) -> Self {
        Self {
            record_id,
            kind,
            step,
            fields,
            title: None,
            search: None,
            saved_at,
        }
    }
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Saved {
    pub record_id: RecordId,
    /// The record's local version after the save.
    pub version: i64,
    pub local_reference: String,
    /// The outbox row written; `None` when nothing changed (no edit, no mutation).
    pub mutation_id: Option<MutationId>,
}

/// A record as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordSummary {
    pub id: RecordId,
    pub kind: RecordKind,
    pub status: String,
    /// Provisional reference made on this device, e.g. `LOCAL-FSP-9C3E1A7F42`.
    pub local_reference: String,
    /// Permanent reference from the server, e.g. `FSP-000123`, once it has one.
    pub server_reference: Option<String>,
    pub title: Option<String>,
    pub last_step: u32,
    pub steps_saved: Vec<u32>,
    pub version: i64,
    pub server_version: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub last_saved_at: DateTime<Utc>,
}

/// A record with all its fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    pub summary: RecordSummary,
    pub fields: Map<String, Value>,
}

/// Figures for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Records in status `draft`, per kind (kinds with none are absent).
    pub drafts: BTreeMap<RecordKind, u64>,
    pub completed_plans: u64,
    pub closed_plans: u64,
    /// Edits not yet acknowledged by the server.
    pub pending_outbox: u64,
    /// Records those edits belong to: what the practitioner sees as waiting (a plan typed
    /// on a visit is one record, however many autosaves it took).
    pub pending_records: u64,
}

pub(crate) const SUMMARY_COLUMNS: &str =
    "r.seq, r.id, r.kind, r.status, r.local_reference, r.server_reference, r.title, \
     r.last_step, r.steps_saved, r.version, r.server_version, r.created_at, r.last_saved_at";

pub(crate) fn summary_from_row(row: &SqliteRow) -> StoreResult<RecordSummary> {
    let bad = |what: &str| StoreError::Unreadable(format!("record {what}"));
    let id: String = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    let steps: String = row.try_get("steps_saved")?;
    let last_step: i64 = row.try_get("last_step")?;
    let created_at: String = row.try_get("created_at")?;
    let last_saved_at: String = row.try_get("last_saved_at")?;
    Ok(RecordSummary {
        id: id.parse().map_err(|_| bad("id"))?,
        kind: RecordKind::parse(&kind).ok_or_else(|| bad("kind"))?,
        status: row.try_get("status")?,
        local_reference: row.try_get("local_reference")?,
        server_reference: row.try_get("server_reference")?,
        title: row.try_get("title")?,
        last_step: u32::try_from(last_step).map_err(|_| bad("step"))?,
        steps_saved: serde_json::from_str(&steps).map_err(|_| bad("steps"))?,
        version: row.try_get("version")?,
        server_version: row.try_get("server_version")?,
        created_at: time::decode(&created_at)?,
        last_saved_at: time::decode(&last_saved_at)?,
    })
}

/// The record's row as a save needs it.
struct Current {
    seq: i64,
    kind: RecordKind,
    fields: Map<String, Value>,
    steps_saved: Vec<u32>,
    version: i64,
    local_reference: String,
    server_reference: Option<String>,
    title: Option<String>,
}

async fn current(conn: &mut SqliteConnection, id: RecordId) -> StoreResult<Option<Current>> {
    let row = sqlx::query(
        "SELECT seq, kind, fields, steps_saved, version, local_reference, server_reference, title
         FROM records WHERE id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let bad = |what: &str| StoreError::Unreadable(format!("record {what}"));
    let kind: String = row.try_get("kind")?;
    let fields: String = row.try_get("fields")?;
    let steps: String = row.try_get("steps_saved")?;
    Ok(Some(Current {
        seq: row.try_get("seq")?,
        kind: RecordKind::parse(&kind).ok_or_else(|| bad("kind"))?,
        fields: serde_json::from_str(&fields).map_err(|_| bad("fields"))?,
        steps_saved: serde_json::from_str(&steps).map_err(|_| bad("steps"))?,
        version: row.try_get("version")?,
        local_reference: row.try_get("local_reference")?,
        server_reference: row.try_get("server_reference")?,
        title: row.try_get("title")?,
    }))
}

/// The provisional reference a record would get, before checking that no other record holds
/// it. A record made on this device: `LOCAL-<prefix>-<10 hex digits from the id's random
/// part>`. A pulled record that already carries the server's permanent reference of its kind
/// (`FSP-000123`): `LOCAL-FSP-000123`. Such a record is shown by its permanent reference, so
/// its provisional one is never seen; deriving it from the server's counter instead of the
/// id's random part keeps the inserts of a pull in the UNIQUE index's order (appended, not
/// scattered over a growing index: the cost that made a large pull slow down as it went).
pub(crate) fn local_reference_candidate(
    id: uuid::Uuid,
    kind: RecordKind,
    server_reference: Option<&str>,
) -> String {
    let prefix = kind.reference_prefix();
    if let Some(reference) = server_reference {
        if reference
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('-'))
            .is_some_and(|n| !n.is_empty())
        {
            return format!("LOCAL-{reference}");
        }
    }
    let bytes = id.into_bytes();
    let short = crate::hex::encode(&bytes[11..]).to_uppercase();
    format!("LOCAL-{prefix}-{short}")
}

/// A record's provisional reference: [`local_reference_candidate`] (from `server_reference`
/// when a pulled record carries one) unless another record holds it; then
/// `LOCAL-<prefix>-<the whole id>`.
pub(crate) async fn new_local_reference(
    conn: &mut SqliteConnection,
    id: RecordId,
    kind: RecordKind,
    server_reference: Option<&str>,
) -> StoreResult<String> {
    let candidate = local_reference_candidate(id.as_uuid(), kind, server_reference);
    let taken: Option<i64> = sqlx::query_scalar("SELECT 1 FROM records WHERE local_reference = ?")
        .bind(&candidate)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match taken {
        None => candidate,
        Some(_) => whole_id_local_reference(id.as_uuid(), kind),
    })
}

/// The fallback provisional reference: `LOCAL-<prefix>-<the whole id in upper-case hex>`.
pub(crate) fn whole_id_local_reference(id: uuid::Uuid, kind: RecordKind) -> String {
    format!("LOCAL-{}-{}", kind.reference_prefix(), id.simple()).to_uppercase()
}

fn to_json(v: &impl Serialize) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Unreadable(e.to_string()))
}

impl Store {
    /// Autosaves one wizard step: merges `fields` into the record (creating it on first
    /// save, with a provisional local reference), bumps its version and writes the outbox
    /// row and the search terms, all in one transaction.
    ///
    /// A save that changes no field writes no outbox row and keeps the version.
    pub async fn save_step(&self, save: StepSave) -> StoreResult<Saved> {
        let Value::Object(new_fields) = save.fields else {
            return Err(StoreError::FieldsNotAnObject { step: save.step });
        };
        let record_id = save
            .record_id
            .unwrap_or_else(|| RecordId::new_at(save.saved_at));
        let at = time::encode(save.saved_at);

        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let existing = current(&mut tx, record_id).await?;
        if let Some(cur) = &existing {
            if cur.kind != save.kind {
                return Err(StoreError::KindMismatch {
                    id: record_id,
                    existing: cur.kind,
                    requested: save.kind,
                });
            }
        }
        let is_new = existing.is_none();

        let (mut fields, mut steps, base_version, local_reference, server_reference, old_title) =
            match existing {
                Some(c) => (
                    c.fields,
                    c.steps_saved,
                    c.version,
                    c.local_reference,
                    c.server_reference,
                    c.title,
                ),
                None => {
                    let local = new_local_reference(&mut tx, record_id, save.kind, None).await?;
                    (Map::new(), Vec::new(), 0, local, None, None)
                }
            };

        let mut changes = Vec::new();
        for (field, value) in new_fields {
            let base = fields.get(&field).cloned().unwrap_or(Value::Null);
            if is_new || base != value {
                changes.push(FieldChange {
                    field: field.clone(),
                    base,
                    value: value.clone(),
                });
            }
            fields.insert(field, value);
        }
        if !steps.contains(&save.step) {
            steps.push(save.step);
            steps.sort_unstable();
        }
        let title = save.title.or(old_title);

        let (version, mutation_id) = if is_new || !changes.is_empty() {
            let mutation_id = outbox::append(
                &mut tx,
                self.client_id,
                NewMutation {
                    record_id: record_id.as_uuid(),
                    kind: save.kind,
                    operation: if is_new {
                        Operation::Create
                    } else {
                        Operation::Update
                    },
                    step: Some(save.step),
                    base_version,
                    changes: &changes,
                    at: save.saved_at,
                },
            )
            .await?;
            (base_version + 1, Some(mutation_id))
        } else {
            (base_version, None)
        };

        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO records (id, kind, status, local_reference, server_reference, title, fields,
                                  steps_saved, last_step, version, server_version, created_at, last_saved_at)
             VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, ?8, ?9, NULL, ?10, ?10)
             ON CONFLICT (id) DO UPDATE SET
                 title = excluded.title, fields = excluded.fields, steps_saved = excluded.steps_saved,
                 last_step = excluded.last_step, version = excluded.version,
                 last_saved_at = excluded.last_saved_at
             RETURNING seq",
        )
        .bind(record_id.to_string())
        .bind(save.kind.as_str())
        .bind(status::DRAFT)
        .bind(&local_reference)
        .bind(&title)
        .bind(to_json(&fields)?)
        .bind(to_json(&steps)?)
        .bind(i64::from(save.step))
        .bind(version)
        .bind(&at)
        .fetch_one(&mut *tx)
        .await?;

        let references = [Some(local_reference.as_str()), server_reference.as_deref()];
        if is_new || save.search.is_some() {
            let terms = save.search.unwrap_or_default();
            search::replace(&mut tx, seq, &terms, &references).await?;
        }
        tx.commit().await?;

        tracing::debug!(record = %record_id, version, changed = changes.len(), step = save.step, "draft saved");
        Ok(Saved {
            record_id,
            version,
            local_reference,
            mutation_id,
        })
    }

    /// The record with all its fields, or `None` if it is not in the cache.
    pub async fn load(&self, id: RecordId) -> StoreResult<Option<Draft>> {
        let row = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS}, r.fields FROM records r WHERE r.id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let fields: String = row.try_get("fields")?;
        Ok(Some(Draft {
            summary: summary_from_row(&row)?,
            fields: serde_json::from_str(&fields)
                .map_err(|_| StoreError::Unreadable("record fields".to_owned()))?,
        }))
    }

    /// The `limit` records of `kinds` (any status) saved most recently, newest first, and
    /// how many records of those kinds the cache holds in all: one query, however large the
    /// cache (the dashboard's short list).
    pub async fn recent(
        &self,
        kinds: &[RecordKind],
        limit: u32,
    ) -> StoreResult<(Vec<RecordSummary>, u64)> {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let kinds_json = serde_json::to_string(&names)
            .map_err(|_| StoreError::Unreadable("record kinds".to_owned()))?;
        let total: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM records WHERE kind IN (SELECT value FROM json_each(?))",
        )
        .bind(&kinds_json)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM records r \
             WHERE r.kind IN (SELECT value FROM json_each(?)) \
             ORDER BY r.last_saved_at DESC, r.seq DESC LIMIT ?"
        ))
        .bind(&kinds_json)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let summaries = rows
            .iter()
            .map(summary_from_row)
            .collect::<StoreResult<_>>()?;
        Ok((summaries, u64::try_from(total).unwrap_or(0)))
    }

    /// Every record of `kind` (any status), most recently saved first.
    pub async fn list(&self, kind: RecordKind) -> StoreResult<Vec<RecordSummary>> {
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM records r WHERE r.kind = ? ORDER BY r.last_saved_at DESC, r.seq DESC"
        ))
        .bind(kind.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// Discards a record and its documents. Writes a `delete_document` outbox row per
    /// document and a `discard` row for the record, in the same transaction (outbox rows
    /// are never deleted here: the server rejects gaps in mutation ids).
    pub async fn discard(&self, id: RecordId, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let cur = current(&mut tx, id)
            .await?
            .ok_or(StoreError::RecordNotFound(id))?;
        let documents: Vec<(String, i64)> = sqlx::query_as(
            "SELECT id, version FROM documents WHERE record_id = ? ORDER BY added_at",
        )
        .bind(id.to_string())
        .fetch_all(&mut *tx)
        .await?;
        for (doc_id, version) in &documents {
            outbox::append(
                &mut tx,
                self.client_id,
                NewMutation {
                    record_id: doc_id
                        .parse()
                        .map_err(|_| StoreError::Unreadable("document id".to_owned()))?,
                    kind: RecordKind::Document,
                    operation: Operation::DeleteDocument,
                    step: None,
                    base_version: *version,
                    changes: &[],
                    at,
                },
            )
            .await?;
        }
        outbox::append(
            &mut tx,
            self.client_id,
            NewMutation {
                record_id: id.as_uuid(),
                kind: cur.kind,
                operation: Operation::Discard,
                step: None,
                base_version: cur.version,
                changes: &[],
                at,
            },
        )
        .await?;
        search::remove(&mut tx, cur.seq).await?;
        sqlx::query("DELETE FROM records WHERE seq = ?")
            .bind(cur.seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::debug!(record = %id, documents = documents.len(), "draft discarded");
        Ok(())
    }

    /// Sets a record's status (e.g. [`status::COMPLETED`]); an edit like any other, with
    /// its outbox row (field `status`).
    pub async fn set_status(
        &self,
        id: RecordId,
        new_status: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Saved> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let cur = current(&mut tx, id)
            .await?
            .ok_or(StoreError::RecordNotFound(id))?;
        let old: String = sqlx::query_scalar("SELECT status FROM records WHERE seq = ?")
            .bind(cur.seq)
            .fetch_one(&mut *tx)
            .await?;
        if old == new_status {
            return Ok(Saved {
                record_id: id,
                version: cur.version,
                local_reference: cur.local_reference,
                mutation_id: None,
            });
        }
        // The base is the record's `status` *field*, as the server keeps it, not the status
        // column: a record created here has no such field until its status first changes
        // (the server stores only the fields pushed), so the column's implicit "draft"
        // would never match the server's copy and every first status change (Finish, a
        // closing review) would come back as a conflict.
        let mut fields = cur.fields;
        let new_value = Value::String(new_status.to_owned());
        let base = fields
            .insert("status".to_owned(), new_value.clone())
            .unwrap_or(Value::Null);
        let change = FieldChange {
            field: "status".to_owned(),
            base,
            value: new_value,
        };
        let mutation_id = outbox::append(
            &mut tx,
            self.client_id,
            NewMutation {
                record_id: id.as_uuid(),
                kind: cur.kind,
                operation: Operation::Update,
                step: None,
                base_version: cur.version,
                changes: std::slice::from_ref(&change),
                at,
            },
        )
        .await?;
        let version = cur.version + 1;
        sqlx::query(
            "UPDATE records SET status = ?, fields = ?, version = ?, last_saved_at = ? WHERE seq = ?",
        )
        .bind(new_status)
        .bind(to_json(&fields)?)
        .bind(version)
            .bind(time::encode(at))
            .bind(cur.seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::debug!(record = %id, version, "status changed");
        Ok(Saved {
            record_id: id,
            version,
            local_reference: cur.local_reference,
            mutation_id: Some(mutation_id),
        })
    }

    /// Records the permanent reference the server gave (sync engine). Not an edit: no
    /// outbox row. Search finds the record by it from now on.
    pub async fn set_server_reference(&self, id: RecordId, reference: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let cur = current(&mut tx, id)
            .await?
            .ok_or(StoreError::RecordNotFound(id))?;
        sqlx::query("UPDATE records SET server_reference = ? WHERE seq = ?")
            .bind(reference)
            .bind(cur.seq)
            .execute(&mut *tx)
            .await?;
        search::set_record_references(
            &mut tx,
            cur.seq,
            &[Some(cur.local_reference.as_str()), Some(reference)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Figures for the first dashboard: drafts in progress per kind, completed and closed
    /// plans, and edits waiting to be pushed.
    pub async fn counts(&self) -> StoreResult<Counts> {
        let rows: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT kind, status, count(*) FROM records GROUP BY kind, status")
                .fetch_all(&self.pool)
                .await?;
        let mut counts = Counts::default();
        for (kind, st, n) in rows {
            let Some(kind) = RecordKind::parse(&kind) else {
                continue;
            };
            let n = u64::try_from(n).unwrap_or(0);
            match (kind, st.as_str()) {
                (_, status::DRAFT) => {
                    counts.drafts.insert(kind, n);
                }
                (RecordKind::Plan, status::COMPLETED) => counts.completed_plans = n,
                (RecordKind::Plan, status::CLOSED) => counts.closed_plans = n,
                _ => {}
            }
        }
        (counts.pending_outbox, counts.pending_records) = self.pending().await?;
        Ok(counts)
    }

    /// Only the outbox figures of [`Counts`]: edits waiting and the records they belong to
    /// (for the sync bar's poll and each sync, which need nothing else).
    pub async fn pending(&self) -> StoreResult<(u64, u64)> {
        let (edits, records): (i64, i64) =
            sqlx::query_as("SELECT count(*), count(DISTINCT record_id) FROM outbox")
                .fetch_one(&self.pool)
                .await?;
        Ok((
            u64::try_from(edits).unwrap_or(0),
            u64::try_from(records).unwrap_or(0),
        ))
    }
}
