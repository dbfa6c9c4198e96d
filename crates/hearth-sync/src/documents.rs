//! Document bytes (DESIGN.md, "Sync protocol" 5): the resumable upload of a stored
//! document, and the verified download of pulled ones.
//!
//! Order: before a push batch goes, the bytes of every `put_document` in it are uploaded
//! and finalised, so the server never gets a document's metadata before its bytes, and
//! the outbox is still pushed strictly in order (the batch simply waits for the bytes).
//! An upload that fails for a passing reason fails the sync (nothing of the batch is sent;
//! the next sync asks the server how far the upload got and goes on from there). One the
//! server refuses for good (e.g. not a Word, PDF, JPEG or PNG file) lets the batch go: the
//! server then rejects that `put_document`, which the store keeps for a person.
//!
//! Pulled documents are records like any other: their metadata is applied with its page.
//! Their bytes are downloaded once the records are pulled (the same sync), by SHA-256,
//! verified, and stored in shared transactions; until then the cache knows the document
//! and says its bytes are still to come.

use std::collections::HashMap;

use hearth_protocol::paths;
use hearth_protocol::sync::{UploadCreate, UploadFinalise, UploadStatus};
use hearth_store::{DocumentId, Mutation, Operation};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::engine::{Engine, SyncError, SyncEvent, SyncReport};

/// Document downloads under way at once, after the records are pulled (small documents
/// are dominated by round trips and by the server's audit commit per download, which the
/// server shares among the downloads waiting for it: more at once, fewer commits).
pub const DOWNLOADS_AT_ONCE: usize = 32;

/// Documents without bytes listed from the cache at a time.
const LIST_BATCH: u32 = 512;

/// Downloaded documents stored in one local transaction, at most (or this many bytes).
pub const STORE_BATCH_DOCUMENTS: usize = 256;
pub const STORE_BATCH_BYTES: usize = 16 * 1024 * 1024;

/// Progress is reported at least every this many bytes of a download (and at its end).
const DOWNLOAD_PROGRESS_STEP: u64 = 64 * 1024;

/// Bytes per uploaded chunk: the largest the server takes (`MAX_CHUNK_BYTES`, 4 MiB), so a
/// 15 MiB document is four requests; a cut upload re-sends at most this much. The store
/// keeps documents in 1 MiB chunks and reads four at a time for one upload chunk.
pub const UPLOAD_CHUNK_BYTES: u64 = 4 * 1024 * 1024;

/// What one upload attempt did (filled in as it goes, so it is also true after a failure).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadReport {
    pub upload_id: Option<Uuid>,
    /// Where the server said the upload had got to when this attempt started.
    pub resumed_from: u64,
    /// Chunk requests started (the last may have failed).
    pub chunks_sent: u64,
    pub bytes_sent: u64,
    pub finalised: bool,
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One upload chunk read from the cache, with its SHA-256 (hex).
struct Chunk {
    offset: u64,
    bytes: Vec<u8>,
    sha256: String,
}

/// Reads `len` bytes of a stored document at `offset` and hashes them (off the async
/// threads: 4 MiB of SHA-256 takes milliseconds).
async fn read_chunk(
    store: &hearth_store::Store,
    id: DocumentId,
    offset: u64,
    len: u64,
) -> Result<Chunk, SyncError> {
    let bytes = store
        .document_range(id, offset, usize::try_from(len).unwrap_or(0))
        .await?
        .ok_or_else(|| SyncError::Protocol(format!("document {id} left the cache")))?;
    if bytes.is_empty() {
        return Err(SyncError::Protocol(format!("document {id} is shorter")));
    }
    let (bytes, sha256) = tokio::task::spawn_blocking(move || {
        let sha = sha_hex(&bytes);
        (bytes, sha)
    })
    .await
    .map_err(|e| SyncError::Protocol(format!("hashing a chunk: {e}")))?;
    Ok(Chunk {
        offset,
        bytes,
        sha256,
    })
}

fn json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, SyncError> {
    serde_json::from_slice(bytes).map_err(|e| SyncError::Protocol(e.to_string()))
}

