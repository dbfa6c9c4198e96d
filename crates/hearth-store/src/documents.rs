//! Documents: bytes kept inside the encrypted database in 1 MiB chunks, with a metadata
//! row linked to a record. Documents are records of kind `Document` in the sync protocol.

use chrono::{DateTime, Utc};
use hearth_domain::RecordKind;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use sqlx::sqlite::SqliteRow;
use sqlx::Row as _;

use crate::error::{StoreError, StoreResult};
use crate::ids::{DocumentId, MutationId, RecordId};
use crate::outbox::{self, FieldChange, NewMutation, Operation};
use crate::{hex, time, Store};

/// The largest document accepted: 15 MiB (15 × 1024 × 1024 bytes), as on the server.
pub const MAX_DOCUMENT_BYTES: u64 = 15 * 1024 * 1024;

pub(crate) const CHUNK_BYTES: usize = 1024 * 1024;

/// A document to store.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    /// `None` for a new document (a UUIDv7 is made from `added_at`); an existing id
    /// replaces that document's metadata and bytes.
    pub id: Option<DocumentId>,
    /// The record it belongs to; must be in the cache.
    pub record_id: RecordId,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: &'a [u8],
    pub added_at: DateTime<Utc>,
}

/// A document's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentMeta {
    pub id: DocumentId,
    pub record_id: RecordId,
    pub title: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub version: i64,
    pub added_at: DateTime<Utc>,
    /// Whether this device holds the bytes (a pulled document's are downloaded after the
    /// pull; until then [`Store::get_document`] answers `DocumentNotDownloaded`).
    pub bytes_held: bool,
    /// The outbox row of the last local change, when the call made one.
    #[serde(skip)]
    pub mutation_id: Option<MutationId>,
}

