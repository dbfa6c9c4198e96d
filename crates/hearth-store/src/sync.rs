//! The store's side of sync (DESIGN.md, "Sync protocol" 2–3): the server's answers to
//! pushed mutations, pulled pages, the pull cursor, and conflicts kept until a person
//! resolves them.
//!
//! Each record keeps the server's copy (`server_fields`, `server_version`) beside the local
//! view (`fields`, `version`); the local view is always the server's copy with the pending
//! outbox edits re-applied on top, so a pull never hides an edit that is still waiting, and
//! the next edit's base version is the version the server will have once those are in.
//! A record pulled new with nothing pending shares one copy: `server_fields` is NULL and
//! the server's copy is `fields` (`SERVER_COPY`) until a local edit, when a trigger keeps
//! the old `fields` as `server_fields` first.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use hearth_domain::RecordKind;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::{Row as _, SqliteConnection};
use uuid::Uuid;

use crate::drafts::{
    local_reference_candidate, new_local_reference, whole_id_local_reference, Saved,
};
use crate::error::{StoreError, StoreResult};
use crate::ids::{MutationId, RecordId};
use crate::outbox::{self, FieldChange, NewMutation, Operation};
use crate::{search, time, Store};

/// One field both sides changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictField {
    pub field: String,
    /// What the edit was made on.
    pub base: Value,
    /// What this device set.
    pub mine: Value,
    /// What the server has.
    pub theirs: Value,
}

/// The server's answer to one pushed mutation, as the store records it.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Applied; the record's new server version and its permanent reference.
    Applied {
        version: i64,
        reference: Option<String>,
    },
    /// Answered before, but that answer is lost: the next pull brings the outcome.
    AnsweredBefore,
    /// Not applied: the record moved on. Kept as a conflict for a person to resolve.
    Conflict {
        server_version: i64,
        fields: Vec<ConflictField>,
    },
    /// Can never succeed; kept (with the reason) for a person to see.
    Rejected { reason: String },
}

/// A record as the server has it now (one entry of a pulled page).
#[derive(Debug, Clone, PartialEq)]
pub struct PulledRecord {
    pub id: Uuid,
    pub kind: RecordKind,
    pub version: i64,
    pub epoch: i64,
    pub deleted: bool,
    pub fields: Map<String, Value>,
    pub reference: Option<String>,
}

/// One pulled page, applied with its cursor in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct PulledPage {
    pub records: Vec<PulledRecord>,
    /// Records this user may no longer see: removed with their documents.
    pub purges: Vec<Uuid>,
    pub cursor: i64,
    pub server_epoch: String,
}

/// Why an edit is waiting for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictOutcome {
    Conflict,
    Rejected,
}

/// An edit the server did not apply, for the resolution screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub id: i64,
    pub mutation_id: MutationId,
    pub record_id: Uuid,
    pub kind: RecordKind,
    pub outcome: ConflictOutcome,
    pub server_version: Option<i64>,
    pub fields: Vec<ConflictField>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The server's copy of a record's fields as SQL: `server_fields`, or `fields` itself when
/// the server's copy is shared with it (`server_fields` NULL with `server_version` set: a
/// record pulled new with no local edit; the trigger `records_keep_server_copy` keeps the
/// old `fields` as `server_fields` before a local edit changes them). NULL: the server has
/// never confirmed the record.
const SERVER_COPY: &str = "CASE WHEN server_fields IS NOT NULL THEN server_fields \
     WHEN server_version IS NOT NULL THEN fields END";

fn to_json(v: &impl Serialize) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Unreadable(e.to_string()))
}

fn object(text: &str) -> StoreResult<Map<String, Value>> {
    serde_json::from_str(text).map_err(|_| StoreError::Unreadable("record fields".to_owned()))
}

