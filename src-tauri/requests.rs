//! Requests for support to a commissioned service (seed 000) in the app: the practitioner's
//! form (autosave of one question page at a time, "Send the request", "My requests") and
//! the service manager's views per status, decisions, worker, closing and archiving, the
//! exact filters, and "New request from this one".
//!
//! The same shape as `referrals`: every command is a thin wrapper over a function taking
//! the store and the clock, tested without a window. Validation messages come from
//! `hearth_domain::request`, verbatim.
//!
//! The services come from the server (`GET /api/v1/services`: the teams providing a
//! commissioned service) whenever the form opens online, and are kept in the encrypted
//! cache (`app_settings`, [`SERVICES_SETTING`]) for offline use. A request's record carries
//! the configuration's code (`service`, what the domain validates) and the team's id
//! (`service_id`, what the server's access rules read).
//!
//! Status: the record's `status` field holds a [`RequestStatus`] once sent (absent: a
//! draft); the manager's decisions change `status` and `worker` only (the server's single
//! editor rule lets a manager of the request's service change exactly those).

use chrono::{DateTime, Utc};
use hearth_domain::account::{Account, Role};
use hearth_domain::config::ListItem;
use hearth_domain::request::{
    CaseReference, Request, RequestDraft, RequestEvent, RequestFilter, RequestParts, RequestStatus,
    RequestView,
};
use hearth_domain::search::{lenient_draft, request_terms};
use hearth_domain::{Config, FieldError, RecordKind, RequestId};
use hearth_store::{Draft, StepSave, Store};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use specta::Type;
use tauri::State;

use crate::error::{AppError, ErrorCode};
use crate::plans::Choice;
use crate::records::{
    account_of, full_name, is_mine, page_fields, reference_of, text_of, PageSave, AUTHOR_FIELD,
};
use crate::state::AppState;

/// The team's id on the server, which decides who reads the request.
pub(crate) const SERVICE_ID_FIELD: &str = "service_id";
/// The allocated worker's name.
const WORKER_FIELD: &str = "worker";
/// Where the last list of services from the server is kept (encrypted cache).
pub const SERVICES_SETTING: &str = "commissioned_services";
/// Store step of a manager's decision (not a page of the form).
const DECISION_STEP: u32 = 0;

/// The question pages of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum RequestStep {
    Service,
    Case,
    Child,
    ParentCarer,
    Worker,
    Reason,
}

impl RequestStep {
    pub const ALL: [RequestStep; 6] = [
        RequestStep::Service,
        RequestStep::Case,
        RequestStep::Child,
        RequestStep::ParentCarer,
        RequestStep::Worker,
        RequestStep::Reason,
    ];

    pub fn number(self) -> u8 {
        match self {
            RequestStep::Service => 1,
            RequestStep::Case => 2,
            RequestStep::Child => 3,
            RequestStep::ParentCarer => 4,
            RequestStep::Worker => 5,
            RequestStep::Reason => 6,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            RequestStep::Service => "Service and type of request",
            RequestStep::Case => "The case",
            RequestStep::Child => "The child or young person",
            RequestStep::ParentCarer => "Parent or carer",
            RequestStep::Worker => "About you",
            RequestStep::Reason => "Reason and the family's agreement",
        }
    }

    /// The draft's top-level fields this page saves.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            RequestStep::Service => &["service", "request_type"],
            RequestStep::Case => &["ehm_id"],
            RequestStep::Child => &["child"],
            RequestStep::ParentCarer => &["parent_carer"],
            RequestStep::Worker => &["requesting_worker"],
            RequestStep::Reason => &["reason", "family_consents"],
        }
    }

    /// The page a validation path belongs to.
    pub fn of_path(path: &str) -> Option<RequestStep> {
        let top = path.split(['.', '[']).next().unwrap_or_default();
        RequestStep::ALL
            .into_iter()
            .find(|s| s.fields().contains(&top))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RequestStepInfo {
    pub step: RequestStep,
    pub number: u8,
    pub title: String,
}

/// A team providing a commissioned service, as the form offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServiceChoice {
    pub id: String,
    pub name: String,
    /// The configuration's commissioned service code.
    pub code: String,
}

/// A manager's view ("reports") with its heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ViewInfo {
    pub view: RequestView,
    pub title: String,
}

