//! Sign-in (password, then an emailed code bound to the attempt), tokens, registration,
//! invitations and password reset.
//!
//! Throttling: at most [`Policy::max_failures`](crate::app::Policy) wrong passwords or codes
//! per account in [`Policy::failure_window`](crate::app::Policy); after that every try is
//! refused, a right one too, until the window has moved on. Unknown email addresses are
//! throttled the same way (keyed by a hash of the address) and get the same answer as a wrong
//! password, after the same Argon2 work.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_domain::account::{login_code_expires_at, login_code_is_current, PartnerRegistration};
use hearth_domain::UserId;
use hearth_protocol::auth::{
    AcceptInvitation, Accepted, ConfirmEmail, PasswordReset, PasswordResetComplete, Refresh,
    RegisterPartner, Registered, ResendCode, Secret, SignIn, SignInStarted, SignedIn, Tokens,
    VerifyCode,
};
use hearth_protocol::ErrorBody;
use uuid::Uuid;

use crate::app::{AppState, Authed};
use crate::error::{ApiError, Json};
use crate::mail::messages;
use crate::secrets::{self, sha256_hex};
use crate::store::{
    Attempt, AuditEvent, DynStore, NewSession, NewUser, RetiredRefresh, RetryRotation, Rotation,
};

const INVITATION: &str = "invitation";
const PASSWORD_RESET: &str = "password_reset";
const CONFIRM_EMAIL: &str = "confirm_email";

fn subject_for_user(id: UserId) -> String {
    format!("user:{id}")
}

fn subject_for_unknown_email(email: &str) -> String {
    format!("email:{}", sha256_hex(&[email]))
}

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn code_hash(attempt: Uuid, code: &str) -> String {
    sha256_hex(&["sign-in", &attempt.to_string(), code.trim()])
}

async fn throttled(state: &AppState, subject: &str) -> Result<bool, ApiError> {
    let since = state.now() - state.policy.failure_window;
    Ok(state.store.count_failures(subject, since).await? >= state.policy.max_failures)
}

async fn verify_blocking(password: &Secret, hash: String) -> Result<bool, ApiError> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || secrets::verify_password(&password, &hash))
        .await
        .map_err(|e| ApiError::Unexpected(e.into()))
}

async fn hash_blocking(password: &Secret) -> Result<String, ApiError> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || secrets::hash_password(&password))
        .await
        .map_err(|e| ApiError::Unexpected(e.into()))?
        .map_err(ApiError::Unexpected)
}

fn check_new_password(password: &Secret, path: &str) -> Result<(), ApiError> {
    secrets::check_new_password(password.expose()).map_err(|mut e| {
        e.path = path.to_owned();
        ApiError::Validation(vec![e])
    })
}

/// Step 1: email and password. A right password starts an attempt and emails its code.
#[utoipa::path(post, path = "/api/v1/auth/sign-in", request_body = SignIn, responses(
    (status = 200, body = SignInStarted),
    (status = 401, body = ErrorBody, description = "invalid_credentials: unknown email or wrong password"),
    (status = 403, body = ErrorBody, description = "The email address is not confirmed yet"),
    (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
))]
pub async fn sign_in(
    State(state): State<AppState>,
    Json(req): Json<SignIn>,
) -> Result<Json<SignInStarted>, ApiError> {
    let email = normalise_email(&req.email);
    let user = state.store.user_by_email(&email).await?;
    let subject = match &user {
        Some(u) => subject_for_user(u.account.id),
        None => subject_for_unknown_email(&email),
    };
    let actor = user.as_ref().map(|u| u.account.id);
    let event = |outcome: &str| AuditEvent {
        actor,
        ..state.event("auth.sign_in.password", outcome)
    };
    if throttled(&state, &subject).await? {
        state.audit(event("throttled")).await?;
        return Err(ApiError::Throttled);
    }
    let stored = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.clone());
    let right = verify_blocking(&req.password, stored).await?;
    let user = match user {
        Some(u) if right && u.password_hash.is_some() && u.account.active => u,
        _ => {
            state.store.record_failure(&subject, state.now()).await?;
            state.audit(event("failed")).await?;
            return Err(ApiError::InvalidCredentials);
        }
    };
    if !user.email_confirmed {
        state.audit(event("unconfirmed")).await?;
        return Err(ApiError::Forbidden(
            "Confirm your email address first: enter the code we emailed you when you registered",
        ));
    }
    let now = state.now();
    let code = secrets::new_code();
    let attempt = Attempt {
        id: Uuid::now_v7(),
        user_id: user.account.id,
        code_hash: String::new(),
        code_sent_at: now,
        used: false,
    };
    let attempt = Attempt {
        code_hash: code_hash(attempt.id, &code),
        ..attempt
    };
    state.store.insert_attempt(&attempt, now).await?;
    state
        .send(messages::sign_in_code(&user.account.email, &code))
        .await?;
    state
        .audit(AuditEvent {
            target: Some(attempt.id.to_string()),
            ..event("ok")
        })
        .await?;
    Ok(Json(SignInStarted {
        attempt_id: attempt.id,
        code_expires_at: login_code_expires_at(now),
    }))
}

