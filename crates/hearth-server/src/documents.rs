//! Document bytes (DESIGN.md, "Sync protocol" 5): a resumable upload, then download by
//! content hash. The metadata is a `document` record that syncs like any other; push
//! rejects a `put_document` whose bytes this user has not finalised ([`push_guard`]).
//!
//! - `POST /api/v1/uploads` ([`UploadCreate`]) starts, or finds again, the upload of one
//!   document's bytes (at most 15 MiB) and answers how far it got ([`UploadStatus`]).
//! - `PUT /api/v1/uploads/{id}?offset=n` with the bytes and `X-Chunk-Sha256`: refused when
//!   the hash does not match or `n` is not where the upload got to.
//! - `GET`/`HEAD /api/v1/uploads/{id}`: how far it got (kept in the database).
//! - `POST /api/v1/uploads/{id}/finalise` ([`UploadFinalise`]): checks the whole file
//!   against its SHA-256 and its type by content (Word, PDF, JPEG, PNG), then moves it to
//!   `documents/<sha[0..2]>/<sha>` (a rename: never visible before), once per hash.
//! - `GET /api/v1/blobs/{sha256}`: the bytes, for the uploader and for whoever may see a
//!   live document record naming them (see `Store::blob_readable`).
//!
//! Uploads belong to the user who started them: anyone else is answered "not found".
//! Bytes are written at their offset without truncating, so a retried or racing chunk
//! never loses what another already wrote; the database's `received` is the truth.

use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as AxPath, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use hearth_domain::document::{check_file, Sha256Hex, SNIFF_BYTES};
use hearth_protocol::paths::{CHUNK_SHA256_HEADER, CONTENT_SHA256_HEADER};
use hearth_protocol::sync::{
    PushMutation, SyncOperation, UploadCreate, UploadFinalise, UploadStatus, MAX_DOCUMENT_BYTES,
};
use hearth_protocol::ErrorBody;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::app::{AppState, Authed};
use crate::error::{ApiError, Json, PathId};
use crate::store::{AuditEvent, UploadRow};

/// Raw bytes in the OpenAPI document (a chunk, a blob).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct RawBytes(pub Vec<u8>);

/// The largest chunk accepted.
pub const MAX_CHUNK_BYTES: usize = 4 * 1024 * 1024;
/// The body limit on the chunk route.
pub const CHUNK_BODY_LIMIT_BYTES: usize = MAX_CHUNK_BYTES;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkQuery {
    pub offset: u64,
}

fn root(state: &AppState) -> Result<&Path, ApiError> {
    state
        .documents_dir
        .as_deref()
        .ok_or_else(|| ApiError::Unexpected(anyhow::anyhow!("no documents folder is configured")))
}

fn part_path(root: &Path, upload: Uuid) -> PathBuf {
    root.join("uploads").join(format!("{upload}.part"))
}

/// Where finalised bytes live: content-addressed.
pub fn blob_path(root: &Path, sha256: &str) -> PathBuf {
    root.join("documents").join(&sha256[..2]).join(sha256)
}

