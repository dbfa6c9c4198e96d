//! The store's side of document sync (DESIGN.md, "Sync protocol" 5): reading a stored
//! document's bytes by range for a resumable upload, and writing a pulled document (its
//! metadata and its downloaded, already verified bytes) inside the pulled page's
//! transaction.

use sha2::{Digest as _, Sha256};
use sqlx::SqliteConnection;

use crate::documents::{meta_from_row, DocumentMeta, CHUNK_BYTES, META_COLUMNS};
use crate::error::{StoreError, StoreResult};
use crate::ids::DocumentId;
use crate::sync::PulledRecord;
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

/// Writes one pulled document record inside the page's transaction.
///
/// Skipped (the next change brings it again) when: the cache already holds a newer server
/// version; this device has edits to it still waiting (they stay on top); the record it
/// belongs to is not in the cache; its bytes are not given (not downloaded). A discarded
/// document leaves the cache. Bytes are checked against the record's SHA-256 here too.
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
    let held: Option<(Option<i64>, String)> =
        sqlx::query_as("SELECT server_version, sha256 FROM documents WHERE id = ?")
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
    if !same_bytes {
        let Some(bytes) = bytes else {
            return Ok(false);
        };
        if hex::encode(&Sha256::digest(bytes)) != sha256 || bytes.len() as u64 != size {
            return Err(StoreError::Unreadable(format!(
                "document {id} (downloaded bytes do not match their SHA-256)"
            )));
        }
    }
    let added_at = time::encode(chrono::Utc::now());
    sqlx::query(
        "INSERT INTO documents (id, record_id, title, file_name, content_type, size, sha256, version, server_version, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET
             record_id = excluded.record_id, title = excluded.title, file_name = excluded.file_name,
             content_type = excluded.content_type, size = excluded.size, sha256 = excluded.sha256,
             version = excluded.version, server_version = excluded.server_version",
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
    .execute(&mut *conn)
    .await?;
    if !same_bytes {
        sqlx::query("DELETE FROM document_chunks WHERE document_id = ?")
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        for (idx, chunk) in bytes.unwrap_or_default().chunks(CHUNK_BYTES).enumerate() {
            sqlx::query("INSERT INTO document_chunks (document_id, idx, bytes) VALUES (?, ?, ?)")
                .bind(&id)
                .bind(i64::try_from(idx).unwrap_or(i64::MAX))
                .bind(chunk)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(true)
}