/// Step 2: the code for this attempt. Opens a session on the device.
#[utoipa::path(post, path = "/api/v1/auth/sign-in/verify", request_body = VerifyCode, responses(
    (status = 200, body = SignedIn),
    (status = 401, body = ErrorBody, description = "invalid_code or code_expired"),
    (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
))]
pub async fn verify_code(
    State(state): State<AppState>,
    Json(req): Json<VerifyCode>,
) -> Result<Json<SignedIn>, ApiError> {
    let device_name = req.device_name.trim();
    if device_name.is_empty() || device_name.chars().count() > 200 {
        return Err(ApiError::Validation(vec![hearth_domain::FieldError::new(
            "device_name",
            "Enter a device name of 200 characters or fewer",
        )]));
    }
    let attempt = state
        .store
        .attempt(req.attempt_id)
        .await?
        .ok_or(ApiError::InvalidCode)?;
    let subject = subject_for_user(attempt.user_id);
    let event = |outcome: &str| AuditEvent {
        actor: Some(attempt.user_id),
        device: Some(req.device_id),
        target: Some(attempt.id.to_string()),
        ..state.event("auth.sign_in.code", outcome)
    };
    if throttled(&state, &subject).await? {
        state.audit(event("throttled")).await?;
        return Err(ApiError::Throttled);
    }
    if attempt.used || code_hash(attempt.id, req.code.expose()) != attempt.code_hash {
        state.store.record_failure(&subject, state.now()).await?;
        state.audit(event("failed")).await?;
        return Err(ApiError::InvalidCode);
    }
    let now = state.now();
    if !login_code_is_current(attempt.code_sent_at, now) {
        state.audit(event("expired")).await?;
        return Err(ApiError::CodeExpired);
    }
    let user = state
        .store
        .user_by_id(attempt.user_id)
        .await?
        .filter(|u| u.account.active)
        .ok_or(ApiError::InvalidCode)?;
    if !state.store.use_attempt(attempt.id, now).await? {
        state.audit(event("failed")).await?;
        return Err(ApiError::InvalidCode);
    }
    let tokens = open_session(
        &state.store,
        attempt.user_id,
        req.device_id,
        device_name,
        (state.policy.access_token, state.policy.refresh_token),
        now,
    )
    .await?;
    state.audit(event("ok")).await?;
    Ok(Json(SignedIn {
        tokens,
        account: user.account,
        policy: state.policy.client.clone(),
    }))
}

/// Opens a session for `user` on `device_id` with new tokens, living `lifetimes` (access,
/// refresh): what a finished sign-in does. Benchmarks and tests call it to start devices
/// already signed in, so their tokens are made exactly like real ones.
pub async fn open_session(
    store: &DynStore,
    user: UserId,
    device_id: Uuid,
    device_name: &str,
    lifetimes: (chrono::Duration, chrono::Duration),
    now: chrono::DateTime<chrono::Utc>,
) -> crate::store::Result<Tokens> {
    let tokens = Tokens {
        access_token: Secret(secrets::new_token("hat")),
        access_expires_at: now + lifetimes.0,
        refresh_token: Secret(secrets::new_token("hrt")),
        refresh_expires_at: now + lifetimes.1,
    };
    store
        .insert_session(NewSession {
            id: Uuid::now_v7(),
            user_id: user,
            device_id,
            device_name,
            access_hash: &sha256_hex(&[tokens.access_token.expose()]),
            access_expires_at: tokens.access_expires_at,
            refresh_hash: &sha256_hex(&[tokens.refresh_token.expose()]),
            refresh_expires_at: tokens.refresh_expires_at,
            now,
        })
        .await?;
    Ok(tokens)
}

