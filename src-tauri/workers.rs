//! The workers a manager allocates to a request for support: the service's active
//! practitioners and managers, from `GET /api/v1/services/{id}/workers` (a manager of that
//! service only) whenever it can be asked, kept in the encrypted cache
//! ([`WORKERS_SETTING`], one list per service with when it was fetched) for offline use, the
//! way `requests` keeps the commissioned services. A request's `worker` is a name from that
//! list ([`check_worker`], asked by the decision itself), so the exact "worker name" filter
//! finds what was allocated; the server's rule (a worker named exactly when allocated) is
//! unchanged.
//!
//! [`get_json`] (the server's answer) and [`kept_setting`] (the cached copy) serve
//! `requests`' list of services too.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hearth_domain::account::Role;
use hearth_domain::RecordKind;
use hearth_store::Store;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::error::{AppError, ErrorCode};
use crate::records::{account_of, text_of};
use crate::requests::SERVICE_ID_FIELD;
use crate::state::AppState;

/// Where the lists of workers, by service id, are kept (encrypted cache).
pub const WORKERS_SETTING: &str = "service_workers";

/// One person who can be allocated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct WorkerChoice {
    pub id: String,
    pub name: String,
}

/// The workers of a request's service, as the allocation list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RequestWorkers {
    /// By name.
    pub workers: Vec<WorkerChoice>,
    /// When the server gave this list.
    pub fetched_at: DateTime<Utc>,
    /// The server could not be asked now: this is the list kept from `fetched_at`.
    pub from_cache: bool,
}

/// One service's list as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Kept {
    workers: Vec<WorkerChoice>,
    fetched_at: DateTime<Utc>,
}

/// Why the server gave no list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchFailed {
    /// Offline, signed out of the server for now, or it did not answer.
    Unreachable,
    /// The server says the user does not manage this service (any more).
    Refused,
}

// ---------------------------------------------------------------------------------------
// Command

/// The workers who can be allocated to this request: from the server when online (then
/// kept), else the list kept from the last time.
#[tauri::command]
#[specta::specta]
pub async fn request_workers(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<RequestWorkers, AppError> {
    let store = state.open_store().await?;
    let service = managed_service_of(&store, &record_id).await?;
    let fetched = match state.server_and_token().await {
        Some((server, token)) => workers_at(&server, &token, &service).await,
        None => Err(FetchFailed::Unreachable),
    };
    workers_with(&store, &service, fetched, Utc::now()).await
}

// ---------------------------------------------------------------------------------------
// Logic, testable without a window

fn never_fetched() -> AppError {
    AppError::new(
        ErrorCode::ServerUnreachable,
        "Hearth cannot reach the server to get the list of this service's workers, and has not kept one from before. Connect to the internet, then open this request again to allocate a worker.",
    )
}

fn refused() -> AppError {
    AppError::new(
        ErrorCode::InvalidInput,
        "The server says you do not manage this service, so you cannot allocate its workers.",
    )
}

/// The service of the request with this id, which the signed-in user must manage.
async fn managed_service_of(store: &Store, record_id: &str) -> Result<String, AppError> {
    let record = crate::plans::load_kind(store, record_id, RecordKind::Request).await?;
    let service = text_of(&record.fields, SERVICE_ID_FIELD);
    let account = account_of(store).await?;
    match (account, service) {
        (Some(a), Some(s))
            if a.has_role(Role::Manager) && a.services.iter().any(|m| m.to_string() == s) =>
        {
            Ok(s)
        }
        _ => Err(AppError::new(
            ErrorCode::InvalidInput,
            "Only a manager of the service can allocate a worker to this request.",
        )),
    }
}

/// Asks the server for the workers of `service`.
pub async fn workers_at(
    server: &str,
    token: &str,
    service: &str,
) -> Result<Vec<WorkerChoice>, FetchFailed> {
    let list: hearth_protocol::users::ServiceWorkers = get_json(
        server,
        token,
        &hearth_protocol::paths::service_workers(service),
    )
    .await?;
    Ok(list
        .workers
        .into_iter()
        .map(|w| WorkerChoice {
            id: w.id.to_string(),
            name: w.name,
        })
        .collect())
}

/// `GET {server}{path}` with the access token, its JSON answer read as `T`: `Refused` when
/// the server answers 403, `Unreachable` for any other failure.
pub(crate) async fn get_json<T: DeserializeOwned>(
    server: &str,
    token: &str,
    path: &str,
) -> Result<T, FetchFailed> {
    let url = format!("{}{}", server.trim_end_matches('/'), path);
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|_| FetchFailed::Unreachable)?;
    let answer = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|_| FetchFailed::Unreachable)?;
    if answer.status() == reqwest::StatusCode::FORBIDDEN {
        return Err(FetchFailed::Refused);
    }
    if !answer.status().is_success() {
        return Err(FetchFailed::Unreachable);
    }
    answer.json().await.map_err(|_| FetchFailed::Unreachable)
}