/// Everything the request screens need to draw themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RequestForm {
    pub steps: Vec<RequestStepInfo>,
    pub services: Vec<ServiceChoice>,
    /// The list of services is the one kept from the last time Hearth was online (or
    /// empty when it never was).
    pub services_from_cache: bool,
    pub request_types: Vec<Choice>,
    pub ethnicities: Vec<ListItem>,
    pub genders: Vec<Choice>,
    pub views: Vec<ViewInfo>,
    /// The signed-in user manages at least one service (sees the manager's views).
    pub manager: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RequestStepState {
    pub step: RequestStep,
    pub saved: bool,
    pub errors: Vec<FieldError>,
}

/// A request with all its answers.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub id: String,
    pub reference: String,
    pub reference_is_permanent: bool,
    /// `None` while it is a draft on this device.
    pub status: Option<RequestStatus>,
    pub status_label: String,
    pub worker: Option<String>,
    pub service_name: String,
    pub draft: RequestDraft,
    pub steps: Vec<RequestStepState>,
    pub last_saved_at: DateTime<Utc>,
    /// The signed-in user manages the request's service: what they may do now.
    pub decisions: Vec<Decision>,
    /// Declined, closed or archived: never re-opened ("New request from this one").
    pub closed: bool,
}

/// A decision a manager may take on the request as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Accept,
    MarkPending,
    Decline,
    AllocateWorker,
    Close,
    Archive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RequestSaved {
    pub id: String,
    pub reference: String,
    pub reference_is_permanent: bool,
    pub steps: Vec<RequestStepState>,
    pub last_saved_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum SendOutcome {
    /// Queued for the service; `reference` is provisional until synced.
    #[serde(rename_all = "camelCase")]
    Sent {
        reference: String,
        reference_is_permanent: bool,
    },
    Invalid {
        errors: Vec<FieldError>,
    },
}

/// One row of "My requests" or of a manager's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RequestRow {
    pub id: String,
    pub reference: String,
    pub reference_is_permanent: bool,
    pub status: Option<RequestStatus>,
    pub status_label: String,
    pub child: String,
    pub ehm_id: String,
    pub service_name: String,
    pub worker: Option<String>,
    pub last_saved_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------
// Commands

/// The form's pages and lists; the services from the server when online (kept for
/// offline use), else the ones kept.
#[tauri::command]
#[specta::specta]
pub async fn request_form(state: State<'_, AppState>) -> Result<RequestForm, AppError> {
    let store = state.open_store().await?;
    let fetched = fetch_services(&state).await;
    form_with(&store, fetched).await
}

#[tauri::command]
#[specta::specta]
pub async fn request_load(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<RequestRecord, AppError> {
    let store = state.open_store().await?;
    load_request(&store, &record_id).await
}

/// Autosave of one page (a new request when `record_id` is `None`).
#[tauri::command]
#[specta::specta]
pub async fn request_save(
    state: State<'_, AppState>,
    record_id: Option<String>,
    step: RequestStep,
    draft: RequestDraft,
) -> Result<RequestSaved, AppError> {
    let store = state.open_store().await?;
    save_request_step(&store, record_id.as_deref(), step, &draft, Utc::now()).await
}

/// "Send the request": queued for the service if every answer is valid.
#[tauri::command]
#[specta::specta]
pub async fn request_send(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<SendOutcome, AppError> {
    let store = state.open_store().await?;
    send_request(&store, &record_id, Utc::now()).await
}

/// "My requests": the requests the signed-in user started, newest first.
#[tauri::command]
#[specta::specta]
pub async fn requests_mine(state: State<'_, AppState>) -> Result<Vec<RequestRow>, AppError> {
    let store = state.open_store().await?;
    my_requests(&store).await
}

/// A manager's view of the requests sent to their services, with an exact filter.
#[tauri::command]
#[specta::specta]
pub async fn requests_manage(
    state: State<'_, AppState>,
    view: RequestView,
    filter: Option<RequestFilter>,
) -> Result<Vec<RequestRow>, AppError> {
    let store = state.open_store().await?;
    // Online, the lists of the manager's workers are kept fresh for allocating offline.
    if let Some((server, token)) = state.server_and_token().await {
        let store = store.clone();
        tauri::async_runtime::spawn(async move {
            crate::workers::refresh_managed(&store, &server, &token, Utc::now()).await;
        });
    }
    managed_requests(&store, view, filter.as_ref()).await
}

/// A manager's decision: accept, pending, decline, allocate a worker, close, archive.
#[tauri::command]
#[specta::specta]
pub async fn request_decide(
    state: State<'_, AppState>,
    record_id: String,
    event: RequestEvent,
) -> Result<RequestRecord, AppError> {
    let store = state.open_store().await?;
    decide(&store, &record_id, &event, Utc::now()).await
}

/// "New request from this one": a new draft with what is still true.
#[tauri::command]
#[specta::specta]
pub async fn request_new_from(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<RequestRecord, AppError> {
    let store = state.open_store().await?;
    new_from(&store, &record_id, Utc::now()).await
}

// ---------------------------------------------------------------------------------------
// Logic, testable without a window

fn offline_services() -> AppError {
    AppError::new(
        ErrorCode::ServerUnreachable,
        "Hearth could not get the list of services from the server.",
    )
}

/// The services from the server, or `None` when it cannot be asked now.
async fn fetch_services(state: &AppState) -> Option<Vec<ServiceChoice>> {
    let (server, token) = state.server_and_token().await?;
    services_at(&server, &token).await.ok()
}

pub async fn services_at(server: &str, token: &str) -> Result<Vec<ServiceChoice>, AppError> {
    let list: hearth_protocol::users::CommissionedServices =
        crate::workers::get_json(server, token, hearth_protocol::paths::SERVICES)
            .await
            .map_err(|_| offline_services())?;
    Ok(list
        .services
        .into_iter()
        .map(|s| ServiceChoice {
            id: s.id.to_string(),
            name: s.name,
            code: s.code,
        })
        .collect())
}

async fn cached_services(store: &Store) -> Result<Vec<ServiceChoice>, AppError> {
    crate::workers::kept_setting(store, SERVICES_SETTING).await
}

fn status_label(status: Option<RequestStatus>) -> &'static str {
    match status {
        None => "Draft",
        Some(RequestStatus::AwaitingDecision) => "Awaiting decision",
        Some(RequestStatus::Pending) => "Pending",
        Some(RequestStatus::Declined) => "Declined",
        Some(RequestStatus::AcceptedAwaitingWorker) => "Accepted, awaiting worker",
        Some(RequestStatus::AcceptedWithWorker) => "Accepted, with worker",
        Some(RequestStatus::AcceptedClosed) => "Accepted, closed",
        Some(RequestStatus::Archived) => "Archived",
    }
}

fn view_title(view: RequestView) -> &'static str {
    match view {
        RequestView::AwaitingDecision => "Awaiting decision",
        RequestView::Pending => "Pending",
        RequestView::Declined => "Declined",
        RequestView::AcceptedAwaitingWorker => "Accepted, awaiting worker",
        RequestView::AcceptedWithWorker => "Accepted, with worker",
        RequestView::AcceptedClosed => "Accepted, closed",
        RequestView::Archive => "Archive",
    }
}

const VIEWS: [RequestView; 7] = [
    RequestView::AwaitingDecision,
    RequestView::Pending,
    RequestView::Declined,
    RequestView::AcceptedAwaitingWorker,
    RequestView::AcceptedWithWorker,
    RequestView::AcceptedClosed,
    RequestView::Archive,
];

fn is_manager(account: Option<&Account>) -> bool {
    account.is_some_and(|a| a.has_role(Role::Manager) && !a.services.is_empty())
}

/// Builds the form; `fetched` is the server's list when it answered (then kept).
pub(crate) async fn form_with(
    store: &Store,
    fetched: Option<Vec<ServiceChoice>>,
) -> Result<RequestForm, AppError> {
    let config = Config::builtin();
    let services_from_cache = fetched.is_none();
    let services = match fetched {
        Some(list) => {
            let json = serde_json::to_string(&list).map_err(|_| offline_services())?;
            store.set_setting(SERVICES_SETTING, &json).await?;
            list
        }
        None => cached_services(store).await?,
    };
    let account = account_of(store).await?;
    Ok(RequestForm {
        steps: RequestStep::ALL
            .iter()
            .map(|s| RequestStepInfo {
                step: *s,
                number: s.number(),
                title: s.title().to_owned(),
            })
            .collect(),
        // Only teams whose service this configuration knows can be validated.
        services: services
            .into_iter()
            .filter(|s| {
                hearth_domain::config::find(&config.commissioned_services, &s.code).is_some()
            })
            .collect(),
        services_from_cache,
        request_types: vec![
            Choice {
                code: "lead".into(),
                label: "Lead: the service takes the case forward".into(),
            },
            Choice {
                code: "support".into(),
                label: "Support: the service supports my plan with the family".into(),
            },
        ],
        ethnicities: config.ethnicities.clone(),
        genders: crate::plans::form_of(&config).genders,
        views: VIEWS
            .iter()
            .map(|v| ViewInfo {
                view: *v,
                title: view_title(*v).to_owned(),
            })
            .collect(),
        manager: is_manager(account.as_ref()),
    })
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidInput, message)
}

async fn load_kind(store: &Store, id: &str) -> Result<Draft, AppError> {
    crate::plans::load_kind(store, id, RecordKind::Request).await
}

fn status_of(fields: &Map<String, Value>) -> Option<RequestStatus> {
    fields
        .get("status")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

fn draft_of(record: &Draft) -> RequestDraft {
    lenient_draft::<RequestDraft>(&record.fields).0
}

fn step_errors(draft: &RequestDraft, step: RequestStep, config: &Config) -> Vec<FieldError> {
    draft
        .validate(config)
        .into_iter()
        .filter(|e| RequestStep::of_path(&e.path) == Some(step))
        .collect()
}

fn steps_of(draft: &RequestDraft, saved: &[u32]) -> Vec<RequestStepState> {
    let config = Config::builtin();
    RequestStep::ALL
        .iter()
        .map(|s| RequestStepState {
            step: *s,
            saved: saved.contains(&u32::from(s.number())),
            errors: step_errors(draft, *s, &config),
        })
        .collect()
}

fn child_name(draft: &RequestDraft) -> String {
    full_name(&draft.child.first_name, &draft.child.last_name)
}

fn service_name(services: &[ServiceChoice], fields: &Map<String, Value>, code: &str) -> String {
    let id = text_of(fields, SERVICE_ID_FIELD);
    services
        .iter()
        .find(|s| Some(&s.id) == id.as_ref())
        .map(|s| s.name.clone())
        .unwrap_or_else(|| {
            hearth_domain::config::label(&Config::builtin().commissioned_services, code).to_owned()
        })
}

/// The signed-in user manages the service a request with these fields is sent to.
fn manages(account: Option<&Account>, fields: &Map<String, Value>) -> bool {
    let Some(a) = account.filter(|a| a.has_role(Role::Manager)) else {
        return false;
    };
    text_of(fields, SERVICE_ID_FIELD)
        .is_some_and(|id| a.services.iter().any(|s| s.to_string() == id))
}

fn decisions_of(status: Option<RequestStatus>) -> Vec<Decision> {
    let Some(status) = status else {
        return vec![];
    };
    let candidates = [
        (Decision::Accept, RequestEvent::Accept),
        (Decision::MarkPending, RequestEvent::MarkPending),
        (Decision::Decline, RequestEvent::Decline),
        (
            Decision::AllocateWorker,
            RequestEvent::AllocateWorker { worker: "x".into() },
        ),
        (Decision::Close, RequestEvent::Close),
        (Decision::Archive, RequestEvent::Archive),
    ];
    candidates
        .into_iter()
        .filter(|(_, e)| status.apply(e).is_ok())
        .map(|(d, _)| d)
        .collect()
}

async fn record_of(store: &Store, record: &Draft) -> Result<RequestRecord, AppError> {
    let account = account_of(store).await?;
    let services = cached_services(store).await?;
    let draft = draft_of(record);
    let status = status_of(&record.fields);
    let (reference, reference_is_permanent) = reference_of(&record.summary);
    Ok(RequestRecord {
        id: record.summary.id.to_string(),
        reference,
        reference_is_permanent,
        status,
        status_label: status_label(status).to_owned(),
        worker: text_of(&record.fields, WORKER_FIELD),
        service_name: service_name(&services, &record.fields, &draft.service),
        steps: steps_of(&draft, &record.summary.steps_saved),
        decisions: if manages(account.as_ref(), &record.fields) {
            decisions_of(status)
        } else {
            vec![]
        },
        closed: status.is_some_and(RequestStatus::is_closed),
        draft,
        last_saved_at: record.summary.last_saved_at,
    })
}

pub(crate) async fn load_request(store: &Store, id: &str) -> Result<RequestRecord, AppError> {
    let record = load_kind(store, id).await?;
    record_of(store, &record).await
}

pub(crate) async fn save_request_step(
    store: &Store,
    record_id: Option<&str>,
    step: RequestStep,
    draft: &RequestDraft,
    at: DateTime<Utc>,
) -> Result<RequestSaved, AppError> {
    let mut fields = page_fields(draft, step.fields())?;
    if step == RequestStep::Service {
        let services = cached_services(store).await?;
        let team = services.iter().find(|s| s.code == draft.service);
        fields.insert(
            SERVICE_ID_FIELD.to_owned(),
            team.map_or(Value::Null, |s| Value::String(s.id.clone())),
        );
    }
    let record = crate::records::save_page(
        store,
        PageSave {
            kind: RecordKind::Request,
            record_id,
            step: step.number(),
            fields,
            title: child_name(draft),
            search: request_terms(draft),
            at,
        },
        |r| {
            status_of(&r.fields).is_some().then(|| invalid(
                "This request has been sent, so it cannot be changed. If something has changed, make a new request from this one.",
            ))
        },
    )
    .await?;
    let (reference, reference_is_permanent) = reference_of(&record.summary);
    Ok(RequestSaved {
        id: record.summary.id.to_string(),
        reference,
        reference_is_permanent,
        steps: steps_of(&draft_of(&record), &record.summary.steps_saved),
        last_saved_at: record.summary.last_saved_at,
    })
}

pub(crate) async fn send_request(
    store: &Store,
    id: &str,
    at: DateTime<Utc>,
) -> Result<SendOutcome, AppError> {
    let record = load_kind(store, id).await?;
    let (reference, reference_is_permanent) = reference_of(&record.summary);
    if status_of(&record.fields).is_some() {
        return Ok(SendOutcome::Sent {
            reference,
            reference_is_permanent,
        });
    }
    let draft = draft_of(&record);
    let mut errors = draft.validate(&Config::builtin());
    if errors.is_empty() && text_of(&record.fields, SERVICE_ID_FIELD).is_none() {
        errors.push(FieldError::new(
            "service",
            "Select the commissioned service again: Hearth needs the server's list of services, so connect to the server first",
        ));
    }
    if !errors.is_empty() {
        return Ok(SendOutcome::Invalid { errors });
    }
    store
        .set_status(
            record.summary.id,
            RequestStatus::AwaitingDecision.as_str(),
            at,
        )
        .await?;
    tracing::info!(record = %record.summary.id, "request for support sent");
    Ok(SendOutcome::Sent {
        reference,
        reference_is_permanent,
    })
}

const ROW_PATHS: [&str; 6] = [
    "$.child",
    "$.ehm_id",
    "$.status",
    "$.author_id",
    "$.service_id",
    "$.worker",
];

struct Listed {
    row: RequestRow,
    fields: Map<String, Value>,
}

async fn all_rows(store: &Store) -> Result<Vec<Listed>, AppError> {
    let services = cached_services(store).await?;
    let rows = store
        .list_columns(RecordKind::Request, None, &ROW_PATHS)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut fields = Map::new();
            for (name, v) in [
                "child",
                "ehm_id",
                "status",
                AUTHOR_FIELD,
                SERVICE_ID_FIELD,
                WORKER_FIELD,
            ]
            .iter()
            .zip(r.values.iter())
            {
                if !v.is_null() {
                    fields.insert((*name).to_owned(), v.clone());
                }
            }
            let child: hearth_domain::request::RequestChild =
                serde_json::from_value(r.values[0].clone()).unwrap_or_default();
            let status = status_of(&fields);
            let (reference, reference_is_permanent) = reference_of(&r.summary);
            let name = full_name(&child.first_name, &child.last_name);
            Listed {
                row: RequestRow {
                    id: r.summary.id.to_string(),
                    reference,
                    reference_is_permanent,
                    status,
                    status_label: status_label(status).to_owned(),
                    child: name,
                    ehm_id: text_of(&fields, "ehm_id").unwrap_or_default(),
                    service_name: service_name(&services, &fields, ""),
                    worker: text_of(&fields, WORKER_FIELD),
                    last_saved_at: r.summary.last_saved_at,
                },
                fields,
            }
        })
        .collect())
}