/// "Send me a new code": the attempt's previous code stops working.
#[utoipa::path(post, path = "/api/v1/auth/sign-in/resend-code", request_body = ResendCode, responses(
    (status = 200, body = SignInStarted),
    (status = 401, body = ErrorBody, description = "The attempt is unknown or finished: sign in again"),
    (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
))]
pub async fn resend_code(
    State(state): State<AppState>,
    Json(req): Json<ResendCode>,
) -> Result<Json<SignInStarted>, ApiError> {
    let attempt = state
        .store
        .attempt(req.attempt_id)
        .await?
        .filter(|a| !a.used)
        .ok_or(ApiError::InvalidCode)?;
    let event = |outcome: &str| AuditEvent {
        actor: Some(attempt.user_id),
        target: Some(attempt.id.to_string()),
        ..state.event("auth.sign_in.resend_code", outcome)
    };
    // A new code may be asked for within an hour of the last one; after that, sign in again.
    let now = state.now();
    if now - attempt.code_sent_at > chrono::Duration::hours(1) {
        state.audit(event("expired")).await?;
        return Err(ApiError::InvalidCode);
    }
    if throttled(&state, &subject_for_user(attempt.user_id)).await? {
        state.audit(event("throttled")).await?;
        return Err(ApiError::Throttled);
    }
    let user = state
        .store
        .user_by_id(attempt.user_id)
        .await?
        .filter(|u| u.account.active)
        .ok_or(ApiError::InvalidCode)?;
    let code = secrets::new_code();
    state
        .store
        .replace_attempt_code(attempt.id, &code_hash(attempt.id, &code), now)
        .await?;
    state
        .send(messages::sign_in_code(&user.account.email, &code))
        .await?;
    state.audit(event("ok")).await?;
    Ok(Json(SignInStarted {
        attempt_id: attempt.id,
        code_expires_at: login_code_expires_at(now),
    }))
}

/// Swaps a refresh token for new tokens (both rotate).
#[utoipa::path(post, path = "/api/v1/auth/refresh", request_body = Refresh, responses(
    (status = 200, body = Tokens),
    (status = 401, body = ErrorBody, description = "unauthenticated, or wipe_device"),
    (status = 422, body = ErrorBody),
))]
pub async fn refresh(
    State(state): State<AppState>,
    Json(req): Json<Refresh>,
) -> Result<Json<Tokens>, ApiError> {
    let old = sha256_hex(&[req.refresh_token.expose()]);
    let now = state.now();
    let tokens = Tokens {
        access_token: Secret(secrets::new_token("hat")),
        access_expires_at: now + state.policy.access_token,
        refresh_token: Secret(secrets::new_token("hrt")),
        refresh_expires_at: now + state.policy.refresh_token,
    };
    let Some(session) = state.store.session_by_refresh(&old).await? else {
        return retired(&state, &old, tokens, now).await;
    };
    if session.device_wipe_requested {
        return Err(ApiError::WipeDevice);
    }
    if session.revoked || session.refresh_expires_at <= now {
        return Err(ApiError::Unauthenticated);
    }
    let rotated = state
        .rotations
        .rotate(
            &state.store,
            Rotation {
                id: session.id,
                old_refresh_hash: old.clone(),
                access_hash: sha256_hex(&[tokens.access_token.expose()]),
                access_expires_at: tokens.access_expires_at,
                refresh_hash: sha256_hex(&[tokens.refresh_token.expose()]),
                refresh_expires_at: tokens.refresh_expires_at,
                now,
            },
        )
        .await?;
    if !rotated {
        // Another request rotated this token first: the same token was used twice.
        return retired(&state, &old, tokens, now).await;
    }
    Ok(Json(tokens))
}

