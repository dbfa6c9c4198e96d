//! Accounts: your own, and business support's user administration.

use axum::extract::State;
use axum::http::StatusCode;
use hearth_domain::account::{OutOfOffice, Role};
use hearth_domain::contact::EmailAddress;
use hearth_domain::{FieldError, ServiceId, UserId};
use hearth_protocol::users::{
    AccountView, CommissionedService, CommissionedServices, CreateUser, FoundUser, LookupUser,
    ServiceWorker, ServiceWorkers, SetOutOfOffice, UserCreated, UserList,
};
use hearth_protocol::ErrorBody;
use uuid::Uuid;

use crate::access::{Action, Target};
use crate::app::{AppState, Authed};
use crate::error::{ApiError, Json, PathId};
use crate::store::NewUser;

/// The signed-in user's own account.
#[utoipa::path(get, path = "/api/v1/me", security(("bearer" = [])), responses(
    (status = 200, body = AccountView), (status = 401, body = ErrorBody),
))]
pub async fn me(State(state): State<AppState>, who: Authed) -> Result<Json<AccountView>, ApiError> {
    let id = who.actor.user;
    state
        .check(
            &who,
            "account.read",
            Action::Read,
            Target::Account(id),
            Some(id.to_string()),
        )
        .await?;
    Ok(Json(AccountView {
        account: who.account,
    }))
}

/// Sets or clears the signed-in user's out-of-office message (shown to whoever delegates
/// work to them).
#[utoipa::path(put, path = "/api/v1/me/out-of-office", request_body = SetOutOfOffice,
    security(("bearer" = [])), responses(
    (status = 200, body = AccountView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
))]
pub async fn set_out_of_office(
    State(state): State<AppState>,
    who: Authed,
    Json(req): Json<SetOutOfOffice>,
) -> Result<Json<AccountView>, ApiError> {
    let id = who.actor.user;
    state
        .check(
            &who,
            "account.out_of_office",
            Action::Write,
            Target::Account(id),
            Some(id.to_string()),
        )
        .await?;
    let message = match req.message.as_deref() {
        Some(m) => Some(OutOfOffice::parse(m)?),
        None => None,
    };
    state
        .store
        .set_out_of_office(id, message.as_ref().map(OutOfOffice::message))
        .await?;
    let mut account = who.account;
    account.out_of_office = message;
    Ok(Json(AccountView { account }))
}

/// Every account (business support).
#[utoipa::path(get, path = "/api/v1/users", security(("bearer" = [])), responses(
    (status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
))]
pub async fn list_users(
    State(state): State<AppState>,
    who: Authed,
) -> Result<Json<UserList>, ApiError> {
    state
        .check(&who, "account.list", Action::Read, Target::Directory, None)
        .await?;
    let users = state.store.list_users().await?;
    Ok(Json(UserList {
        users: users.into_iter().map(|u| u.account).collect(),
    }))
}

/// Creates a staff account and emails an invitation to set a password (business support).
#[utoipa::path(post, path = "/api/v1/users", request_body = CreateUser, security(("bearer" = [])), responses(
    (status = 201, body = UserCreated), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
))]
pub async fn create_user(
    State(state): State<AppState>,
    who: Authed,
    Json(req): Json<CreateUser>,
) -> Result<(StatusCode, Json<UserCreated>), ApiError> {
    state
        .check(
            &who,
            "account.create",
            Action::Write,
            Target::Directory,
            None,
        )
        .await?;
    let mut errors = Vec::new();
    if req.forename.trim().is_empty() {
        errors.push(FieldError::new("forename", "Enter their forename"));
    }
    if req.surname.trim().is_empty() {
        errors.push(FieldError::new("surname", "Enter their surname"));
    }
    if EmailAddress::parse(&req.email).is_err() {
        errors.push(FieldError::new(
            "email",
            "Enter an email address in the correct format, like name@example.org.uk",
        ));
    }
    if req.roles.is_empty() {
        errors.push(FieldError::new("roles", "Choose at least one role"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let id = UserId(Uuid::now_v7());
    let created = state
        .store
        .insert_user(NewUser {
            id,
            forename: req.forename.trim(),
            surname: req.surname.trim(),
            email: req.email.trim(),
            password_hash: None,
            roles: &req.roles,
            email_confirmed: true,
            partner_details: None,
            now: state.now(),
        })
        .await;
    if let Err(crate::store::StoreError::Conflict) = created {
        return Err(ApiError::Conflict(
            "An account with this email address already exists",
        ));
    }
    created?;
    let known_services = state.store.list_services().await?;
    let known_groups = state.store.list_work_groups().await?;
    for s in &req.services {
        if !known_services.iter().any(|k| k.id == *s) {
            return Err(ApiError::Validation(vec![FieldError::new(
                "services",
                "Choose services from the list",
            )]));
        }
        state.store.add_service_member(*s, id).await?;
    }
    for g in &req.work_groups {
        if !known_groups.iter().any(|k| k.id == *g) {
            return Err(ApiError::Validation(vec![FieldError::new(
                "work_groups",
                "Choose work groups from the list",
            )]));
        }
        state.store.add_work_group_member(*g, id, false).await?;
    }
    crate::auth::invite(&state, id, req.email.trim(), req.forename.trim()).await?;
    state
        .audit(crate::store::AuditEvent {
            target: Some(id.to_string()),
            ..who.event(&state, "account.created", "ok")
        })
        .await?;
    Ok((StatusCode::CREATED, Json(UserCreated { user_id: id })))
}

/// Finds an active colleague by their exact email address, to share a plan with: their id,
/// name and main role; 404 for an unknown, unconfirmed or deactivated address (the same
/// answer, so it tells nothing more). Any signed-in user; every look-up is audited, found
/// or not, without the address.
#[utoipa::path(post, path = "/api/v1/users/lookup", request_body = LookupUser,
    security(("bearer" = [])), responses(
    (status = 200, body = FoundUser), (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
))]
pub async fn lookup_user(
    State(state): State<AppState>,
    who: Authed,
    Json(req): Json<LookupUser>,
) -> Result<Json<FoundUser>, ApiError> {
    if EmailAddress::parse(&req.email).is_err() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "email",
            "Enter an email address in the correct format, like name@example.org.uk",
        )]));
    }
    let found = state
        .store
        .user_by_email(req.email.trim())
        .await?
        .filter(|u| u.account.active && u.email_confirmed);
    let event = match &found {
        Some(u) => crate::store::AuditEvent {
            target: Some(u.account.id.to_string()),
            ..who.event(&state, "account.lookup", "found")
        },
        None => who.event(&state, "account.lookup", "not_found"),
    };
    state.audit(event).await?;
    let user = found.ok_or(ApiError::NotFound)?;
    let role = user
        .account
        .roles
        .iter()
        .next()
        .copied()
        .ok_or(ApiError::NotFound)?;
    let shared_work_groups = who
        .actor
        .work_groups
        .iter()
        .filter(|g| g.includes(who.actor.user) && g.includes(user.account.id))
        .cloned()
        .collect();
    Ok(Json(FoundUser {
        id: user.account.id,
        name: user.account.display_name(),
        role,
        out_of_office: user
            .account
            .out_of_office
            .as_ref()
            .map(|o| o.message().to_owned()),
        shared_work_groups,
    }))
}