pub(crate) async fn my_requests(store: &Store) -> Result<Vec<RequestRow>, AppError> {
    let me = account_of(store).await?.map(|a| a.id.to_string());
    let mut rows: Vec<RequestRow> = all_rows(store)
        .await?
        .into_iter()
        // Another's request is on this device only because it was sent to a service I am in.
        .filter(|l| is_mine(text_of(&l.fields, AUTHOR_FIELD).as_deref(), me.as_deref()))
        .map(|l| l.row)
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.last_saved_at));
    Ok(rows)
}

fn not_manager() -> AppError {
    AppError::new(
        ErrorCode::InvalidInput,
        "Only a manager of the service can see its requests and decide on them.",
    )
}

pub(crate) async fn managed_requests(
    store: &Store,
    view: RequestView,
    filter: Option<&RequestFilter>,
) -> Result<Vec<RequestRow>, AppError> {
    let account = account_of(store).await?;
    if !is_manager(account.as_ref()) {
        return Err(not_manager());
    }
    let config = Config::builtin();
    let mut out = Vec::new();
    for l in all_rows(store).await? {
        if !manages(account.as_ref(), &l.fields) {
            continue;
        }
        let Some(status) = l.row.status.filter(|s| view.shows(*s)) else {
            continue;
        };
        if let Some(filter) = filter {
            // The filter is the domain's, on the request as the domain sees it.
            let record = load_kind(store, &l.row.id).await?;
            match domain_request(&record, status, &config) {
                Some(r) if filter.matches(&r) => {}
                _ => continue,
            }
        }
        out.push(l.row);
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.last_saved_at));
    Ok(out)
}