/// A refresh token that is not current. If it was rotated away moments ago and its
/// successor has never been used, the client is retrying after losing our answer: it gets
/// `tokens` (the unused successor dies). Any other rotated token of ours means someone
/// holds a copy: every session of that device ends (the client and the copy both have to
/// sign in again). Both are audited. Anything else is just `unauthenticated`.
async fn retired(
    state: &AppState,
    old_hash: &str,
    tokens: Tokens,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Json<Tokens>, ApiError> {
    let retry = RetryRotation {
        since: now - state.policy.refresh_retry_grace,
        access_hash: sha256_hex(&[tokens.access_token.expose()]),
        access_expires_at: tokens.access_expires_at,
        refresh_hash: sha256_hex(&[tokens.refresh_token.expose()]),
        refresh_expires_at: tokens.refresh_expires_at,
        now,
    };
    let (session, retried) = match state.store.refresh_retired(old_hash, &retry).await? {
        RetiredRefresh::Unknown => return Err(ApiError::Unauthenticated),
        RetiredRefresh::Retried(session) => (session, true),
        RetiredRefresh::Revoked(session) => {
            tracing::warn!(session = %session.id, "a rotated refresh token was presented again");
            (session, false)
        }
    };
    let (outcome, reason) = if retried {
        (
            "retried",
            "the previous refresh token again, its successor unused: answer lost in transit",
        )
    } else {
        (
            "replayed",
            "a rotated refresh token was used again: device signed out",
        )
    };
    state
        .audit(AuditEvent {
            actor: Some(session.user_id),
            device: Some(session.device_id),
            target: Some(session.id.to_string()),
            reason: Some(reason.into()),
            ..state.event("auth.refresh", outcome)
        })
        .await?;
    if retried {
        Ok(Json(tokens))
    } else if session.device_wipe_requested {
        Err(ApiError::WipeDevice)
    } else {
        Err(ApiError::Unauthenticated)
    }
}

/// Ends this device's session.
#[utoipa::path(post, path = "/api/v1/auth/sign-out", security(("bearer" = [])), responses(
    (status = 204, description = "Signed out"), (status = 401, body = ErrorBody),
))]
pub async fn sign_out(State(state): State<AppState>, who: Authed) -> Result<StatusCode, ApiError> {
    state
        .store
        .sign_out_session(who.session, state.now())
        .await?;
    state
        .audit(who.event(&state, "auth.sign_out", "ok"))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A partner professional registers; a confirmation code is emailed.
#[utoipa::path(post, path = "/api/v1/auth/register", request_body = RegisterPartner, responses(
    (status = 201, body = Registered),
    (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
))]
pub async fn register_partner(
    State(state): State<AppState>,
    Json(req): Json<RegisterPartner>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    let password = req.password.clone();
    let registration = PartnerRegistration::parse(req.into())?;
    check_new_password(&password, "password")?;
    let hash = hash_blocking(&password).await?;
    let id = UserId(Uuid::now_v7());
    let now = state.now();
    let details = serde_json::json!({
        "professional_role": registration.professional_role(),
        "organisation": registration.organisation(),
        "address": registration.address(),
    });
    let inserted = state
        .store
        .insert_user(NewUser {
            id,
            forename: registration.forename(),
            surname: registration.surname(),
            email: registration.email(),
            password_hash: Some(&hash),
            roles: &registration.roles(),
            email_confirmed: false,
            partner_details: Some(details),
            now,
        })
        .await;
    if let Err(crate::store::StoreError::Conflict) = inserted {
        return Err(ApiError::Conflict(
            "An account with this email address already exists: sign in, or reset your password",
        ));
    }
    inserted?;
    let code = secrets::new_code();
    state
        .store
        .insert_account_token(
            id,
            CONFIRM_EMAIL,
            &sha256_hex(&[CONFIRM_EMAIL, &id.to_string(), &code]),
            now,
        )
        .await?;
    state
        .send(messages::confirm_email(registration.email(), &code))
        .await?;
    state
        .audit(AuditEvent {
            actor: Some(id),
            target: Some(id.to_string()),
            ..state.event("account.register_partner", "ok")
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            user_id: id,
            message: "We have emailed you a code: enter it to confirm your email address".into(),
        }),
    ))
}