/// Re-applies the pending edits of `record_id` on the server's copy: the local view.
/// A record the server has never confirmed keeps its local view.
async fn rebuild(conn: &mut SqliteConnection, record_id: &str) -> StoreResult<()> {
    let row = sqlx::query(&format!(
        "SELECT seq, {SERVER_COPY} AS server_copy, server_version, status FROM records WHERE id = ?"
    ))
    .bind(record_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(()) };
    let server_fields: Option<String> = row.try_get("server_copy")?;
    let Some(server_fields) = server_fields else {
        return Ok(());
    };
    let seq: i64 = row.try_get("seq")?;
    let server_version: Option<i64> = row.try_get("server_version")?;
    let mut status: String = row.try_get("status")?;
    let mut fields = object(&server_fields)?;
    let pending: Vec<(String,)> =
        sqlx::query_as("SELECT changes FROM outbox WHERE record_id = ? ORDER BY mutation_id")
            .bind(record_id)
            .fetch_all(&mut *conn)
            .await?;
    for (changes,) in &pending {
        let changes: Vec<FieldChange> = serde_json::from_str(changes)
            .map_err(|_| StoreError::Unreadable("outbox changes".to_owned()))?;
        for c in changes {
            fields.insert(c.field, c.value);
        }
    }
    if let Some(Value::String(s)) = fields.get("status") {
        status.clone_from(s);
    }
    let version = server_version.unwrap_or(0) + i64::try_from(pending.len()).unwrap_or(0);
    sqlx::query("UPDATE records SET fields = ?, version = ?, status = ? WHERE seq = ?")
        .bind(to_json(&fields)?)
        .bind(version)
        .bind(status)
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Indexes the record for search from its local view (the names, postcodes and dates of
/// birth in its fields, and its own references), as a save from the app would.
async fn reindex(conn: &mut SqliteConnection, record_id: &str) -> StoreResult<()> {
    let row: Option<(i64, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT seq, kind, fields, local_reference, server_reference FROM records WHERE id = ?",
    )
    .bind(record_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((seq, kind, fields, local, server)) = row else {
        return Ok(());
    };
    let kind =
        RecordKind::parse(&kind).ok_or_else(|| StoreError::Unreadable("record kind".to_owned()))?;
    let terms = hearth_domain::search::terms_of(kind, &object(&fields)?);
    search::replace(
        conn,
        seq,
        &terms,
        &[Some(local.as_str()), server.as_deref()],
    )
    .await
}

async fn set_reference(
    conn: &mut SqliteConnection,
    record_id: &str,
    reference: &str,
) -> StoreResult<()> {
    let row: Option<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT seq, local_reference, server_reference FROM records WHERE id = ?")
            .bind(record_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((seq, local, old)) = row else {
        return Ok(());
    };
    if old.as_deref() == Some(reference) {
        return Ok(());
    }
    sqlx::query("UPDATE records SET server_reference = ? WHERE seq = ?")
        .bind(reference)
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    search::set_record_references(conn, seq, &[Some(local.as_str()), Some(reference)]).await
}

/// Removes a record from the cache (its documents go with it: foreign key cascade).
async fn remove_record(conn: &mut SqliteConnection, record_id: &str) -> StoreResult<bool> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM records WHERE id = ?")
        .bind(record_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(seq) = seq else { return Ok(false) };
    search::remove(conn, seq).await?;
    sqlx::query("DELETE FROM records WHERE seq = ?")
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// The page's live records that `wanted` picks and the page names once, that this device
/// holds nowhere: not in `held_in` (the `records` or `documents` table) and with no outbox
/// row. The bulk insert paths take these; the one-by-one paths take the rest.
pub(crate) async fn new_to_device<'p>(
    conn: &mut SqliteConnection,
    page: &'p PulledPage,
    held_in: &'static str,
    wanted: impl Fn(&PulledRecord) -> bool,
) -> StoreResult<Vec<&'p PulledRecord>> {
    let mut seen: HashMap<Uuid, usize> = HashMap::new();
    for r in &page.records {
        *seen.entry(r.id).or_default() += 1;
    }
    let candidates: Vec<&PulledRecord> = page
        .records
        .iter()
        .filter(|r| wanted(r) && !r.deleted && seen[&r.id] == 1)
        .collect();
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let ids = to_json(
        &candidates
            .iter()
            .map(|r| r.id.to_string())
            .collect::<Vec<_>>(),
    )?;
    let known: Vec<(String,)> = sqlx::query_as(&format!(
        "SELECT id FROM {held_in} WHERE id IN (SELECT value FROM json_each(?1))
         UNION SELECT record_id FROM outbox WHERE record_id IN (SELECT value FROM json_each(?1))"
    ))
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let known: HashSet<String> = known.into_iter().map(|(id,)| id).collect();
    Ok(candidates
        .into_iter()
        .filter(|r| !known.contains(&r.id.to_string()))
        .collect())
}

/// Inserts the page's records that are new to this device, not discarded, not documents,
/// named once in the page and with no outbox row, as the one-by-one path would leave them
/// (the local view is the server's copy: no pending edit to re-apply; that copy is shared,
/// `server_fields` NULL, see `SERVER_COPY`), in five statements for the page. Returns their ids; the caller applies the other records itself.
async fn insert_new_pulled(
    conn: &mut SqliteConnection,
    page: &PulledPage,
    at: &str,
) -> StoreResult<HashSet<Uuid>> {
    let fresh = new_to_device(conn, page, "records", |r| r.kind != RecordKind::Document).await?;
    if fresh.is_empty() {
        return Ok(HashSet::new());
    }
    // Provisional local references as the one-by-one path makes them
    // (`local_reference_candidate`: from the permanent reference when the record has one)
    // unless another record (held, or earlier in this page) has it.
    let short: Vec<String> = fresh
        .iter()
        .map(|r| local_reference_candidate(r.id, r.kind, r.reference.as_deref()))
        .collect();
    let taken: Vec<(String,)> = sqlx::query_as(
        "SELECT local_reference FROM records
         WHERE local_reference IN (SELECT value FROM json_each(?))",
    )
    .bind(to_json(&short)?)
    .fetch_all(&mut *conn)
    .await?;
    let mut taken: HashSet<String> = taken.into_iter().map(|(r,)| r).collect();
    let mut rows = Vec::with_capacity(fresh.len());
    let mut refs = Vec::with_capacity(fresh.len());
    for (r, candidate) in fresh.iter().zip(short) {
        let local = if taken.contains(&candidate) {
            whole_id_local_reference(r.id, r.kind)
        } else {
            candidate
        };
        taken.insert(local.clone());
        let status = match r.fields.get("status") {
            Some(Value::String(s)) => s.clone(),
            _ => crate::status::DRAFT.to_owned(),
        };
        let id = r.id.to_string();
        refs.push(search::pulled_entry(
            &id,
            &hearth_domain::search::terms_of(r.kind, &r.fields),
            &[Some(local.as_str()), r.reference.as_deref()],
        ));
        rows.push(serde_json::json!({
            "id": id,
            "kind": r.kind.as_str(),
            "status": status,
            "local": local,
            "reference": r.reference,
            "fields": to_json(&r.fields)?,
            "version": r.version,
            "epoch": r.epoch,
        }));
    }
    sqlx::query(
        "INSERT INTO records (id, kind, status, local_reference, server_reference, title,
             fields, steps_saved, last_step, version, server_version, created_at,
             last_saved_at, server_fields, epoch)
         SELECT v ->> '$.id', v ->> '$.kind', v ->> '$.status', v ->> '$.local',
             v ->> '$.reference', NULL, v ->> '$.fields', '[]', 0, v ->> '$.version',
             v ->> '$.version', ?1, ?1, NULL, v ->> '$.epoch'
         FROM (SELECT value AS v FROM json_each(?2) ORDER BY key)",
    )
    .bind(at)
    .bind(to_json(&rows)?)
    .execute(&mut *conn)
    .await?;
    search::replace_pulled(conn, &to_json(&refs)?).await?;
    Ok(fresh.iter().map(|r| r.id).collect())
}

impl Store {
    /// Records the server's answers to pushed mutations, in one transaction: each answered
    /// mutation leaves the outbox (applied, answered before, conflict and rejected alike);
    /// applied ones move the server's copy forward and set the permanent reference;
    /// conflicts and rejections are kept for a person to resolve. Ids no longer in the
    /// outbox are ignored, so the same answers can be recorded twice.
    pub async fn record_answers(
        &self,
        answers: &[(MutationId, Answer)],
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for (mutation_id, answer) in answers {
            let row: Option<(String, String, String, String)> = sqlx::query_as(
                "SELECT record_id, kind, operation, changes FROM outbox WHERE mutation_id = ?",
            )
            .bind(mutation_id.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((record_id, kind, operation, changes)) = row else {
                continue;
            };
            crate::restore::journal(&mut tx, mutation_id.0, at).await?;
            sqlx::query("DELETE FROM outbox WHERE mutation_id = ?")
                .bind(mutation_id.0)
                .execute(&mut *tx)
                .await?;
            let is_document = kind == RecordKind::Document.as_str();
            match answer {
                Answer::Applied { version, reference } if is_document => {
                    sqlx::query("UPDATE documents SET server_version = ? WHERE id = ?")
                        .bind(version)
                        .bind(&record_id)
                        .execute(&mut *tx)
                        .await?;
                    let _ = reference;
                }
                Answer::Applied { version, reference } => {
                    if operation == "discard" {
                        continue;
                    }
                    let server: Option<(Option<String>,)> =
                        sqlx::query_as(&format!("SELECT {SERVER_COPY} FROM records WHERE id = ?"))
                            .bind(&record_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let Some((server_fields,)) = server else {
                        continue;
                    };
                    let mut fields = match server_fields {
                        Some(text) => object(&text)?,
                        None => Map::new(),
                    };
                    let changes: Vec<FieldChange> = serde_json::from_str(&changes)
                        .map_err(|_| StoreError::Unreadable("outbox changes".to_owned()))?;
                    for c in changes {
                        fields.insert(c.field, c.value);
                    }
                    sqlx::query(
                        "UPDATE records SET server_fields = ?, server_version = ? WHERE id = ?",
                    )
                    .bind(to_json(&fields)?)
                    .bind(version)
                    .bind(&record_id)
                    .execute(&mut *tx)
                    .await?;
                    if let Some(reference) = reference {
                        set_reference(&mut tx, &record_id, reference).await?;
                    }
                    rebuild(&mut tx, &record_id).await?;
                }
                Answer::AnsweredBefore => {}
                Answer::Conflict {
                    server_version,
                    fields,
                } => {
                    sqlx::query(
                        "INSERT INTO sync_conflicts (mutation_id, record_id, kind, outcome,
                             server_version, fields, reason, created_at)
                         VALUES (?, ?, ?, 'conflict', ?, ?, NULL, ?)
                         ON CONFLICT (mutation_id) DO NOTHING",
                    )
                    .bind(mutation_id.0)
                    .bind(&record_id)
                    .bind(&kind)
                    .bind(server_version)
                    .bind(to_json(fields)?)
                    .bind(time::encode(at))
                    .execute(&mut *tx)
                    .await?;
                    rebuild(&mut tx, &record_id).await?;
                }
                Answer::Rejected { reason } => {
                    let changes: Vec<FieldChange> = serde_json::from_str(&changes)
                        .map_err(|_| StoreError::Unreadable("outbox changes".to_owned()))?;
                    let fields: Vec<ConflictField> = changes
                        .into_iter()
                        .map(|c| ConflictField {
                            field: c.field,
                            base: c.base,
                            mine: c.value,
                            theirs: Value::Null,
                        })
                        .collect();
                    sqlx::query(
                        "INSERT INTO sync_conflicts (mutation_id, record_id, kind, outcome,
                             server_version, fields, reason, created_at)
                         VALUES (?, ?, ?, 'rejected', NULL, ?, ?, ?)
                         ON CONFLICT (mutation_id) DO NOTHING",
                    )
                    .bind(mutation_id.0)
                    .bind(&record_id)
                    .bind(&kind)
                    .bind(to_json(&fields)?)
                    .bind(reason)
                    .bind(time::encode(at))
                    .execute(&mut *tx)
                    .await?;
                    rebuild(&mut tx, &record_id).await?;
                }
            }
        }
        crate::restore::prune(&mut tx, at).await?;
        tx.commit().await?;
        tracing::debug!(answers = answers.len(), "push answers recorded");
        Ok(())
    }

    /// Applies one pulled page and its cursor in one transaction: records are created or
    /// brought to the server's version with pending edits kept on top; discarded and
    /// purged records leave the cache with their documents. A change older than the
    /// server version already held is ignored.
    pub async fn apply_pull(&self, page: &PulledPage, at: DateTime<Utc>) -> StoreResult<()> {
        self.apply_pull_with_documents(page, &HashMap::new(), at)
            .await
    }

    /// [`Store::apply_pull`], with the bytes of the page's documents (downloaded and
    /// verified by the caller), by SHA-256. Documents are written after the page's other
    /// records, in the same transaction; one whose bytes are not given is written as
    /// metadata whose bytes are still to download ([`Store::documents_without_bytes`],
    /// [`Store::store_downloaded_bytes`]), unless the cache holds those bytes already.
    pub async fn apply_pull_with_documents(
        &self,
        page: &PulledPage,
        documents: &HashMap<String, Vec<u8>>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let at_text = time::encode(at);
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // After a new server epoch the restored server is the truth, even when older.
        let restoring: i64 = sqlx::query_scalar("SELECT restoring FROM sync_state WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let restoring = restoring != 0;
        // Records new to this device with no pending edit (most of an initial pull) are
        // inserted together, in a few statements for the whole page; the rest go one by one.
        let batched = insert_new_pulled(&mut tx, page, &at_text).await?;
        // Likewise documents new to this device whose bytes are not given (their bytes are
        // downloaded after the records): metadata only, two statements for the page.
        let batched_documents = if documents.is_empty() {
            crate::document_sync::insert_new_pulled_documents(&mut tx, page, &at_text).await?
        } else {
            HashSet::new()
        };
        for r in &page.records {
            // Documents go last, once the records they belong to are here.
            if r.kind == RecordKind::Document || batched.contains(&r.id) {
                continue;
            }
            let id = r.id.to_string();
            if r.deleted {
                remove_record(&mut tx, &id).await?;
                continue;
            }
            let existing: Option<(Option<i64>, String)> =
                sqlx::query_as("SELECT server_version, kind FROM records WHERE id = ?")
                    .bind(&id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let fields = to_json(&r.fields)?;
            match existing {
                Some((held, _)) if !restoring && held.is_some_and(|v| v > r.version) => continue,
                Some((_, kind)) if kind != r.kind.as_str() => {
                    return Err(StoreError::KindMismatch {
                        id: RecordId::from_uuid(r.id),
                        existing: RecordKind::parse(&kind)
                            .ok_or_else(|| StoreError::Unreadable("record kind".to_owned()))?,
                        requested: r.kind,
                    })
                }
                Some(_) => {
                    sqlx::query(
                        "UPDATE records SET server_fields = ?, server_version = ?, epoch = ?
                         WHERE id = ?",
                    )
                    .bind(&fields)
                    .bind(r.version)
                    .bind(r.epoch)
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    let local = new_local_reference(
                        &mut tx,
                        RecordId::from_uuid(r.id),
                        r.kind,
                        r.reference.as_deref(),
                    )
                    .await?;
                    let status = match r.fields.get("status") {
                        Some(Value::String(s)) => s.clone(),
                        _ => crate::status::DRAFT.to_owned(),
                    };
                    sqlx::query(
                        "INSERT INTO records (id, kind, status, local_reference, server_reference,
                             title, fields, steps_saved, last_step, version, server_version,
                             created_at, last_saved_at, server_fields, epoch)
                         VALUES (?1, ?2, ?3, ?4, NULL, NULL, ?5, '[]', 0, ?6, ?6, ?7, ?7, ?5, ?8)",
                    )
                    .bind(&id)
                    .bind(r.kind.as_str())
                    .bind(status)
                    .bind(&local)
                    .bind(&fields)
                    .bind(r.version)
                    .bind(&at_text)
                    .bind(r.epoch)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            if let Some(reference) = &r.reference {
                set_reference(&mut tx, &id, reference).await?;
            }
            rebuild(&mut tx, &id).await?;
            // Found by what it says now: the server's copy with this device's pending edits.
            reindex(&mut tx, &id).await?;
        }
        for r in page
            .records
            .iter()
            .filter(|r| r.kind == RecordKind::Document && !batched_documents.contains(&r.id))
        {
            let sha = r.fields.get("sha256").and_then(Value::as_str);
            let bytes = sha.and_then(|s| documents.get(s)).map(Vec::as_slice);
            crate::document_sync::apply_pulled_document(&mut tx, r, bytes, restoring).await?;
        }
        let mut purged = 0;
        for id in &page.purges {
            if remove_record(&mut tx, &id.to_string()).await? {
                purged += 1;
            }
        }
        sqlx::query("UPDATE sync_state SET cursor = ?, server_epoch = ? WHERE id = 1")
            .bind(page.cursor)
            .bind(&page.server_epoch)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::debug!(
            records = page.records.len(),
            purged,
            cursor = page.cursor,
            "pulled page applied"
        );
        Ok(())
    }

    /// Where pull got to, and the server epoch it got there on (`None` before the first pull).
    pub async fn sync_cursor(&self) -> StoreResult<(i64, Option<String>)> {
        let row: (i64, Option<String>) =
            sqlx::query_as("SELECT cursor, server_epoch FROM sync_state WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(row)
    }

    /// Starts pull again from the beginning (the server was restored: a new epoch).
    pub async fn reset_sync_cursor(&self) -> StoreResult<()> {
        sqlx::query("UPDATE sync_state SET cursor = 0, server_epoch = NULL WHERE id = 1")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many conflicts and rejections are waiting for a person (the sync bar's count).
    pub async fn unresolved_conflicts(&self) -> StoreResult<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sync_conflicts WHERE resolved_at IS NULL")
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Conflicts and rejections not yet resolved, oldest first.
    pub async fn conflicts(&self) -> StoreResult<Vec<Conflict>> {
        let rows = sqlx::query(
            "SELECT id, mutation_id, record_id, kind, outcome, server_version, fields, reason,
                    created_at
             FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let bad = |what: &str| StoreError::Unreadable(format!("conflict {what}"));
                let record_id: String = row.try_get("record_id")?;
                let kind: String = row.try_get("kind")?;
                let outcome: String = row.try_get("outcome")?;
                let fields: String = row.try_get("fields")?;
                let created_at: String = row.try_get("created_at")?;
                Ok(Conflict {
                    id: row.try_get("id")?,
                    mutation_id: MutationId(row.try_get("mutation_id")?),
                    record_id: record_id.parse().map_err(|_| bad("record id"))?,
                    kind: RecordKind::parse(&kind).ok_or_else(|| bad("kind"))?,
                    outcome: if outcome == "rejected" {
                        ConflictOutcome::Rejected
                    } else {
                        ConflictOutcome::Conflict
                    },
                    server_version: row.try_get("server_version")?,
                    fields: serde_json::from_str(&fields).map_err(|_| bad("fields"))?,
                    reason: row.try_get("reason")?,
                    created_at: time::decode(&created_at)?,
                })
            })
            .collect()
    }

    /// Resolves a conflict with the values the person chose, per field: those that differ
    /// from the record as it is now become a new edit (with its outbox row), in the same
    /// transaction that marks the conflict resolved. An empty choice keeps what the record
    /// has now ("keep theirs"). Returns the save when an edit was made.
    pub async fn resolve_conflict(
        &self,
        conflict_id: i64,
        chosen: Map<String, Value>,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<Saved>> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let record_id: Option<String> = sqlx::query_scalar(
            "SELECT record_id FROM sync_conflicts WHERE id = ? AND resolved_at IS NULL",
        )
        .bind(conflict_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(record_id) = record_id else {
            return Err(StoreError::Unreadable(format!(
                "conflict {conflict_id} (not found or already resolved)"
            )));
        };
        let mut saved = None;
        if !chosen.is_empty() {
            let row = sqlx::query(
                "SELECT seq, kind, fields, version, local_reference FROM records WHERE id = ?",
            )
            .bind(&record_id)
            .fetch_optional(&mut *tx)
            .await?;
            let uuid: Uuid = record_id
                .parse()
                .map_err(|_| StoreError::Unreadable("conflict record id".to_owned()))?;
            let Some(row) = row else {
                return Err(StoreError::RecordNotFound(RecordId::from_uuid(uuid)));
            };
            let seq: i64 = row.try_get("seq")?;
            let kind: String = row.try_get("kind")?;
            let kind = RecordKind::parse(&kind)
                .ok_or_else(|| StoreError::Unreadable("record kind".to_owned()))?;
            let mut fields = object(&row.try_get::<String, _>("fields")?)?;
            let version: i64 = row.try_get("version")?;
            let local_reference: String = row.try_get("local_reference")?;
            let mut changes = Vec::new();
            for (field, value) in chosen {
                let base = fields.get(&field).cloned().unwrap_or(Value::Null);
                if base != value {
                    changes.push(FieldChange {
                        field: field.clone(),
                        base,
                        value: value.clone(),
                    });
                    fields.insert(field, value);
                }
            }
            if !changes.is_empty() {
                let mutation_id = outbox::append(
                    &mut tx,
                    self.client_id,
                    NewMutation {
                        record_id: uuid,
                        kind,
                        operation: Operation::Update,
                        step: None,
                        base_version: version,
                        changes: &changes,
                        at,
                    },
                )
                .await?;
                sqlx::query(
                    "UPDATE records SET fields = ?, version = ?, last_saved_at = ? WHERE seq = ?",
                )
                .bind(to_json(&fields)?)
                .bind(version + 1)
                .bind(time::encode(at))
                .bind(seq)
                .execute(&mut *tx)
                .await?;
                saved = Some(Saved {
                    record_id: RecordId::from_uuid(uuid),
                    version: version + 1,
                    local_reference,
                    mutation_id: Some(mutation_id),
                });
            }
        }
        sqlx::query("UPDATE sync_conflicts SET resolved_at = ? WHERE id = ?")
            .bind(time::encode(at))
            .bind(conflict_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::debug!(
            conflict = conflict_id,
            edited = saved.is_some(),
            "conflict resolved"
        );
        Ok(saved)
    }
}
