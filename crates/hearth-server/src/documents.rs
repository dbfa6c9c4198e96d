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

/// The whole-file SHA-256 of each upload, carried from chunk to chunk while this process
/// receives all of it in order, so `finalise` checks the file without reading it again.
///
/// A hash is only carried on by the chunk that starts where it ended and was counted
/// (`upload_advance`), and never once two chunk requests for the same upload have
/// overlapped (their bytes may differ, and either may land last): a retried, racing or
/// failed chunk, a restart, or another server process drops it, and `finalise` then reads
/// the whole file back as before. Each chunk's bytes are hashed while they are written and
/// synced, so the whole-file hash costs no time of its own.
#[derive(Default, Clone)]
pub struct UploadHashes(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<Uuid, RunningHash>>>,
);

#[derive(Default)]
struct RunningHash {
    /// Chunk requests for this upload whose bytes may still be being written.
    in_flight: u64,
    /// Two chunk requests overlapped: nothing more is carried for this upload.
    overlapped: bool,
    /// The hash of the file's first `.0` bytes.
    upto: Option<(u64, Sha256)>,
}

/// Uploads with a carried hash at most; beyond, the idle ones are forgotten (and read
/// back when finalised).
const MAX_RUNNING_HASHES: usize = 4096;

/// One chunk request's place in [`UploadHashes`]. It lives until the chunk's bytes are
/// written, even if the request is dropped first, and ends the request when dropped.
pub struct HashTicket {
    hashes: UploadHashes,
    upload: Uuid,
}

impl UploadHashes {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<Uuid, RunningHash>> {
        // A panic elsewhere while holding it leaves only hashes, which are checked anyway.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A chunk at `offset` begins: the hash to carry on (a new one at offset 0), if any.
    fn begin(&self, upload: Uuid, offset: u64) -> (Option<Sha256>, HashTicket) {
        let mut map = self.lock();
        if map.len() >= MAX_RUNNING_HASHES && !map.contains_key(&upload) {
            map.retain(|_, e| e.in_flight > 0);
        }
        let entry = map.entry(upload).or_default();
        if entry.in_flight > 0 {
            entry.overlapped = true;
        }
        entry.in_flight += 1;
        let hash = match entry.upto.take() {
            _ if entry.overlapped => None,
            Some((upto, h)) if upto == offset => Some(h),
            _ if offset == 0 => Some(Sha256::new()),
            _ => None,
        };
        let ticket = HashTicket {
            hashes: self.clone(),
            upload,
        };
        (hash, ticket)
    }