pub(crate) async fn decide(
    store: &Store,
    id: &str,
    event: &RequestEvent,
    at: DateTime<Utc>,
) -> Result<RequestRecord, AppError> {
    let account = account_of(store).await?;
    let record = load_kind(store, id).await?;
    if !manages(account.as_ref(), &record.fields) {
        return Err(not_manager());
    }
    let Some(status) = status_of(&record.fields) else {
        return Err(invalid("This request has not been sent yet."));
    };
    let next = status.apply(event).map_err(|_| {
        invalid(match status {
            s if s.is_closed() => "This request is closed and cannot be re-opened. Use \u{201c}New request from this one\u{201d} instead.",
            _ => "That decision is not possible for this request now.",
        })
    })?;
    let mut fields = json!({ "status": next });
    if let RequestEvent::AllocateWorker { worker } = event {
        // One of the service's workers, by the name the allocation list gave.
        let service = text_of(&record.fields, SERVICE_ID_FIELD);
        let worker = crate::workers::check_worker(store, service.as_deref(), worker).await?;
        fields[WORKER_FIELD] = Value::String(worker);
    }
    store
        .save_step(StepSave::new(
            Some(record.summary.id),
            RecordKind::Request,
            DECISION_STEP,
            fields,
            at,
        ))
        .await?;
    tracing::info!(record = %record.summary.id, status = next.as_str(), "request decision");
    load_request(store, id).await
}