fn status_of(row: &UploadRow) -> UploadStatus {
    UploadStatus {
        upload_id: row.id,
        offset: row.received,
        size: row.size,
        finalised: row.finalised,
    }
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn parse_sha(s: &str) -> Result<String, ApiError> {
    Sha256Hex::parse(s)
        .map(|h| h.as_str().to_owned())
        .map_err(|_| ApiError::BadRequest("A SHA-256 is 64 hexadecimal digits".into()))
}

/// The upload, if it is this user's. Another user's upload is answered "not found" too
/// (so the answer does not tell that it exists), and that denial is audited.
async fn own_upload(state: &AppState, who: &Authed, id: Uuid) -> Result<UploadRow, ApiError> {
    match state.store.upload_get(id).await? {
        Some(row) if row.user == who.actor.user => Ok(row),
        Some(_) => {
            state
                .audit(AuditEvent {
                    target: Some(format!("upload:{id}")),
                    reason: Some("the upload is another user's".into()),
                    ..who.event(state, "document.upload", "denied")
                })
                .await?;
            Err(ApiError::NotFound)
        }
        None => Err(ApiError::NotFound),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Unexpected(e.into()))?
        .map_err(|e| ApiError::Unexpected(anyhow::Error::new(e).context("document file")))
}

fn audit_event(state: &AppState, who: &Authed, action: &str, target: Uuid) -> AuditEvent {
    AuditEvent {
        target: Some(target.to_string()),
        ..who.event(state, action, "ok")
    }
}

/// Starts (or finds again) the upload of one document's bytes.
#[utoipa::path(post, path = "/api/v1/uploads", request_body = UploadCreate,
    security(("bearer" = [])), responses(
    (status = 200, body = UploadStatus),
    (status = 400, description = "bad_request: not JSON, an empty document, a size beyond a 64-bit number, or a malformed SHA-256", body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 413, description = "payload_too_large: the document is over 15 MiB", body = ErrorBody),
    (status = 415, body = ErrorBody),
    (status = 422, description = "invalid_body", body = ErrorBody),
))]
pub async fn create(
    State(state): State<AppState>,
    who: Authed,
    Json(req): Json<UploadCreate>,
) -> Result<Json<UploadStatus>, ApiError> {
    if req.size == 0 {
        return Err(ApiError::BadRequest("The document is empty".into()));
    }
    // Described as a 64-bit integer in the OpenAPI document: beyond it is not a size.
    if i64::try_from(req.size).is_err() {
        return Err(ApiError::BadRequest(
            "The size is not a number of bytes".into(),
        ));
    }
    if req.size > MAX_DOCUMENT_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    let sha = parse_sha(&req.sha256)?;
    root(&state)?;
    let row = state
        .store
        .upload_open(who.actor.user, req.document_id, req.size, &sha, state.now())
        .await?;
    Ok(Json(status_of(&row)))
}

/// How far the upload got.
#[utoipa::path(get, path = "/api/v1/uploads/{id}", params(("id" = Uuid, Path, description = "The upload id")),
    security(("bearer" = [])), responses(
    (status = 200, body = UploadStatus),
    (status = 400, description = "bad_request: the id is malformed", body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 404, description = "not_found: no such upload of this user's", body = ErrorBody),
))]
pub async fn status(
    State(state): State<AppState>,
    who: Authed,
    PathId(id): PathId,
) -> Result<Json<UploadStatus>, ApiError> {
    let row = own_upload(&state, &who, id).await?;
    Ok(Json(status_of(&row)))
}

/// One chunk at the offset the upload got to, checked against its SHA-256.
#[utoipa::path(put, path = "/api/v1/uploads/{id}", params(("id" = Uuid, Path, description = "The upload id"),
        ("offset" = u64, Query, description = "Where the chunk starts: where the upload got to"),
        ("X-Chunk-Sha256" = String, Header, description = "The chunk's SHA-256 (64 hexadecimal digits)"),
    ),
    request_body(content = RawBytes, content_type = "application/octet-stream", description = "The chunk's bytes (at most 4 MiB)"),
    security(("bearer" = [])), responses(
    (status = 200, body = UploadStatus),
    (status = 400, description = "bad_request: a malformed id, offset or SHA-256, a missing X-Chunk-Sha256, or an empty chunk or one past the declared size", body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 404, description = "not_found: no such upload of this user's", body = ErrorBody),
    (status = 409, description = "conflict: the offset is not where the upload got to", body = ErrorBody),
    (status = 413, description = "payload_too_large: the chunk is over 4 MiB", body = ErrorBody),
    (status = 422, description = "invalid_body: the chunk does not match its SHA-256", body = ErrorBody),
))]
pub async fn chunk(
    State(state): State<AppState>,
    who: Authed,
    PathId(id): PathId,
    query: Result<Query<ChunkQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<UploadStatus>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let row = own_upload(&state, &who, id).await?;
    if row.finalised {
        return Ok(Json(status_of(&row)));
    }
    if q.offset != row.received {
        return Err(ApiError::Conflict(
            "The chunk must start where the upload got to: ask how far it got",
        ));
    }
    let len = u64::try_from(body.len()).unwrap_or(u64::MAX);
    if len == 0 || q.offset + len > row.size {
        return Err(ApiError::BadRequest(
            "The chunk is empty or goes past the declared size".into(),
        ));
    }
    let declared = headers
        .get(CHUNK_SHA256_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::BadRequest("Send the chunk's SHA-256 in X-Chunk-Sha256".into()))?;
    let declared = parse_sha(declared)?;
    if sha_hex(&body) != declared {
        tracing::info!(upload = %id, offset = q.offset, "chunk refused: hash mismatch");
        return Err(ApiError::InvalidBody(
            "The chunk does not match its SHA-256; send it again".into(),
        ));
    }
    let path = part_path(root(&state)?, id);
    let offset = q.offset;
    blocking(move || {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        f.seek(SeekFrom::Start(offset))?;
        f.write_all(&body)?;
        f.sync_data()
    })
    .await?;
    // Only after the bytes are durable: a crash in between leaves `received` behind, and
    // the chunk is simply sent again.
    state
        .store
        .upload_advance(id, offset, offset + len, state.now())
        .await?;
    let row = own_upload(&state, &who, id).await?;
    Ok(Json(status_of(&row)))
}

