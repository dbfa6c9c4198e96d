//! Sync: push of a device's outbox, pull of the change log, resumable document upload
//! (DESIGN.md, "Sync protocol").
//!
//! - Push ([`PushRequest`] → [`PushResponse`]): mutations in the client's order, each
//!   answered with an [`Outcome`]; every outcome advances the client's `last_mutation_id`
//!   on the server, so the client may drop every answered mutation from its outbox. A
//!   first mutation id that leaves a gap after the server's `last_mutation_id` is refused
//!   as a whole with error code `sync_gap` (HTTP 409) and a body naming the expected id.
//! - Pull (`GET …/sync/pull?after=<cursor>&limit=<n>` → [`PullResponse`]): the records
//!   this user may see that changed after the cursor, the records they may no longer see
//!   ([`Purge`]), and the cursor to ask with next.
//! - Documents: [`UploadCreate`], chunks (`PUT …/uploads/{id}?offset=n` with the bytes and
//!   an `X-Chunk-Sha256` header), [`UploadStatus`], [`UploadFinalise`].

use hearth_domain::RecordKind;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// What a mutation does to its record (the same names as the client's outbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SyncOperation {
    Create,
    Update,
    Discard,
    PutDocument,
    DeleteDocument,
}

/// One changed field with the value the edit was made on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    pub field: String,
    /// The value before the edit (`null`: not set).
    pub base: Value,
    pub value: Value,
}

/// One outbox row on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushMutation {
    /// Per client, strictly increasing, without gaps.
    pub mutation_id: i64,
    pub record_id: Uuid,
    #[cfg_attr(feature = "utoipa", schema(value_type = String, example = "plan"))]
    pub kind: RecordKind,
    pub operation: SyncOperation,
    /// The record's version the edit was made on (0 for a new record).
    pub base_version: i64,
    /// The record's single-editor epoch the edit was made under (0 before any transfer).
    #[serde(default)]
    pub epoch: i64,
    pub changes: Vec<FieldChange>,
}

/// `POST /api/v1/sync/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The device's id in the sync protocol (the store's client id).
    pub client_id: Uuid,
    /// In mutation-id order.
    pub mutations: Vec<PushMutation>,
}

/// One field both sides changed: what the edit was made on, what it set, what the server
/// has now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct FieldConflict {
    pub field: String,
    pub base: Value,
    pub mine: Value,
    pub theirs: Value,
}

/// The answer to one mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied: the record's new version, and its permanent reference (set on creation,
    /// and repeated on every later answer for the record).
    Applied {
        version: i64,
        reference: Option<String>,
    },
    /// Answered earlier (that answer was lost): nothing done again. `original` is the
    /// first answer when the server still has it.
    Skipped {
        #[cfg_attr(feature = "utoipa", schema(no_recursion))]
        original: Option<Box<Outcome>>,
    },
    /// The record moved on (another version or another epoch): nothing applied. The
    /// person resolves it by making a new edit.
    Conflict {
        /// The server's current version of the record.
        version: i64,
        fields: Vec<FieldConflict>,
    },
    /// The mutation can never succeed (e.g. the record belongs to someone else). A fixed
    /// phrase, never personal data.
    Rejected { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct MutationResult {
    pub mutation_id: i64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The answer to a push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// One per mutation sent, in order.
    pub results: Vec<MutationResult>,
    /// The highest mutation id the server has answered for this client.
    pub last_mutation_id: i64,
    /// The server's database epoch (changes when the server is restored from a backup).
    pub server_epoch: String,
}

/// The body of a `sync_gap` error: the mutation id the server expects next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct GapDetail {
    pub expected_mutation_id: i64,
}

/// `GET /api/v1/sync/pull` query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "utoipa", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The cursor from the previous page (0 at first).
    #[serde(default)]
    pub after: i64,
    /// Records per page (at most [`MAX_PULL_LIMIT`]).
    pub limit: Option<u32>,
}

pub const DEFAULT_PULL_LIMIT: u32 = 500;
pub const MAX_PULL_LIMIT: u32 = 2000;

/// A record as it is now on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Change {
    pub record_id: Uuid,
    #[cfg_attr(feature = "utoipa", schema(value_type = String, example = "plan"))]
    pub kind: RecordKind,
    pub version: i64,
    pub epoch: i64,
    /// Discarded: remove it from the cache.
    pub deleted: bool,
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub fields: Map<String, Value>,
    pub reference: Option<String>,
}

/// A record this user may no longer see: remove it (and its documents) from the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Purge {
    pub record_id: Uuid,
}

/// One page of the change log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    pub purges: Vec<Purge>,
    /// Ask with this next.
    pub next_cursor: i64,
    /// More pages follow now.
    pub more: bool,
    pub server_epoch: String,
}

/// The largest document accepted: 15 MiB.
pub const MAX_DOCUMENT_BYTES: u64 = 15 * 1024 * 1024;

/// `POST /api/v1/uploads`: starts (or finds) the resumable upload of one document's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UploadCreate {
    pub document_id: Uuid,
    pub size: u64,
    /// Lower-case hex SHA-256 of the whole file.
    pub sha256: String,
}

/// How far an upload got (`GET /api/v1/uploads/{id}`, and the answer to each chunk).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct UploadStatus {
    pub upload_id: Uuid,
    /// Bytes received and checked so far; the next chunk starts here.
    pub offset: u64,
    pub size: u64,
    /// The bytes are complete and verified (deduplicated by content hash).
    pub finalised: bool,
}

/// `POST /api/v1/uploads/{id}/finalise`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UploadFinalise {
    pub sha256: String,
}
