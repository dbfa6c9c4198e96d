//! The store's side of document sync (DESIGN.md, "Sync protocol" 5): reading a stored
//! document's bytes by range for a resumable upload; writing a pulled document's metadata
//! inside the pulled page's transaction (like any other record); and, after the records,
//! the pulled documents whose bytes are still to download and the storing of those bytes
//! once downloaded and verified.

use std::collections::HashSet;

use hearth_domain::RecordKind;
use sha2::{Digest as _, Sha256};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::documents::{meta_from_row, DocumentMeta, CHUNK_BYTES, META_COLUMNS};
use crate::error::{StoreError, StoreResult};
use crate::ids::DocumentId;
use crate::sync::{new_to_device, PulledPage, PulledRecord};
use crate::{hex, time, Store};

impl Store {
    /// A document's metadata, without its bytes (`None`: not in the cache).
    pub async fn document_meta(&self, id: DocumentId) -> StoreResult<Option<DocumentMeta>> {
        sqlx::query(&format!(
            "SELECT {META_COLUMNS} FROM documents WHERE id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .map(|row| meta_from_row(&row))
        .transpose()
    }

    /// Up to `len` bytes of a stored document from `offset` (fewer at its end; empty past
    /// it), read from the chunks that cover the range only. `None`: not in the cache.
    pub async fn document_range(
        &self,
        id: DocumentId,
        offset: u64,
        len: usize,
    ) -> StoreResult<Option<Vec<u8>>> {
        let chunk = CHUNK_BYTES as u64;
        let first = offset / chunk;
        let last = (offset + len as u64).saturating_sub(1) / chunk;
        let mut tx = self.pool.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM documents WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(None);
        }
        let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT idx, bytes FROM document_chunks
             WHERE document_id = ? AND idx >= ? AND idx <= ? ORDER BY idx",
        )
        .bind(id.to_string())
        .bind(i64::try_from(first).unwrap_or(i64::MAX))
        .bind(i64::try_from(last).unwrap_or(i64::MAX))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut out = Vec::with_capacity(len);
        for (idx, bytes) in rows {
            let start = u64::try_from(idx).unwrap_or(0) * chunk;
            let from = usize::try_from(offset.saturating_sub(start)).unwrap_or(usize::MAX);
            if from >= bytes.len() {
                continue;
            }
            let want = len - out.len();
            let to = bytes.len().min(from + want);
            out.extend_from_slice(&bytes[from..to]);
            if out.len() == len {
                break;
            }
        }
        Ok(Some(out))
    }
}

/// A pulled document whose metadata is in the cache but whose bytes are not downloaded yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingDocument {
    pub id: DocumentId,
    /// Lower-case hex SHA-256 the bytes must have.
    pub sha256: String,
    pub size: u64,
}

impl Store {
    /// Pulled documents whose bytes are still to download, by id, after `after` (to page
    /// through them), at most `limit`.
    pub async fn documents_without_bytes(
        &self,
        after: Option<DocumentId>,
        limit: u32,
    ) -> StoreResult<Vec<MissingDocument>> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT id, sha256, size FROM documents
             WHERE bytes_held = 0 AND id > ? ORDER BY id LIMIT ?",
        )
        .bind(after.map(|a| a.to_string()).unwrap_or_default())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, sha256, size)| {
                Ok(MissingDocument {
                    id: id
                        .parse()
                        .map_err(|_| StoreError::Unreadable("document id".to_owned()))?,
                    sha256,
                    size: u64::try_from(size)
                        .map_err(|_| StoreError::Unreadable("document size".to_owned()))?,
                })
            })
            .collect()
    }

    /// Stores downloaded bytes of pulled documents, in one transaction. Each is written
    /// only if the document is still in the cache without bytes and still names exactly
    /// these bytes (SHA-256 and size checked again here); otherwise it is left out (the
    /// document was removed, or a newer version names other bytes). Returns how many were
    /// stored.
    pub async fn store_downloaded_bytes(
        &self,
        downloaded: &[(DocumentId, &[u8])],
    ) -> StoreResult<usize> {
        if downloaded.is_empty() {
            return Ok(0);
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut stored = 0;
        for (id, bytes) in downloaded {
            let want: Option<(String, i64)> = sqlx::query_as(
                "SELECT sha256, size FROM documents WHERE id = ? AND bytes_held = 0",
            )
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((sha256, size)) = want else {
                continue;
            };
            if u64::try_from(size).ok() != Some(bytes.len() as u64)
                || hex::encode(&Sha256::digest(bytes)) != sha256
            {
                continue;
            }
            write_chunks(&mut tx, &id.to_string(), bytes).await?;
            sqlx::query("UPDATE documents SET bytes_held = 1 WHERE id = ?")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            stored += 1;
        }
        tx.commit().await?;
        tracing::debug!(stored, "downloaded document bytes stored");
        Ok(stored)
    }
}