impl Engine {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.0.config.base_url, path)
    }

    /// How far an upload got, as the server has it.
    pub async fn upload_status(&self, upload_id: Uuid) -> Result<UploadStatus, SyncError> {
        let bytes = self
            .send(self.0.http.get(self.url(&paths::upload(upload_id))))
            .await?;
        json(&bytes)
    }

    /// Uploads a stored document's bytes, going on from where the server got to.
    pub async fn upload_document(&self, id: DocumentId) -> Result<UploadReport, SyncError> {
        let mut report = UploadReport::default();
        self.upload_document_with(id, &mut report).await?;
        Ok(report)
    }

    /// [`Engine::upload_document`], filling in `report` as it goes.
    pub async fn upload_document_with(
        &self,
        id: DocumentId,
        report: &mut UploadReport,
    ) -> Result<(), SyncError> {
        self.upload_document_progress(id, report, &|_| {}).await
    }

    /// [`Engine::upload_document_with`], reporting [`SyncEvent::Upload`] to `progress`:
    /// where the upload resumed, then after each chunk the server has checked.
    pub async fn upload_document_progress(
        &self,
        id: DocumentId,
        report: &mut UploadReport,
        progress: &(dyn Fn(SyncEvent) + Send + Sync),
    ) -> Result<(), SyncError> {
        let store = &self.0.store;
        let meta = store
            .document_meta(id)
            .await?
            .ok_or_else(|| SyncError::Protocol(format!("document {id} is not in the cache")))?;
        // Starting it again finds the upload: its answer is how far it got.
        let create = UploadCreate {
            document_id: id.as_uuid(),
            size: meta.size,
            sha256: meta.sha256.clone(),
        };
        let body = serde_json::to_vec(&create).map_err(|e| SyncError::Protocol(e.to_string()))?;
        // The first chunk is read from the cache and hashed while the server answers how
        // far the upload got (from the start, for a new upload); used only if it did.
        let (bytes, first) = tokio::join!(
            self.send(
                self.0
                    .http
                    .post(self.url(paths::UPLOADS))
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body),
            ),
            read_chunk(store, id, 0, UPLOAD_CHUNK_BYTES.min(meta.size)),
        );
        let mut status: UploadStatus = json(&bytes?)?;
        report.upload_id = Some(status.upload_id);
        report.resumed_from = status.offset;
        let total = status.size;
        // The server's offset only moves on; a lost answer makes it ask again, never go back.
        let mut shown = 0;
        let mut show = |done: u64| {
            if done >= shown {
                shown = done;
                progress(SyncEvent::Upload {
                    document: id.as_uuid(),
                    done,
                    total,
                });
            }
        };
        show(if status.finalised {
            total
        } else {
            status.offset
        });
        // Bounded: every chunk moves the offset on, or the status is asked again once.
        let mut tries = 4 + 2 * meta.size.div_ceil(UPLOAD_CHUNK_BYTES);
        // The next chunk is read from the cache and hashed while this one is on the wire;
        // it is used only if the server's answer is the offset it starts at.
        let mut ahead: Option<Chunk> = first.ok();
        while !status.finalised && status.offset < status.size {
            tries = tries.saturating_sub(1);
            if tries == 0 {
                return Err(SyncError::Protocol("the upload does not move on".into()));
            }
            let len = UPLOAD_CHUNK_BYTES.min(status.size - status.offset);
            let chunk = match ahead.take() {
                Some(c) if c.offset == status.offset && c.bytes.len() as u64 == len => c,
                _ => read_chunk(store, id, status.offset, len).await?,
            };
            report.chunks_sent += 1;
            report.bytes_sent += chunk.bytes.len() as u64;
            let url = format!(
                "{}?offset={}",
                self.url(&paths::upload(status.upload_id)),
                status.offset
            );
            let next_offset = status.offset + chunk.bytes.len() as u64;
            let send = self.send(
                self.0
                    .http
                    .put(url)
                    .header(paths::CHUNK_SHA256_HEADER, chunk.sha256)
                    .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                    .body(chunk.bytes),
            );
            let answer = if next_offset < status.size {
                let next_len = UPLOAD_CHUNK_BYTES.min(status.size - next_offset);
                let (answer, next) =
                    tokio::join!(send, read_chunk(store, id, next_offset, next_len));
                // A failed read ahead is read again (and its error shown) when needed.
                ahead = next.ok();
                answer
            } else {
                send.await
            };
            status = match answer {
                Ok(bytes) => json(&bytes)?,
                // Not where the server got to (an earlier answer was lost): ask.
                Err(SyncError::Server { status: 409, .. }) => {
                    self.upload_status(status.upload_id).await?
                }
                Err(e) => return Err(e),
            };
            show(if status.finalised {
                total
            } else {
                status.offset
            });
        }
        if !status.finalised {
            let body = serde_json::to_vec(&UploadFinalise {
                sha256: meta.sha256.clone(),
            })
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
            let bytes = self
                .send(
                    self.0
                        .http
                        .post(self.url(&paths::upload_finalise(status.upload_id)))
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body),
                )
                .await?;
            status = json(&bytes)?;
        }
        report.finalised = status.finalised;
        tracing::debug!(
            document = %id,
            chunks = report.chunks_sent,
            resumed_from = report.resumed_from,
            "document bytes uploaded"
        );
        Ok(())
    }

    /// Uploads the bytes of every `put_document` in `batch` whose bytes are still the
    /// stored document's (an older version's bytes are gone: the server rejects that one).
    pub(crate) async fn upload_for_batch(
        &self,
        batch: &[Mutation],
        report: &mut SyncReport,
        progress: &(dyn Fn(SyncEvent) + Send + Sync),
    ) -> Result<(), SyncError> {
        for m in batch
            .iter()
            .filter(|m| m.operation == Operation::PutDocument)
        {
            let Some(sha) = m
                .changes
                .iter()
                .find(|c| c.field == "sha256")
                .and_then(|c| c.value.as_str())
            else {
                continue;
            };
            let id = DocumentId::from_uuid(m.record_id);
            let held = self.0.store.document_meta(id).await?;
            if held.as_ref().map(|d| d.sha256.as_str()) != Some(sha) {
                continue;
            }
            let mut up = UploadReport::default();
            let result = self.upload_document_progress(id, &mut up, progress).await;
            report.bytes_sent += up.bytes_sent;
            match result {
                Ok(()) => {}
                Err(e @ SyncError::Server { status, .. })
                    if (400..500).contains(&status) && !e.is_transient() =>
                {
                    tracing::warn!(document = %id, status, "document bytes refused");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Downloads the bytes of pulled documents whose metadata is in the cache without them
    /// ([`hearth_store::Store::documents_without_bytes`]), [`DOWNLOADS_AT_ONCE`] at a time,
    /// checks each against its SHA-256 and size, and stores them in shared transactions
    /// (up to [`STORE_BATCH_DOCUMENTS`] documents or [`STORE_BATCH_BYTES`] bytes each).
    /// Bytes the server will not give (not found: e.g. access lost since the pull, which
    /// the next pull turns into a purge) are left for the next sync. Any other failure
    /// fails the sync; what was stored stays stored and the rest is asked for next time.
    pub(crate) async fn download_missing(
        &self,
        report: &mut SyncReport,
        progress: &(dyn Fn(SyncEvent) + Send + Sync),
    ) -> Result<(), SyncError> {
        use futures_util::StreamExt as _;
        let store = &self.0.store;
        let mut after = None;
        loop {
            let missing = store.documents_without_bytes(after, LIST_BATCH).await?;
            let Some(last) = missing.last() else {
                return Ok(());
            };
            after = Some(last.id);
            let full = missing.len() == LIST_BATCH as usize;
            // One download per distinct SHA-256; every document naming it gets the bytes.
            let mut by_sha: HashMap<String, Vec<DocumentId>> = HashMap::new();
            let mut wanted: Vec<(Uuid, String, u64)> = Vec::new();
            for m in missing {
                if hearth_domain::document::Sha256Hex::parse(&m.sha256).is_err() {
                    continue;
                }
                let ids = by_sha.entry(m.sha256.clone()).or_default();
                if ids.is_empty() {
                    wanted.push((m.id.as_uuid(), m.sha256, m.size));
                }
                ids.push(m.id);
            }
            let mut downloads = futures_util::stream::iter(wanted.into_iter().map(
                |(document, sha, size)| async move {
                    let got = self
                        .download_blob(&sha, document, Some(size), progress)
                        .await;
                    (document, sha, size, got)
                },
            ))
            .buffer_unordered(DOWNLOADS_AT_ONCE);
            let mut ready: Vec<(DocumentId, Vec<u8>)> = Vec::new();
            let mut ready_bytes = 0usize;
            while let Some((document, sha, size, got)) = downloads.next().await {
                let bytes = match got {
                    Ok(b) => b,
                    Err(SyncError::Server { status: 404, .. }) => {
                        tracing::warn!(document = %document, "document bytes not available");
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                report.bytes_received += bytes.len() as u64;
                if bytes.len() as u64 != size || sha_hex(&bytes) != sha {
                    return Err(SyncError::Protocol(format!(
                        "the bytes of document {document} do not match their SHA-256"
                    )));
                }
                let ids = by_sha.remove(&sha).unwrap_or_default();
                ready_bytes += bytes.len() * ids.len();
                let n = ids.len();
                for (i, id) in ids.into_iter().enumerate() {
                    if i + 1 == n {
                        ready.push((id, bytes));
                        break;
                    }
                    ready.push((id, bytes.clone()));
                }
                if ready.len() >= STORE_BATCH_DOCUMENTS || ready_bytes >= STORE_BATCH_BYTES {
                    self.store_ready(&mut ready).await?;
                    ready_bytes = 0;
                }
            }
            self.store_ready(&mut ready).await?;
            if !full {
                return Ok(());
            }
        }
    }

    /// Stores downloaded, verified bytes in one transaction and empties `ready`.
    async fn store_ready(&self, ready: &mut Vec<(DocumentId, Vec<u8>)>) -> Result<(), SyncError> {
        if ready.is_empty() {
            return Ok(());
        }
        let batch: Vec<(DocumentId, &[u8])> =
            ready.iter().map(|(id, b)| (*id, b.as_slice())).collect();
        self.0.store.store_downloaded_bytes(&batch).await?;
        ready.clear();
        Ok(())
    }

    /// The bytes named `sha`, streamed, reporting [`SyncEvent::Download`] for `document`
    /// as they come (the total is the answer's length, else the record's `size`).
    async fn download_blob(
        &self,
        sha: &str,
        document: Uuid,
        size: Option<u64>,
        progress: &(dyn Fn(SyncEvent) + Send + Sync),
    ) -> Result<Vec<u8>, SyncError> {
        let mut res = self
            .send_for_response(self.0.http.get(self.url(&paths::blob(sha))))
            .await?;
        let total = res.content_length().or(size);
        let mut bytes = Vec::with_capacity(
            usize::try_from(
                total
                    .unwrap_or(0)
                    .min(hearth_protocol::sync::MAX_DOCUMENT_BYTES),
            )
            .unwrap_or(0),
        );
        let mut shown = 0u64;
        progress(SyncEvent::Download {
            document,
            done: 0,
            total: total.unwrap_or(0),
        });
        while let Some(chunk) = res.chunk().await.map_err(SyncError::Offline)? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > hearth_protocol::sync::MAX_DOCUMENT_BYTES {
                return Err(SyncError::Protocol(format!(
                    "the bytes of document {document} are larger than any document may be"
                )));
            }
            let done = bytes.len() as u64;
            if done - shown >= DOWNLOAD_PROGRESS_STEP {
                shown = done;
                progress(SyncEvent::Download {
                    document,
                    done,
                    total: total.unwrap_or(0).max(done),
                });
            }
        }
        let done = bytes.len() as u64;
        if done != shown || done == 0 {
            progress(SyncEvent::Download {
                document,
                done,
                total: done,
            });
        }
        Ok(bytes)
    }
}
