//! The HTTP application: shared state, the signed-in user extractor, access checks with
//! auditing, and the router.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use hearth_domain::account::Account;
use hearth_protocol::paths;
use utoipa::OpenApi;
use uuid::Uuid;

use crate::access::{decide, Action, Actor, Decision, Target};
use crate::clock::Clock;
use crate::error::ApiError;
use crate::mail::{Email, Mailer};
use crate::secrets;
use crate::store::{AuditEvent, DynStore};
use crate::{auth, documents, sync, users};

/// The largest request body accepted (auth and admin bodies are small).
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// Lifetimes and limits; the defaults are the policy, tests may shorten nothing but time.
#[derive(Debug, Clone)]
pub struct Policy {
    pub access_token: Duration,
    pub refresh_token: Duration,
    /// How long after a refresh the token it replaced may be presented once more, by a
    /// client whose answer was lost, while the new one has never been used.
    pub refresh_retry_grace: Duration,
    pub failure_window: Duration,
    pub max_failures: i64,
    pub invitation: Duration,
    pub password_reset: Duration,
    pub email_confirmation: Duration,
    /// Sent to the desktop app at sign-in (idle lock, offline period).
    pub client: hearth_protocol::auth::ClientPolicy,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            access_token: Duration::minutes(15),
            refresh_token: Duration::days(30),
            refresh_retry_grace: Duration::minutes(2),
            failure_window: Duration::minutes(5),
            max_failures: 10,
            invitation: Duration::days(7),
            password_reset: Duration::hours(1),
            email_confirmation: Duration::hours(24),
            client: hearth_protocol::auth::ClientPolicy::default(),
        }
    }
}

pub struct Inner {
    pub store: DynStore,
    pub clock: Arc<dyn Clock>,
    pub mailer: Arc<Mailer>,
    /// Wakes the notice sender ([`crate::notify::run`]) after a push applied something.
    pub mail_wake: Arc<tokio::sync::Notify>,
    pub policy: Policy,
    /// Verified against when the email is unknown, so that answer takes as long as a wrong
    /// password.
    pub dummy_hash: String,
    /// Where document bytes live (`uploads/` part files, `documents/` finalised blobs);
    /// `None`: the document endpoints answer that documents are not set up.
    pub documents_dir: Option<std::path::PathBuf>,
    /// Audit events on their way to the database, written in shared commits.
    pub audit_queue: crate::audit::AuditQueue,
    /// Refresh-token rotations on their way to the database, in shared commits.
    pub rotations: crate::auth::RotationQueue,
    /// Running SHA-256s of the uploads this process received every chunk of, so
    /// finalising need not read the file again (see `documents::UploadHashes`).
    pub upload_hashes: crate::documents::UploadHashes,
}