/// The code emailed after registering.
#[utoipa::path(post, path = "/api/v1/auth/register/confirm", request_body = ConfirmEmail, responses(
    (status = 200, body = Accepted),
    (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
))]
pub async fn confirm_email(
    State(state): State<AppState>,
    Json(req): Json<ConfirmEmail>,
) -> Result<Json<Accepted>, ApiError> {
    let email = normalise_email(&req.email);
    let user = state.store.user_by_email(&email).await?;
    let subject = match &user {
        Some(u) => subject_for_user(u.account.id),
        None => subject_for_unknown_email(&email),
    };
    if throttled(&state, &subject).await? {
        return Err(ApiError::Throttled);
    }
    let now = state.now();
    let taken = match &user {
        Some(u) => {
            let id = u.account.id.to_string();
            state
                .store
                .take_account_token(
                    CONFIRM_EMAIL,
                    &sha256_hex(&[CONFIRM_EMAIL, &id, req.code.expose().trim()]),
                    now - state.policy.email_confirmation,
                    now,
                )
                .await?
        }
        None => None,
    };
    let event = |outcome: &str| AuditEvent {
        actor: user.as_ref().map(|u| u.account.id),
        ..state.event("account.confirm_email", outcome)
    };
    let Some(id) = taken else {
        state.store.record_failure(&subject, now).await?;
        state.audit(event("failed")).await?;
        return Err(ApiError::InvalidCode);
    };
    state.store.confirm_email(id).await?;
    state.audit(event("ok")).await?;
    Ok(Json(Accepted {
        message: "Your email address is confirmed: you can sign in".into(),
    }))
}

/// A staff member sets their first password with the key from their invitation email.
#[utoipa::path(post, path = "/api/v1/auth/invitation/accept", request_body = AcceptInvitation, responses(
    (status = 200, body = Accepted),
    (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    Json(req): Json<AcceptInvitation>,
) -> Result<Json<Accepted>, ApiError> {
    set_password_with_token(
        &state,
        INVITATION,
        &req.token,
        &req.password,
        "password",
        state.policy.invitation,
    )
    .await?;
    Ok(Json(Accepted {
        message: "Your password is set: you can sign in".into(),
    }))
}

/// "I have forgotten my password". Always the same answer, whether the address is known.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", request_body = PasswordReset, responses(
    (status = 202, body = Accepted), (status = 422, body = ErrorBody),
))]
pub async fn password_reset(
    State(state): State<AppState>,
    Json(req): Json<PasswordReset>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let email = normalise_email(&req.email);
    if let Some(u) = state
        .store
        .user_by_email(&email)
        .await?
        .filter(|u| u.account.active)
    {
        let token = secrets::new_token("hpr");
        let now = state.now();
        state
            .store
            .insert_account_token(
                u.account.id,
                PASSWORD_RESET,
                &sha256_hex(&[PASSWORD_RESET, &token]),
                now,
            )
            .await?;
        state
            .audit(AuditEvent {
                actor: Some(u.account.id),
                ..state.event("auth.password_reset.request", "ok")
            })
            .await?;
        // Sent after answering, so a known address takes no longer than an unknown one.
        let mail = state.clone();
        let email = messages::password_reset(&u.account.email, &token);
        tokio::spawn(async move {
            if let Err(e) = mail.send(email).await {
                tracing::error!(error = %e, "sending a password reset email failed");
            }
        });
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            message: "If the address has a Hearth account, we have emailed it a reset key".into(),
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/complete", request_body = PasswordResetComplete, responses(
    (status = 200, body = Accepted),
    (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
))]
pub async fn password_reset_complete(
    State(state): State<AppState>,
    Json(req): Json<PasswordResetComplete>,
) -> Result<Json<Accepted>, ApiError> {
    set_password_with_token(
        &state,
        PASSWORD_RESET,
        &req.token,
        &req.new_password,
        "new_password",
        state.policy.password_reset,
    )
    .await?;
    Ok(Json(Accepted {
        message: "Your password is changed: you can sign in".into(),
    }))
}