/// The JSON kept in the encrypted cache under `key`, or `T::default()` when there is none
/// (or it no longer reads as `T`).
pub(crate) async fn kept_setting<T: DeserializeOwned + Default>(
    store: &Store,
    key: &str,
) -> Result<T, AppError> {
    Ok(store
        .setting(key)
        .await?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default())
}

async fn kept(store: &Store) -> Result<BTreeMap<String, Kept>, AppError> {
    kept_setting(store, WORKERS_SETTING).await
}

async fn keep(
    store: &Store,
    service: &str,
    workers: &[WorkerChoice],
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut all = kept(store).await?;
    all.insert(
        service.to_owned(),
        Kept {
            workers: workers.to_vec(),
            fetched_at: at,
        },
    );
    let text = serde_json::to_string(&all).map_err(|_| {
        AppError::new(
            ErrorCode::StoreFailed,
            "Hearth could not keep the list of workers.",
        )
    })?;
    store.set_setting(WORKERS_SETTING, &text).await?;
    Ok(())
}

/// The list for `service`: `fetched` (then kept, at `now`) when the server answered, else
/// the one kept, else a message saying why there is none.
pub(crate) async fn workers_with(
    store: &Store,
    service: &str,
    fetched: Result<Vec<WorkerChoice>, FetchFailed>,
    now: DateTime<Utc>,
) -> Result<RequestWorkers, AppError> {
    match fetched {
        Ok(workers) => {
            keep(store, service, &workers, now).await?;
            Ok(RequestWorkers {
                workers,
                fetched_at: now,
                from_cache: false,
            })
        }
        Err(FetchFailed::Refused) => Err(refused()),
        Err(FetchFailed::Unreachable) => {
            let k = kept(store)
                .await?
                .remove(service)
                .ok_or_else(never_fetched)?;
            Ok(RequestWorkers {
                workers: k.workers,
                fetched_at: k.fetched_at,
                from_cache: true,
            })
        }
    }
}

/// The worker a decision names, as written on the request: a name on the kept list of the
/// service's workers (the list the allocation offered).
pub(crate) async fn check_worker(
    store: &Store,
    service: Option<&str>,
    name: &str,
) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            "Select the worker to allocate",
        ));
    }
    let list = match service {
        Some(s) => kept(store).await?.remove(s),
        None => None,
    }
    .ok_or_else(never_fetched)?;
    list.workers
        .into_iter()
        .find(|w| w.name == name)
        .map(|w| w.name)
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidInput,
                "Select the worker to allocate from the list of the service's workers",
            )
        })
}

/// A kept list younger than this is not fetched again by [`refresh_managed`].
const FRESH_MINUTES: i64 = 5;

/// Fetches and keeps the lists of every service the signed-in manager manages, so they
/// are there offline later (a list fetched in the last few minutes is left alone); a list
/// the server does not give stays as it was.
pub(crate) async fn refresh_managed(store: &Store, server: &str, token: &str, now: DateTime<Utc>) {
    let Ok(Some(account)) = account_of(store).await else {
        return;
    };
    if !account.has_role(Role::Manager) {
        return;
    }
    let Ok(kept_now) = kept(store).await else {
        return;
    };
    for service in &account.services {
        let service = service.to_string();
        let fresh = kept_now.get(&service).is_some_and(|k| {
            now.signed_duration_since(k.fetched_at) < chrono::Duration::minutes(FRESH_MINUTES)
        });
        if fresh {
            continue;
        }
        if let Ok(workers) = workers_at(server, token, &service).await {
            if keep(store, &service, &workers, now).await.is_err() {
                tracing::warn!("a list of workers could not be kept");
            }
        }
    }
}

#[cfg(test)]
#[path = "workers_tests.rs"]
mod tests;