#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub async fn new(
        store: DynStore,
        clock: Arc<dyn Clock>,
        mailer: Mailer,
    ) -> anyhow::Result<AppState> {
        let dummy_hash =
            tokio::task::spawn_blocking(|| secrets::hash_password(&secrets::new_token("dummy")))
                .await??;
        // Chains the audit rows requests write (until the store is dropped).
        tokio::spawn(crate::audit::run_sealer(
            Arc::downgrade(&store),
            std::time::Duration::from_millis(200),
        ));
        let audit_queue = crate::audit::AuditQueue::start(Arc::downgrade(&store));
        let rotations = crate::auth::RotationQueue::start(Arc::downgrade(&store));
        let mailer = Arc::new(mailer);
        let mail_wake = Arc::new(tokio::sync::Notify::new());
        tokio::spawn(crate::notify::run(
            Arc::downgrade(&store),
            mailer.clone(),
            clock.clone(),
            mail_wake.clone(),
            std::time::Duration::from_secs(5),
        ));
        Ok(AppState(Arc::new(Inner {
            store,
            clock,
            mailer,
            mail_wake,
            policy: Policy::default(),
            dummy_hash,
            documents_dir: None,
            audit_queue,
            rotations,
            upload_hashes: Default::default(),
        })))
    }

    /// Keeps document bytes under `dir` (the server's data folder). Call before serving.
    pub fn with_documents_dir(mut self, dir: impl Into<std::path::PathBuf>) -> AppState {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.documents_dir = Some(dir.into()),
            None => tracing::error!("documents folder set on a state already shared"),
        }
        self
    }

    /// Serves under `policy` instead of the default one (tests shorten the offline period).
    /// Call before serving.
    pub fn with_policy(mut self, policy: Policy) -> AppState {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.policy = policy,
            None => tracing::error!("policy set on a state already shared"),
        }
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Appends to the audit log. A failure to audit fails the request.
    pub async fn audit(&self, event: AuditEvent) -> Result<(), ApiError> {
        self.audit_queue.write(&self.store, event).await?;
        Ok(())
    }

    pub fn event(&self, action: &str, outcome: &str) -> AuditEvent {
        AuditEvent {
            at: self.now(),
            actor: None,
            device: None,
            action: action.to_owned(),
            target: None,
            outcome: outcome.to_owned(),
            reason: None,
        }
    }

    /// Asks the access rules and audits the answer (allowed and denied alike).
    pub async fn check(
        &self,
        who: &Authed,
        name: &str,
        action: Action,
        target: Target<'_>,
        target_id: Option<String>,
    ) -> Result<(), ApiError> {
        let decision = decide(&who.actor, action, target);
        let (outcome, reason) = match decision {
            Decision::Allow => ("ok", None),
            Decision::Deny(r) => ("denied", Some(r.to_owned())),
        };
        self.audit(AuditEvent {
            target: target_id,
            reason,
            ..who.event(self, name, outcome)
        })
        .await?;
        match decision {
            Decision::Allow => Ok(()),
            Decision::Deny(_) => Err(ApiError::Forbidden(
                "You do not have access to this. Ask business support if you think you should",
            )),
        }
    }

    pub async fn send(&self, email: Email) -> Result<(), ApiError> {
        self.mailer.send(email).await.map_err(ApiError::Unexpected)
    }
}

/// A request with a valid access token from an active account.
pub struct Authed {
    pub actor: Actor,
    pub account: Account,
    pub session: Uuid,
}

impl Authed {
    pub fn event(&self, state: &AppState, action: &str, outcome: &str) -> AuditEvent {
        AuditEvent {
            actor: Some(self.actor.user),
            device: Some(self.actor.device),
            ..state.event(action, outcome)
        }
    }
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthenticated)?;
        let session = state
            .store
            .session_by_access(&secrets::sha256_hex(&[token]))
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if session.device_wipe_requested {
            return Err(ApiError::WipeDevice);
        }
        if session.revoked || session.access_expires_at <= state.now() {
            return Err(ApiError::Unauthenticated);
        }
        let user = state
            .store
            .user_by_id(session.user_id)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if !user.account.active {
            return Err(ApiError::Unauthenticated);
        }
        Ok(Authed {
            actor: Actor {
                user: session.user_id,
                device: session.device_id,
                roles: user.account.roles.clone(),
                services: user.account.services.clone(),
                work_groups: user.work_groups,
            },
            account: user.account,
            session: session.id,
        })
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hearth server API",
        description = "Accounts, two-step sign-in, access control. Errors are `{code, message}`."
    ),
    paths(
        healthz,
        readyz,
        auth::sign_in,
        auth::verify_code,
        auth::resend_code,
        auth::refresh,
        auth::sign_out,
        auth::register_partner,
        auth::confirm_email,
        auth::accept_invitation,
        auth::password_reset,
        auth::password_reset_complete,
        users::me,
        users::set_out_of_office,
        users::list_users,
        users::create_user,
        users::get_user,
        users::lookup_user,
        users::commissioned_services,
        users::service_workers,
        users::disable_user,
        sync::push,
        sync::pull,
        documents::create,
        documents::status,
        documents::chunk,
        documents::finalise,
        documents::download,
    ),
    components(schemas(hearth_protocol::ErrorBody, hearth_protocol::ErrorCode)),
    modifiers(&Conventions)
)]
pub struct ApiDoc;