/// What finalising found on disk.
enum Checked {
    Ready { content_type: &'static str },
    Mismatch,
    WrongType(hearth_domain::document::DocumentError),
    Missing,
}

/// Checks the whole file against its SHA-256 and its type, then moves it into place.
#[utoipa::path(post, path = "/api/v1/uploads/{id}/finalise", params(("id" = Uuid, Path, description = "The upload id")),
    request_body = UploadFinalise, security(("bearer" = [])), responses(
    (status = 200, body = UploadStatus),
    (status = 400, description = "bad_request: not JSON, a malformed id or SHA-256, or not the SHA-256 the upload was started with", body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 404, description = "not_found: no such upload of this user's", body = ErrorBody),
    (status = 409, description = "conflict: the upload is not complete", body = ErrorBody),
    (status = 413, body = ErrorBody),
    (status = 415, body = ErrorBody),
    (status = 422, description = "invalid_body: the file does not match its SHA-256 or is not an accepted type (the upload starts again)", body = ErrorBody),
))]
pub async fn finalise(
    State(state): State<AppState>,
    who: Authed,
    PathId(id): PathId,
    Json(req): Json<UploadFinalise>,
) -> Result<Json<UploadStatus>, ApiError> {
    let row = own_upload(&state, &who, id).await?;
    if row.finalised {
        return Ok(Json(status_of(&row)));
    }
    let sha = parse_sha(&req.sha256)?;
    if sha != row.sha256 {
        return Err(ApiError::BadRequest(
            "The SHA-256 is not the one the upload was started with".into(),
        ));
    }
    if row.received != row.size {
        return Err(ApiError::Conflict(
            "The upload is not complete: ask how far it got",
        ));
    }
    let root = root(&state)?.to_owned();
    let part = part_path(&root, id);
    let blob = blob_path(&root, &sha);
    let size = row.size;
    let checked = blocking(move || {
        if !part.exists() {
            // A crash after the rename and before the database noted it: the blob was
            // checked before it was moved.
            if blob.exists() {
                let mut prefix = vec![0u8; SNIFF_BYTES];
                let mut f = std::fs::File::open(&blob)?;
                let n = f.read(&mut prefix)?;
                return Ok(match check_file(size, &prefix[..n]) {
                    Ok(t) => Checked::Ready {
                        content_type: t.mime_type(),
                    },
                    Err(e) => Checked::WrongType(e),
                });
            }
            return Ok(Checked::Missing);
        }
        let f = std::fs::OpenOptions::new().write(true).open(&part)?;
        f.set_len(size)?;
        drop(f);
        let mut f = std::fs::File::open(&part)?;
        let mut hasher = Sha256::new();
        let mut prefix = Vec::with_capacity(SNIFF_BYTES);
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            if prefix.len() < SNIFF_BYTES {
                let take = n.min(SNIFF_BYTES - prefix.len());
                prefix.extend_from_slice(&buf[..take]);
            }
            hasher.update(&buf[..n]);
        }
        if hex::encode(hasher.finalize()) != sha {
            std::fs::remove_file(&part)?;
            return Ok(Checked::Mismatch);
        }
        let content_type = match check_file(size, &prefix) {
            Ok(t) => t.mime_type(),
            Err(e) => {
                std::fs::remove_file(&part)?;
                return Ok(Checked::WrongType(e));
            }
        };
        let dir = blob.parent().map(Path::to_owned).unwrap_or_default();
        std::fs::create_dir_all(&dir)?;
        if blob.exists() {
            // Deduplicated: the same bytes are already there.
            std::fs::remove_file(&part)?;
        } else {
            std::fs::rename(&part, &blob)?;
            std::fs::File::open(&dir)?.sync_all()?;
        }
        Ok(Checked::Ready { content_type })
    })
    .await?;
    match checked {
        Checked::Ready { content_type } => {
            state
                .store
                .upload_finalise(id, &row.sha256, row.size, content_type, state.now())
                .await?;
            state
                .audit(audit_event(
                    &state,
                    &who,
                    "document.upload",
                    row.document_id,
                ))
                .await?;
            let row = own_upload(&state, &who, id).await?;
            Ok(Json(status_of(&row)))
        }
        Checked::Mismatch | Checked::Missing => {
            state.store.upload_reset(id, state.now()).await?;
            Err(ApiError::InvalidBody(
                "The file does not match its SHA-256; send it again from the start".into(),
            ))
        }
        Checked::WrongType(e) => {
            state.store.upload_reset(id, state.now()).await?;
            Err(ApiError::InvalidBody(e.to_string()))
        }
    }
}