/// Replaces a document's chunks with `bytes` (inside the caller's transaction).
async fn write_chunks(conn: &mut SqliteConnection, id: &str, bytes: &[u8]) -> StoreResult<()> {
    sqlx::query("DELETE FROM document_chunks WHERE document_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (idx, chunk) in bytes.chunks(CHUNK_BYTES).enumerate() {
        sqlx::query("INSERT INTO document_chunks (document_id, idx, bytes) VALUES (?, ?, ?)")
            .bind(id)
            .bind(i64::try_from(idx).unwrap_or(i64::MAX))
            .bind(chunk)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Inserts the page's document records that are new to this device (not held, no outbox
/// row, not discarded, named once in the page) as metadata whose bytes are still to
/// download, in two statements for the page; those whose record is not in the cache are
/// skipped, as [`apply_pulled_document`] skips them. Returns the ids it dealt with; the
/// caller applies the page's other documents one by one.
pub(crate) async fn insert_new_pulled_documents(
    conn: &mut SqliteConnection,
    page: &PulledPage,
    at: &str,
) -> StoreResult<HashSet<Uuid>> {
    let fresh = new_to_device(conn, page, "documents", |r| r.kind == RecordKind::Document).await?;
    if fresh.is_empty() {
        return Ok(HashSet::new());
    }
    let text = |r: &PulledRecord, name: &str| {
        r.fields
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let rows: Vec<serde_json::Value> = fresh
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id.to_string(),
                "record_id": text(r, "record_id"),
                "title": text(r, "title"),
                "file_name": text(r, "file_name"),
                "content_type": text(r, "content_type"),
                "size": i64::try_from(
                    r.fields.get("size").and_then(serde_json::Value::as_u64).unwrap_or(0)
                ).unwrap_or(i64::MAX),
                "sha256": text(r, "sha256"),
                "version": r.version,
            })
        })
        .collect();
    let rows = serde_json::to_string(&rows).map_err(|e| StoreError::Unreadable(e.to_string()))?;
    sqlx::query(
        "INSERT INTO documents (id, record_id, title, file_name, content_type, size, sha256,
             version, server_version, added_at, bytes_held)
         SELECT v ->> '$.id', v ->> '$.record_id', v ->> '$.title', v ->> '$.file_name',
             v ->> '$.content_type', v ->> '$.size', v ->> '$.sha256', v ->> '$.version',
             v ->> '$.version', ?1, 0
         FROM (SELECT value AS v FROM json_each(?2) ORDER BY key)
         WHERE EXISTS (SELECT 1 FROM records r WHERE r.id = v ->> '$.record_id')",
    )
    .bind(at)
    .bind(rows)
    .execute(&mut *conn)
    .await?;
    Ok(fresh.iter().map(|r| r.id).collect())
}

/// Writes one pulled document record inside the page's transaction.
///
/// Skipped (the next change brings it again) when: the cache already holds a newer server
/// version; this device has edits to it still waiting (they stay on top); the record it
/// belongs to is not in the cache. A discarded document leaves the cache. The metadata is
/// written at once; bytes given (already verified by the caller) are checked against the
/// record's SHA-256 and stored with it, else the document's bytes are marked as still to
/// download ([`Store::documents_without_bytes`]) unless the cache holds those same bytes.
pub(crate) async fn apply_pulled_document(
    conn: &mut SqliteConnection,
    r: &PulledRecord,
    bytes: Option<&[u8]>,
    restoring: bool,
) -> StoreResult<bool> {
    let id = r.id.to_string();
    if r.deleted {
        sqlx::query("DELETE FROM documents WHERE id = ?")
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        return Ok(true);
    }
    let pending: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM outbox WHERE record_id = ? LIMIT 1")
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await?;
    if pending.is_some() {
        return Ok(false);
    }
    let held: Option<(Option<i64>, String, i64)> =
        sqlx::query_as("SELECT server_version, sha256, bytes_held FROM documents WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await?;
    if !restoring
        && held
            .as_ref()
            .and_then(|h| h.0)
            .is_some_and(|v| v > r.version)
    {
        return Ok(false);
    }
    let text = |name: &str| {
        r.fields
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let record_id = text("record_id");
    let sha256 = text("sha256");
    let size = r
        .fields
        .get("size")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    let linked: Option<i64> = sqlx::query_scalar("SELECT 1 FROM records WHERE id = ?")
        .bind(&record_id)
        .fetch_optional(&mut *conn)
        .await?;
    if linked.is_none() {
        tracing::debug!(document = %r.id, "pulled document skipped: its record is not here");
        return Ok(false);
    }
    let same_bytes = held.as_ref().is_some_and(|h| h.1 == sha256);
    let given = match bytes {
        Some(bytes) if !same_bytes => {
            if hex::encode(&Sha256::digest(bytes)) != sha256 || bytes.len() as u64 != size {
                return Err(StoreError::Unreadable(format!(
                    "document {id} (downloaded bytes do not match their SHA-256)"
                )));
            }
            Some(bytes)
        }
        _ => None,
    };
    // Same bytes as held: as held (with or without them). New bytes: held only if given.
    let bytes_held = if same_bytes {
        held.as_ref().map_or(0, |h| h.2)
    } else {
        i64::from(given.is_some())
    };
    let added_at = time::encode(chrono::Utc::now());
    sqlx::query(
        "INSERT INTO documents (id, record_id, title, file_name, content_type, size, sha256, version, server_version, added_at, bytes_held)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET
             record_id = excluded.record_id, title = excluded.title, file_name = excluded.file_name,
             content_type = excluded.content_type, size = excluded.size, sha256 = excluded.sha256,
             version = excluded.version, server_version = excluded.server_version,
             bytes_held = excluded.bytes_held",
    )
    .bind(&id)
    .bind(&record_id)
    .bind(text("title"))
    .bind(text("file_name"))
    .bind(text("content_type"))
    .bind(i64::try_from(size).unwrap_or(i64::MAX))
    .bind(&sha256)
    .bind(r.version)
    .bind(r.version)
    .bind(added_at)
    .bind(bytes_held)
    .execute(&mut *conn)
    .await?;
    if !same_bytes {
        match given {
            Some(bytes) => write_chunks(conn, &id, bytes).await?,
            None => {
                sqlx::query("DELETE FROM document_chunks WHERE document_id = ?")
                    .bind(&id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(true)
}