/// What holds for every operation, added once rather than on each handler: the bearer
/// scheme; the 4xx answers any JSON body can get (malformed, wrong shape, too large, wrong
/// content type); a 401 wherever a token is needed.
struct Conventions;

impl utoipa::Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.post, &mut item.put]
                .into_iter()
                .flatten()
            {
                let responses = &mut op.responses.responses;
                let mut add = |status: &str, description: &str| {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(description).into());
                };
                if op.request_body.is_some() {
                    add("400", "bad_request: the body is not JSON");
                    add("413", "payload_too_large");
                    add("415", "unsupported_media_type");
                    add("422", "invalid_body or validation");
                }
                if op.security.is_some() {
                    add("401", "unauthenticated or wipe_device");
                }
            }
        }
    }
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Alive")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", responses(
    (status = 200, description = "Ready"),
    (status = 503, description = "The database does not answer")
))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn openapi() -> impl IntoResponse {
    axum::Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(paths::HEALTHZ, get(healthz))
        .route(paths::READYZ, get(readyz))
        .route(paths::OPENAPI, get(openapi))
        .route(paths::SIGN_IN, post(auth::sign_in))
        .route(paths::SIGN_IN_VERIFY, post(auth::verify_code))
        .route(paths::SIGN_IN_RESEND_CODE, post(auth::resend_code))
        .route(paths::REFRESH, post(auth::refresh))
        .route(paths::SIGN_OUT, post(auth::sign_out))
        .route(paths::REGISTER_PARTNER, post(auth::register_partner))
        .route(paths::CONFIRM_EMAIL, post(auth::confirm_email))
        .route(paths::ACCEPT_INVITATION, post(auth::accept_invitation))
        .route(paths::PASSWORD_RESET, post(auth::password_reset))
        .route(
            paths::PASSWORD_RESET_COMPLETE,
            post(auth::password_reset_complete),
        )
        .route(paths::ME, get(users::me))
        .route(paths::ME_OUT_OF_OFFICE, put(users::set_out_of_office))
        .route(
            paths::USERS,
            get(users::list_users).post(users::create_user),
        )
        .route(paths::USER_LOOKUP, post(users::lookup_user))
        .route(paths::SERVICES, get(users::commissioned_services))
        .route(paths::SERVICE_WORKERS, get(users::service_workers))
        .route(paths::USER, get(users::get_user))
        .route(paths::USER_DISABLE, post(users::disable_user))
        .route(
            paths::SYNC_PUSH,
            post(sync::push).layer(DefaultBodyLimit::max(sync::PUSH_BODY_LIMIT_BYTES)),
        )
        .route(paths::SYNC_PULL, get(sync::pull))
        .route(paths::UPLOADS, post(documents::create))
        .route(
            paths::UPLOAD,
            get(documents::status)
                .put(documents::chunk)
                .layer(DefaultBodyLimit::max(documents::CHUNK_BODY_LIMIT_BYTES)),
        )
        .route(paths::UPLOAD_FINALISE, post(documents::finalise))
        .route(paths::BLOB, get(documents::download))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(run_to_completion))
        .with_state(state)
}

/// Runs every request to completion even when the client goes away. A handler dropped
/// half-way through a database transaction (the connection cut mid-request) can hand its
/// pooled connection back still inside that transaction, so later statements on it are
/// silently rolled back; and a push the server has started applying must finish anyway.
async fn run_to_completion(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(e) => ApiError::Unexpected(anyhow::anyhow!("request task failed: {e}")).into_response(),
    }
}