/// A finalised document's bytes, by their SHA-256.
#[utoipa::path(get, path = "/api/v1/blobs/{sha256}",
    params(("sha256" = String, Path, description = "The bytes' SHA-256 (64 hexadecimal digits)")),
    security(("bearer" = [])), responses(
    (status = 200, description = "The bytes", content_type = "application/octet-stream", body = RawBytes,
        headers(("X-Content-Sha256" = String, description = "The bytes' SHA-256"))),
    (status = 400, description = "bad_request: the SHA-256 is malformed", body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 404, description = "not_found: no such bytes this user may read", body = ErrorBody),
))]
pub async fn download(
    State(state): State<AppState>,
    who: Authed,
    AxPath(sha256): AxPath<String>,
) -> Result<Response, ApiError> {
    let sha = parse_sha(&sha256)?;
    if !state.store.blob_readable(&who.actor, &sha).await? {
        // "Not found" either way, so the answer does not tell whether the bytes exist.
        state
            .audit(AuditEvent {
                target: Some(format!("blob:{sha}")),
                reason: Some("not the uploader, and no record it may read names it".into()),
                ..who.event(&state, "document.read", "denied")
            })
            .await?;
        return Err(ApiError::NotFound);
    }
    let path = blob_path(root(&state)?, &sha);
    let bytes = match tokio::fs::read(&path).await {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ApiError::NotFound),
        Err(e) => return Err(ApiError::Unexpected(e.into())),
    };
    state
        .audit(AuditEvent {
            target: Some(format!("blob:{sha}")),
            ..who.event(&state, "document.read", "ok")
        })
        .await?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(v) = HeaderValue::from_str(&sha) {
        h.insert(CONTENT_SHA256_HEADER, v);
    }
    Ok(res)
}

/// Why a pushed mutation must be rejected before it reaches the store: a `put_document`
/// naming bytes this user has not finalised (so no half-uploaded document is ever named
/// by a record anyone can pull), or a new document without bytes.
pub async fn push_guard(
    state: &AppState,
    who: &Authed,
    m: &PushMutation,
) -> Result<Option<&'static str>, ApiError> {
    if m.operation != SyncOperation::PutDocument {
        return Ok(None);
    }
    let sha = m
        .changes
        .iter()
        .find(|c| c.field == "sha256")
        .map(|c| c.value.as_str());
    match sha {
        None if m.base_version == 0 => Ok(Some("the document has no bytes")),
        None => Ok(None),
        Some(None) => Ok(Some("the document's SHA-256 is not valid")),
        Some(Some(s)) => {
            let Ok(h) = Sha256Hex::parse(s) else {
                return Ok(Some("the document's SHA-256 is not valid"));
            };
            if state
                .store
                .upload_finalised_by(who.actor.user, h.as_str())
                .await?
            {
                Ok(None)
            } else {
                Ok(Some("the document's bytes were not uploaded"))
            }
        }
    }
}