/// The teams that provide a commissioned service (id, name, the configuration's code),
/// so a practitioner can send a request for support to one. Any signed-in user; the list
/// names teams only, never people.
#[utoipa::path(get, path = "/api/v1/services", security(("bearer" = [])), responses(
    (status = 200, body = CommissionedServices), (status = 401, body = ErrorBody),
))]
pub async fn commissioned_services(
    State(state): State<AppState>,
    _who: Authed,
) -> Result<Json<CommissionedServices>, ApiError> {
    let services = state
        .store
        .list_services()
        .await?
        .into_iter()
        .filter_map(|s| {
            s.commissioned_service.map(|code| CommissionedService {
                id: s.id,
                name: s.name,
                code,
            })
        })
        .collect();
    Ok(Json(CommissionedServices { services }))
}

/// The people a manager can allocate to the service's requests: its active members who
/// are practitioners or managers, by name. Only a manager of that service may ask (decided
/// before the service is looked up, so others learn nothing of it); audited with the
/// service's id, never a name.
#[utoipa::path(get, path = "/api/v1/services/{id}/workers", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The service's id")),
    responses(
        (status = 200, body = ServiceWorkers), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
))]
pub async fn service_workers(
    State(state): State<AppState>,
    who: Authed,
    PathId(id): PathId,
) -> Result<Json<ServiceWorkers>, ApiError> {
    let service = ServiceId(id);
    state
        .check(
            &who,
            "service.workers",
            Action::Read,
            Target::ServiceWorkers(service),
            Some(service.to_string()),
        )
        .await?;
    let mut workers: Vec<ServiceWorker> = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| u.account)
        .filter(|a| {
            a.active
                && a.services.contains(&service)
                && (a.has_role(Role::Practitioner) || a.has_role(Role::Manager))
        })
        .map(|a| ServiceWorker {
            id: a.id,
            name: a.display_name(),
        })
        .collect();
    workers.sort_by_key(|w| (w.name.to_lowercase(), w.id));
    Ok(Json(ServiceWorkers {
        service_id: service,
        workers,
    }))
}

/// One account: your own, someone you manage, or anyone (business support).
#[utoipa::path(get, path = "/api/v1/users/{id}", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 200, body = AccountView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
))]
pub async fn get_user(
    State(state): State<AppState>,
    who: Authed,
    PathId(id): PathId,
) -> Result<Json<AccountView>, ApiError> {
    let id = UserId(id);
    // Decided before looking the id up, so a denied caller cannot tell whether it exists.
    state
        .check(
            &who,
            "account.read",
            Action::Read,
            Target::Account(id),
            Some(id.to_string()),
        )
        .await?;
    let user = state
        .store
        .user_by_id(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(AccountView {
        account: user.account,
    }))
}

/// Deactivates an account: every session ends now and its devices are told to wipe.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Disabled"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
))]
pub async fn disable_user(
    State(state): State<AppState>,
    who: Authed,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    let id = UserId(id);
    state
        .check(
            &who,
            "account.disable",
            Action::Disable,
            Target::Account(id),
            Some(id.to_string()),
        )
        .await?;
    if !state.store.disable_user(id, state.now()).await? {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}