async fn set_password_with_token(
    state: &AppState,
    purpose: &str,
    token: &Secret,
    password: &Secret,
    path: &str,
    lifetime: chrono::Duration,
) -> Result<(), ApiError> {
    check_new_password(password, path)?;
    let hash = hash_blocking(password).await?;
    let now = state.now();
    let user = state
        .store
        .take_account_token(
            purpose,
            &sha256_hex(&[purpose, token.expose().trim()]),
            now - lifetime,
            now,
        )
        .await?;
    let action = format!("auth.{purpose}.complete");
    let Some(user) = user else {
        state.audit(state.event(&action, "failed")).await?;
        return Err(ApiError::InvalidCode);
    };
    state.store.set_password(user, &hash).await?;
    state
        .audit(AuditEvent {
            actor: Some(user),
            ..state.event(&action, "ok")
        })
        .await?;
    Ok(())
}

/// Makes an invitation for a new staff account and emails it.
pub async fn invite(
    state: &AppState,
    user: UserId,
    email: &str,
    forename: &str,
) -> Result<(), ApiError> {
    let token = secrets::new_token("hin");
    state
        .store
        .insert_account_token(
            user,
            INVITATION,
            &sha256_hex(&[INVITATION, &token]),
            state.now(),
        )
        .await?;
    state
        .send(messages::invitation(email, forename, &token))
        .await
}

/// Refresh rotations on their way to the database: one writer task takes whatever has
/// queued while its last batch was committing and applies it in one transaction (group
/// commit, like [`crate::audit::AuditQueue`]), so concurrent refreshes share a commit
/// instead of each paying for one. A refresh answers only after its own rotation has
/// committed: an acknowledged token is durable.
#[derive(Clone)]
pub struct RotationQueue(tokio::sync::mpsc::Sender<(Rotation, RotationReply)>);

type RotationReply = tokio::sync::oneshot::Sender<Result<bool, String>>;

/// The most rotations in one transaction (`HEARTH_ROTATION_BATCH` overrides it; 1 turns
/// the group commit off, for comparing in the `auth_load` benchmark).
const ROTATION_BATCH: usize = 128;

fn rotation_batch() -> usize {
    std::env::var("HEARTH_ROTATION_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(ROTATION_BATCH)
}

impl RotationQueue {
    /// Starts the writer task; it ends when every sender is dropped or the store is gone.
    pub fn start(store: std::sync::Weak<dyn crate::store::Store>) -> RotationQueue {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(Rotation, RotationReply)>(4096);
        let max = rotation_batch();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < max {
                    match rx.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let Some(store) = store.upgrade() else { return };
                let rotations: Vec<Rotation> = batch.iter().map(|(r, _)| r.clone()).collect();
                let done = store
                    .rotate_sessions(&rotations)
                    .await
                    .map_err(|e| e.to_string());
                drop(store);
                for (i, (_, reply)) in batch.into_iter().enumerate() {
                    let _ = reply.send(done.as_ref().map(|d| d[i]).map_err(Clone::clone));
                }
            }
        });
        RotationQueue(tx)
    }

    /// Rotates one session's tokens; returns once it has committed, with whether the old
    /// refresh token was still the current one.
    pub async fn rotate(
        &self,
        store: &crate::store::DynStore,
        rotation: Rotation,
    ) -> Result<bool, crate::store::StoreError> {
        let (reply, done) = tokio::sync::oneshot::channel();
        if let Err(e) = self.0.send((rotation, reply)).await {
            // The writer is gone: rotate directly.
            return Ok(store.rotate_sessions(&[e.0 .0]).await?[0]);
        }
        match done.await {
            Ok(Ok(rotated)) => Ok(rotated),
            Ok(Err(message)) => Err(crate::store::StoreError::Unexpected(anyhow::anyhow!(
                "rotating refresh tokens: {message}"
            ))),
            Err(_) => Err(crate::store::StoreError::Unexpected(anyhow::anyhow!(
                "the refresh writer stopped"
            ))),
        }
    }
}