/// A document with its bytes (checked against its SHA-256 when read).
#[derive(Clone, PartialEq, Eq)]
pub struct Document {
    pub meta: DocumentMeta,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("meta", &self.meta)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

pub(crate) fn meta_from_row(row: &SqliteRow) -> StoreResult<DocumentMeta> {
    let bad = |what: &str| StoreError::Unreadable(format!("document {what}"));
    let id: String = row.try_get("id")?;
    let record_id: String = row.try_get("record_id")?;
    let size: i64 = row.try_get("size")?;
    let added_at: String = row.try_get("added_at")?;
    let bytes_held: i64 = row.try_get("bytes_held")?;
    Ok(DocumentMeta {
        id: id.parse().map_err(|_| bad("id"))?,
        record_id: record_id.parse().map_err(|_| bad("record id"))?,
        title: row.try_get("title")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size: u64::try_from(size).map_err(|_| bad("size"))?,
        sha256: row.try_get("sha256")?,
        version: row.try_get("version")?,
        added_at: time::decode(&added_at)?,
        bytes_held: bytes_held != 0,
        mutation_id: None,
    })
}

pub(crate) const META_COLUMNS: &str =
    "id, record_id, title, file_name, content_type, size, sha256, version, added_at, bytes_held";

impl Store {
    /// Stores a document (at most [`MAX_DOCUMENT_BYTES`]) and its metadata, with a
    /// `put_document` outbox row, in one transaction.
    pub async fn put_document(&self, doc: NewDocument<'_>) -> StoreResult<DocumentMeta> {
        let size = u64::try_from(doc.bytes.len()).unwrap_or(u64::MAX);
        if size > MAX_DOCUMENT_BYTES {
            return Err(StoreError::DocumentTooLarge {
                size,
                max: MAX_DOCUMENT_BYTES,
            });
        }
        let id = doc.id.unwrap_or_else(|| DocumentId::new_at(doc.added_at));
        let sha256 = hex::encode(&Sha256::digest(doc.bytes));

        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let record_exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM records WHERE id = ?")
            .bind(doc.record_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if record_exists.is_none() {
            return Err(StoreError::RecordNotFound(doc.record_id));
        }
        let old = sqlx::query(&format!(
            "SELECT {META_COLUMNS} FROM documents WHERE id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| meta_from_row(&row))
        .transpose()?;

        let field = |name: &str, base: Option<Value>, value: Value| FieldChange {
            field: name.to_owned(),
            base: base.unwrap_or(Value::Null),
            value,
        };
        let changes: Vec<FieldChange> = [
            field(
                "record_id",
                old.as_ref().map(|o| o.record_id.to_string().into()),
                doc.record_id.to_string().into(),
            ),
            field(
                "title",
                old.as_ref().map(|o| o.title.clone().into()),
                doc.title.clone().into(),
            ),
            field(
                "file_name",
                old.as_ref().map(|o| o.file_name.clone().into()),
                doc.file_name.clone().into(),
            ),
            field(
                "content_type",
                old.as_ref().map(|o| o.content_type.clone().into()),
                doc.content_type.clone().into(),
            ),
            field("size", old.as_ref().map(|o| o.size.into()), size.into()),
            field(
                "sha256",
                old.as_ref().map(|o| o.sha256.clone().into()),
                sha256.clone().into(),
            ),
        ]
        .into_iter()
        .filter(|c| c.base != c.value)
        .collect();
        let base_version = old.as_ref().map_or(0, |o| o.version);
        let mutation_id = outbox::append(
            &mut tx,
            self.client_id,
            NewMutation {
                record_id: id.as_uuid(),
                kind: RecordKind::Document,
                operation: Operation::PutDocument,
                step: None,
                base_version,
                changes: &changes,
                at: doc.added_at,
            },
        )
        .await?;
        let version = base_version + 1;
        let added_at = old.as_ref().map_or(doc.added_at, |o| o.added_at);

        sqlx::query(
            "INSERT INTO documents (id, record_id, title, file_name, content_type, size, sha256, version, server_version, added_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
             ON CONFLICT (id) DO UPDATE SET
                 record_id = excluded.record_id, title = excluded.title, file_name = excluded.file_name,
                 content_type = excluded.content_type, size = excluded.size, sha256 = excluded.sha256,
                 version = excluded.version, bytes_held = 1",
        )
        .bind(id.to_string())
        .bind(doc.record_id.to_string())
        .bind(&doc.title)
        .bind(&doc.file_name)
        .bind(&doc.content_type)
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .bind(&sha256)
        .bind(version)
        .bind(time::encode(added_at))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM document_chunks WHERE document_id = ?")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        for (idx, chunk) in doc.bytes.chunks(CHUNK_BYTES).enumerate() {
            sqlx::query("INSERT INTO document_chunks (document_id, idx, bytes) VALUES (?, ?, ?)")
                .bind(id.to_string())
                .bind(i64::try_from(idx).unwrap_or(i64::MAX))
                .bind(chunk)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        tracing::debug!(document = %id, record = %doc.record_id, size, "document stored");

        Ok(DocumentMeta {
            id,
            record_id: doc.record_id,
            title: doc.title,
            file_name: doc.file_name,
            content_type: doc.content_type,
            size,
            sha256,
            version,
            added_at,
            bytes_held: true,
            mutation_id: Some(mutation_id),
        })
    }

    /// The document and its bytes, or `None` if it is not in the cache;
    /// [`StoreError::DocumentNotDownloaded`] if its metadata was pulled but its bytes are
    /// not downloaded yet.
    pub async fn get_document(&self, id: DocumentId) -> StoreResult<Option<Document>> {
        let mut tx = self.pool.begin().await?;
        let Some(row) = sqlx::query(&format!(
            "SELECT {META_COLUMNS} FROM documents WHERE id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let meta = meta_from_row(&row)?;
        if !meta.bytes_held {
            return Err(StoreError::DocumentNotDownloaded(id));
        }
        let chunks: Vec<(Vec<u8>,)> =
            sqlx::query_as("SELECT bytes FROM document_chunks WHERE document_id = ? ORDER BY idx")
                .bind(id.to_string())
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        let mut bytes = Vec::with_capacity(usize::try_from(meta.size).unwrap_or(0));
        for (chunk,) in chunks {
            bytes.extend_from_slice(&chunk);
        }
        if hex::encode(&Sha256::digest(&bytes)) != meta.sha256 {
            tracing::error!(document = %id, "document bytes do not match their SHA-256");
            return Err(StoreError::Unreadable(format!(
                "document {id} (its bytes do not match their SHA-256)"
            )));
        }
        Ok(Some(Document { meta, bytes }))
    }

    /// The documents of a record, oldest first.
    pub async fn list_documents(&self, record_id: RecordId) -> StoreResult<Vec<DocumentMeta>> {
        let rows = sqlx::query(&format!(
            "SELECT {META_COLUMNS} FROM documents WHERE record_id = ? ORDER BY added_at, id"
        ))
        .bind(record_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(meta_from_row).collect()
    }

    /// Links a document to another record (it was filed against the wrong case), with a
    /// `put_document` outbox row that changes `record_id` only: no bytes to upload, so it
    /// works whether or not this device holds them. The record must be in the cache.
    pub async fn relink_document(
        &self,
        id: DocumentId,
        record_id: RecordId,
        at: DateTime<Utc>,
    ) -> StoreResult<DocumentMeta> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let Some(old) = sqlx::query(&format!(
            "SELECT {META_COLUMNS} FROM documents WHERE id = ?"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| meta_from_row(&row))
        .transpose()?
        else {
            return Err(StoreError::DocumentNotFound(id));
        };
        let record_exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM records WHERE id = ?")
            .bind(record_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if record_exists.is_none() {
            return Err(StoreError::RecordNotFound(record_id));
        }
        if old.record_id == record_id {
            return Ok(old);
        }
        let changes = [FieldChange {
            field: "record_id".to_owned(),
            base: old.record_id.to_string().into(),
            value: record_id.to_string().into(),
        }];
        let mutation_id = outbox::append(
            &mut tx,
            self.client_id,
            NewMutation {
                record_id: id.as_uuid(),
                kind: RecordKind::Document,
                operation: Operation::PutDocument,
                step: None,
                base_version: old.version,
                changes: &changes,
                at,
            },
        )
        .await?;
        let version = old.version + 1;
        sqlx::query("UPDATE documents SET record_id = ?, version = ? WHERE id = ?")
            .bind(record_id.to_string())
            .bind(version)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::debug!(document = %id, record = %record_id, "document re-linked");
        Ok(DocumentMeta {
            record_id,
            version,
            mutation_id: Some(mutation_id),
            ..old
        })
    }

    /// Deletes a document and its bytes, with a `delete_document` outbox row.
    pub async fn delete_document(
        &self,
        id: DocumentId,
        at: DateTime<Utc>,
    ) -> StoreResult<MutationId> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let version: Option<i64> = sqlx::query_scalar("SELECT version FROM documents WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(version) = version else {
            return Err(StoreError::DocumentNotFound(id));
        };
        let mutation_id = outbox::append(
            &mut tx,
            self.client_id,
            NewMutation {
                record_id: id.as_uuid(),
                kind: RecordKind::Document,
                operation: Operation::DeleteDocument,
                step: None,
                base_version: version,
                changes: &[],
                at,
            },
        )
        .await?;
        sqlx::query("DELETE FROM documents WHERE id = ?")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::debug!(document = %id, "document deleted");
        Ok(mutation_id)
    }
}