pub(crate) async fn new_from(
    store: &Store,
    id: &str,
    at: DateTime<Utc>,
) -> Result<RequestRecord, AppError> {
    let record = load_kind(store, id).await?;
    let status = status_of(&record.fields);
    if !status.is_some_and(RequestStatus::is_closed) {
        return Err(invalid(
            "A new request can be made from a request once it is declined or closed.",
        ));
    }
    let Some(request) = domain_request(
        &record,
        status.unwrap_or(RequestStatus::Declined),
        &Config::builtin(),
    ) else {
        return Err(invalid(
            "This request's answers are not complete on this device, so Hearth cannot copy them.",
        ));
    };
    let draft = request.new_request_from();
    let mut new_id: Option<String> = None;
    for step in RequestStep::ALL {
        let saved = save_request_step(store, new_id.as_deref(), step, &draft, at).await?;
        new_id = Some(saved.id);
    }
    load_request(store, &new_id.unwrap_or_default()).await
}

/// The stored request as the domain sees it (its case reference is the record's
/// reference); `None` when its answers are not complete.
fn domain_request(record: &Draft, status: RequestStatus, config: &Config) -> Option<Request> {
    let (reference, _) = reference_of(&record.summary);
    Request::from_parts(
        RequestParts {
            id: RequestId(record.summary.id.as_uuid()),
            case_reference: CaseReference::parse(&reference).ok()?,
            content: draft_of(record),
            status,
            worker: text_of(&record.fields, WORKER_FIELD),
        },
        config,
    )
    .ok()
}

#[cfg(test)]
#[path = "requests_tests.rs"]
mod tests;
