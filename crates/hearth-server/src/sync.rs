//! The sync endpoints (DESIGN.md, "Sync protocol"): `POST /api/v1/sync/push` and
//! `GET /api/v1/sync/pull`. The storage side, one transaction per mutation, is in
//! `sync_db`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use hearth_protocol::sync::{
    MutationResult, PullQuery, PullResponse, Purge, PushRequest, PushResponse, DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
};

use hearth_protocol::ErrorBody;

use crate::app::{AppState, Authed};
use crate::error::{ApiError, Json};
use crate::store::{MutationIn, PushStep};

/// The most mutations one push may carry.
pub const MAX_MUTATIONS_PER_PUSH: usize = 1000;

/// The largest push body accepted (1,000 mutations of wizard steps).
pub const PUSH_BODY_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// Applies the device's mutations in order, one transaction each.
///
/// Every mutation gets an answer (applied, skipped, conflict, rejected), and each answer
/// advances the client's last mutation id. A first mutation id that does not follow on
/// from the last one answered is refused with `sync_gap` (409) and nothing is done.
#[utoipa::path(post, path = "/api/v1/sync/push", request_body = PushRequest,
    security(("bearer" = [])), responses(
    (status = 200, body = PushResponse),
    (status = 400, description = "bad_request: not JSON, more than 1,000 mutations, or ids not consecutive", body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, description = "forbidden: the client id belongs to another account", body = ErrorBody),
    (status = 409, description = "sync_gap: the first mutation id leaves a gap", body = ErrorBody),
    (status = 413, description = "payload_too_large: over 16 MiB", body = ErrorBody),
    (status = 415, body = ErrorBody),
    (status = 422, description = "invalid_body or validation", body = ErrorBody),
))]
pub async fn push(
    State(state): State<AppState>,
    who: Authed,
    Json(req): Json<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if req.mutations.len() > MAX_MUTATIONS_PER_PUSH {
        return Err(ApiError::BadRequest(format!(
            "Send at most {MAX_MUTATIONS_PER_PUSH} mutations per push"
        )));
    }
    if req
        .mutations
        .windows(2)
        .any(|w| w[0].mutation_id.checked_add(1) != Some(w[1].mutation_id))
    {
        return Err(ApiError::BadRequest(
            "Mutation ids in a push must be consecutive and in order".into(),
        ));
    }
    let mut results = Vec::with_capacity(req.mutations.len());
    let mut last_mutation_id = 0;
    for m in &req.mutations {
        // A document's metadata only once its bytes are up (documents.rs).
        let refuse = crate::documents::push_guard(&state, &who, m).await?;
        let step = state
            .store
            .sync_push_or_reject(
                refuse,
                MutationIn {
                    client_id: req.client_id,
                    user: who.actor.user,
                    device: who.actor.device,
                    actor: &who.actor,
                    mutation: m,
                    now: state.now(),
                },
            )
            .await?;
        match step {
            PushStep::Answered(outcome) => {
                last_mutation_id = m.mutation_id;
                results.push(MutationResult {
                    mutation_id: m.mutation_id,
                    outcome,
                });
            }
            PushStep::Gap { expected } => return Err(ApiError::SyncGap { expected }),
            PushStep::ForeignClient => {
                return Err(ApiError::Forbidden(
                    "This device id belongs to another account. Reset this device's cache",
                ))
            }
        }
    }
    if results
        .iter()
        .any(|r| matches!(r.outcome, hearth_protocol::sync::Outcome::Applied { .. }))
    {
        // Committed: any email it queued can go now.
        state.mail_wake.notify_one();
    }
    tracing::debug!(
        mutations = results.len(),
        last_mutation_id,
        "sync push answered"
    );
    Ok(Json(PushResponse {
        results,
        last_mutation_id,
        server_epoch: state.store.sync_epoch().await?,
    }))
}

/// One page of the change log after `after`, for the records this user may see, plus the
/// records they may no longer see.
#[utoipa::path(get, path = "/api/v1/sync/pull", params(PullQuery),
    security(("bearer" = [])), responses(
    (status = 200, body = PullResponse),
    (status = 400, description = "bad_request: a malformed or negative cursor, or a limit that is not a 32-bit number", body = ErrorBody),
    (status = 401, body = ErrorBody),
))]
pub async fn pull(
    State(state): State<AppState>,
    who: Authed,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if q.after < 0 {
        return Err(ApiError::BadRequest("The cursor cannot be negative".into()));
    }
    // The OpenAPI document describes the limit as a 32-bit integer: refuse what it cannot
    // be rather than clamping it.
    if q.limit.is_some_and(|l| i32::try_from(l).is_err()) {
        return Err(ApiError::BadRequest(format!(
            "The limit is a number of changes up to {MAX_PULL_LIMIT}"
        )));
    }
    let limit = q
        .limit
        .unwrap_or(DEFAULT_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT);
    let epoch = state.store.sync_epoch().await?;
    let page = state.store.sync_pull(&who.actor, q.after, limit).await?;
    if !page.changes.is_empty() || !page.purges.is_empty() {
        // Ids only: which records this device received.
        let ids: Vec<String> = page
            .changes
            .iter()
            .map(|(_, c)| c.record_id.to_string())
            .chain(page.purges.iter().map(|p| format!("purge:{p}")))
            .collect();
        state
            .audit(crate::store::AuditEvent {
                target: Some(ids.join(",")),
                ..who.event(&state, "record.read", "ok")
            })
            .await?;
    }
    Ok(Json(PullResponse {
        changes: page.changes.into_iter().map(|(_, c)| c).collect(),
        purges: page
            .purges
            .into_iter()
            .map(|record_id| Purge { record_id })
            .collect(),
        next_cursor: page.next_cursor,
        more: page.more,
        server_epoch: epoch,
    }))
}