    /// The hash of the whole file if every byte of its `size` was carried; forgets it.
    fn take_whole(&self, upload: Uuid, size: u64) -> Option<Sha256> {
        let mut map = self.lock();
        let entry = map.get_mut(&upload)?;
        let whole = match entry.upto.take() {
            // Never set once requests overlapped (`begin` takes it, `carry` refuses).
            Some((upto, h)) if upto == size => Some(h),
            _ => None,
        };
        if entry.in_flight == 0 {
            map.remove(&upload);
        }
        whole
    }
}

impl HashTicket {
    /// The chunk ending at `upto` is written, synced and counted: keep its hash for the
    /// next chunk, unless another request for this upload overlapped it.
    fn carry(self, upto: u64, hash: Sha256) {
        if let Some(entry) = self.hashes.lock().get_mut(&self.upload) {
            if !entry.overlapped {
                entry.upto = Some((upto, hash));
            }
        }
    }
}

impl Drop for HashTicket {
    fn drop(&mut self) {
        if let Some(entry) = self.hashes.lock().get_mut(&self.upload) {
            entry.in_flight = entry.in_flight.saturating_sub(1);
        }
    }
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

/// The first [`SNIFF_BYTES`] of a file (fewer if it is shorter), for its type check.
fn read_prefix(f: &mut std::fs::File) -> std::io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(SNIFF_BYTES);
    f.take(SNIFF_BYTES as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
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
    let (hash, ticket) = state.upload_hashes.begin(id, offset);
    let (hash, ticket) = blocking(move || {
        // The ticket stays with the write: a dropped request does not end it early.
        let ticket = ticket;
        std::thread::scope(|s| {
            // The whole-file hash moves on while the bytes are written and synced.
            let bytes = &body;
            let hashing = hash.map(|mut h| {
                s.spawn(move || {
                    h.update(bytes);
                    h
                })
            });
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
            f.sync_data()?;
            Ok(hashing.and_then(|t| t.join().ok()))
        })
        .map(|hash| (hash, ticket))
    })
    .await?;
    // Only after the bytes are durable: a crash in between leaves `received` behind, and
    // the chunk is simply sent again.
    let advanced = state
        .store
        .upload_advance(id, offset, offset + len, state.now())
        .await?;
    // Not advanced: another request for the same offset counted first; its bytes and
    // these may differ, so the file is read back at the end.
    if let (true, Some(hash)) = (advanced, hash) {
        ticket.carry(offset + len, hash);
    }
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
    let carried = state.upload_hashes.take_whole(id, size);
    let checked = blocking(move || {
        if !part.exists() {
            // A crash after the rename and before the database noted it: the blob was
            // checked before it was moved.
            if blob.exists() {
                let prefix = read_prefix(&mut std::fs::File::open(&blob)?)?;
                return Ok(match check_file(size, &prefix) {
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
        let prefix = read_prefix(&mut f)?;
        let digest = match carried {
            // Every chunk was hashed on its way in: only the type was read back.
            Some(hasher) => hasher.finalize(),
            None => {
                let mut hasher = Sha256::new();
                hasher.update(&prefix);
                std::io::copy(&mut f, &mut hasher)?;
                hasher.finalize()
            }
        };
        if hex::encode(digest) != sha {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(parts: &[&[u8]]) -> String {
        let mut h = Sha256::new();
        for p in parts {
            h.update(p);
        }
        hex::encode(h.finalize())
    }

    /// One chunk request that writes and is counted.
    fn chunk(hashes: &UploadHashes, upload: Uuid, offset: u64, bytes: &[u8]) {
        let (hash, ticket) = hashes.begin(upload, offset);
        if let Some(mut h) = hash {
            h.update(bytes);
            ticket.carry(offset + bytes.len() as u64, h);
        }
    }

    #[test]
    fn chunks_in_order_carry_the_whole_file_hash() {
        let hashes = UploadHashes::default();
        let id = Uuid::now_v7();
        chunk(&hashes, id, 0, b"first ");
        chunk(&hashes, id, 6, b"second");
        let h = hashes.take_whole(id, 12).expect("carried");
        assert_eq!(hex::encode(h.finalize()), whole(&[b"first ", b"second"]));
        // Taken once: finalising again reads the file.
        assert!(hashes.take_whole(id, 12).is_none());
    }

    #[test]
    fn a_short_or_restarted_upload_is_read_back() {
        let hashes = UploadHashes::default();
        let id = Uuid::now_v7();
        chunk(&hashes, id, 0, b"first ");
        assert!(
            hashes.take_whole(id, 12).is_none(),
            "not every byte was hashed"
        );
        // A process that did not see the first chunk (a restart) carries nothing.
        let fresh = UploadHashes::default();
        chunk(&fresh, id, 6, b"second");
        assert!(fresh.take_whole(id, 12).is_none());
    }

    #[test]
    fn overlapping_chunks_stop_the_carrying_for_good() {
        let hashes = UploadHashes::default();
        let id = Uuid::now_v7();
        let (a, ticket_a) = hashes.begin(id, 0);
        // A second request for the same offset while the first is still writing.
        let (b, ticket_b) = hashes.begin(id, 0);
        assert!(a.is_some());
        assert!(b.is_none(), "a racing request must not hash");
        let mut a = a.unwrap();
        a.update(b"first ");
        ticket_a.carry(6, a);
        drop(ticket_b);
        chunk(&hashes, id, 6, b"second");
        assert!(hashes.take_whole(id, 12).is_none());
    }

    #[test]
    fn a_chunk_that_was_not_counted_drops_the_hash() {
        let hashes = UploadHashes::default();
        let id = Uuid::now_v7();
        chunk(&hashes, id, 0, b"first ");
        // Written but not counted (another request counted first): no carry.
        let (hash, ticket) = hashes.begin(id, 6);
        assert!(hash.is_some());
        drop(ticket);
        chunk(&hashes, id, 6, b"second");
        assert!(hashes.take_whole(id, 12).is_none());
    }
}
