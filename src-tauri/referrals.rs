//! Referrals to the MASH in the app (seed 003): the form's autosave and page checks,
//! "Submit", "My referrals", the 30-day deletion of drafts with its warning, and the MASH
//! triage work tray (outcome, and existing records that may be the same child).
//!
//! The same shape as `plans`: every command is a thin wrapper over a function taking the
//! store and the clock, tested without a window. A save writes only the top-level fields
//! of the page being edited (plus `unfinished_dates`), one outbox row when something
//! changed. Validation messages come from `hearth-domain`, verbatim, in the `Ok` value.
//!
//! Status: the record's `status` field (ARCHITECTURE "Single editor"): absent or `draft`,
//! `submitted` (written by `Store::set_status`, so the server sees the referral as
//! submitted and MASH triage may read it), then `{status: "outcome_recorded", outcome}`
//! written by triage (the only field triage may change; the server emails the referrer).

use chrono::{DateTime, NaiveDate, Utc};
use hearth_domain::account::{Account, Role};
use hearth_domain::config::ListItem;
use hearth_domain::referral::{
    draft_expires_at, draft_expiry, may_be_same_child, DraftExpiry, Referral, ReferralChild,
    ReferralDraft, ReferralEvent, ReferralStatus, ReferralStep, ReferralType, TriageOutcome,
};
use hearth_domain::search::{lenient_draft, referral_terms};
use hearth_domain::{Config, FieldError, RecordKind};
use hearth_store::{Draft, RecordId, StepSave, Store};
use serde::Serialize;
use serde_json::{json, Map, Value};
use specta::Type;
use tauri::State;

use crate::error::{AppError, ErrorCode};
use crate::plans::Choice;
use crate::records::{account_of, full_name, is_mine, page_fields, reference_of, PageSave};
use crate::state::AppState;

/// The status a submitted referral's `status` field holds.
pub const SUBMITTED: &str = "submitted";
/// Store step of a triage outcome (not a page of the form).
const OUTCOME_STEP: u32 = 0;

/// One page of the form as the task list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReferralStepInfo {
    pub step: ReferralStep,
    pub number: u8,
    pub title: String,
}

/// Everything the referral screens need to draw themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReferralForm {
    pub steps: Vec<ReferralStepInfo>,
    pub ethnicities: Vec<ListItem>,
    pub genders: Vec<Choice>,
    pub outcomes: Vec<Choice>,
    /// The signed-in user has the MASH triage role (sees the work tray).
    pub mash_triage: bool,
}

/// A page's state read back from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReferralStepState {
    pub step: ReferralStep,
    pub saved: bool,
    pub errors: Vec<FieldError>,
}

/// Where a referral stands: `draft`, `submitted` or `outcome_recorded`.
fn status_word(status: ReferralStatus) -> &'static str {
    match status {
        ReferralStatus::Draft => "draft",
        ReferralStatus::Submitted => SUBMITTED,
        ReferralStatus::OutcomeRecorded { .. } => "outcome_recorded",
    }
}

/// A referral with all its answers.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReferralRecord {
    pub id: String,
    pub reference: String,
    pub reference_is_permanent: bool,
    /// `draft`, `submitted` or `outcome_recorded`.
    pub status: String,
    pub outcome: Option<TriageOutcome>,
    pub draft: ReferralDraft,
    pub steps: Vec<ReferralStepState>,
    pub last_saved_at: DateTime<Utc>,
    /// When a draft is deleted unless saved again; `None` once submitted.
    pub expires_at: Option<DateTime<Utc>>,
    /// The signed-in user may record the outcome now (MASH triage, submitted).
    pub can_record_outcome: bool,
}

/// What an autosave did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReferralSaved {
    pub id: String,
    pub reference: String,
    pub reference_is_permanent: bool,
    pub steps: Vec<ReferralStepState>,
    pub last_saved_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What "Submit" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum SubmitOutcome {
    /// Queued for the MASH; `reference` is provisional until synced.
    #[serde(rename_all = "camelCase")]
    Submitted {
        reference: String,
        reference_is_permanent: bool,
    },
    /// Something is missing or wrong: every error, in page order.
    Invalid { errors: Vec<FieldError> },
}

/// One row of "My referrals" or of the MASH work tray.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReferralRow {
    pub id: String,
    pub reference: String,
    pub reference_is_permanent: bool,
    pub status: String,
    pub outcome: Option<TriageOutcome>,
    pub referral_type: Option<ReferralType>,
    /// The children's names, "Zoë Testchild, Owen Testchild".
    pub children: String,
    pub referrer_organisation: String,
    pub last_saved_at: DateTime<Utc>,
    /// Drafts only: when it is deleted unless saved again.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A draft about to be deleted, for the dashboard's warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringDraft {
    pub id: String,
    pub reference: String,
    pub children: String,
    pub expires_at: DateTime<Utc>,
    /// Whole days left, rounded up (1 on its last day).
    pub days_left: u32,
}

/// A record on this device that may be the referral's child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MatchCandidate {
    pub record_id: String,
    /// "Family Support Plan" or "Referral".
    pub record_label: String,
    pub reference: String,
    pub name: String,
    pub date_of_birth: NaiveDate,
    /// The record's date of birth is a guess (an earlier referral's "estimated" tick).
    pub date_of_birth_estimated: bool,
    /// Days between the dates of birth (0: the same date).
    pub days_apart: u32,
}

/// The possible matches of one child of the referral, closest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ChildMatches {
    pub name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub date_of_birth_estimated: bool,
    pub candidates: Vec<MatchCandidate>,
}

// ---------------------------------------------------------------------------------------
// Commands

/// The form's pages and lists, and whether the user has the MASH triage role.
#[tauri::command]
#[specta::specta]
pub async fn referral_form(state: State<'_, AppState>) -> Result<ReferralForm, AppError> {
    let store = state.open_store().await?;
    Ok(form_of(
        &Config::builtin(),
        account_of(&store).await?.as_ref(),
    ))
}

/// A referral with all its answers and its pages' states.
#[tauri::command]
#[specta::specta]
pub async fn referral_load(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<ReferralRecord, AppError> {
    let store = state.open_store().await?;
    load_referral(&store, &record_id, Utc::now()).await
}

/// Autosave of one page (a new referral when `record_id` is `None`).
#[tauri::command]
#[specta::specta]
pub async fn referral_save(
    state: State<'_, AppState>,
    record_id: Option<String>,
    step: ReferralStep,
    draft: ReferralDraft,
) -> Result<ReferralSaved, AppError> {
    let store = state.open_store().await?;
    save_referral_step(&store, record_id.as_deref(), step, &draft, Utc::now()).await
}

/// "Submit": the referral is queued for the MASH if every answer is valid.
#[tauri::command]
#[specta::specta]
pub async fn referral_submit(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<SubmitOutcome, AppError> {
    let store = state.open_store().await?;
    submit_referral(&store, &record_id, Utc::now()).await
}

/// "My referrals": the referrals the signed-in user started, newest first.
#[tauri::command]
#[specta::specta]
pub async fn referrals_list(state: State<'_, AppState>) -> Result<Vec<ReferralRow>, AppError> {
    let store = state.open_store().await?;
    list_my_referrals(&store, Utc::now()).await
}

/// The dashboard's warning: drafts deleted within a few days unless saved again.
#[tauri::command]
#[specta::specta]
pub async fn referral_drafts_expiring(
    state: State<'_, AppState>,
) -> Result<Vec<ExpiringDraft>, AppError> {
    let store = state.open_store().await?;
    expiring_drafts(&store, Utc::now()).await
}

/// The MASH work tray: submitted referrals on this device, those awaiting an outcome first.
#[tauri::command]
#[specta::specta]
pub async fn triage_tray(state: State<'_, AppState>) -> Result<Vec<ReferralRow>, AppError> {
    let store = state.open_store().await?;
    tray(&store).await
}

/// MASH triage records the outcome of a submitted referral (synced; the referrer is emailed).
#[tauri::command]
#[specta::specta]
pub async fn triage_record_outcome(
    state: State<'_, AppState>,
    record_id: String,
    outcome: TriageOutcome,
) -> Result<ReferralRecord, AppError> {
    let store = state.open_store().await?;
    record_outcome(&store, &record_id, outcome, Utc::now()).await
}

/// Records on this device that may be the referral's children (name and date of birth,
/// looser when the date is estimated), closest first.
#[tauri::command]
#[specta::specta]
pub async fn triage_matches(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<Vec<ChildMatches>, AppError> {
    let store = state.open_store().await?;
    matches_of(&store, &record_id).await
}

// ---------------------------------------------------------------------------------------
// Logic, testable without a window

fn code_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn outcome_label(outcome: TriageOutcome) -> &'static str {
    match outcome {
        TriageOutcome::NoFurtherAction => "No further action",
        TriageOutcome::AdviceAndSignposting => "Advice and signposting",
        TriageOutcome::EarlyHelp => "Early Help",
        TriageOutcome::EarlyHelpUniversalPlus => "Early Help Universal Plus",
        TriageOutcome::SocialCareAssessment => "Children's social care assessment",
        TriageOutcome::StrategyDiscussion => "Strategy discussion",
    }
}

const OUTCOMES: [TriageOutcome; 6] = [
    TriageOutcome::NoFurtherAction,
    TriageOutcome::AdviceAndSignposting,
    TriageOutcome::EarlyHelp,
    TriageOutcome::EarlyHelpUniversalPlus,
    TriageOutcome::SocialCareAssessment,
    TriageOutcome::StrategyDiscussion,
];

pub(crate) fn form_of(config: &Config, account: Option<&Account>) -> ReferralForm {
    ReferralForm {
        steps: ReferralStep::ALL
            .iter()
            .map(|s| ReferralStepInfo {
                step: *s,
                number: s.number(),
                title: s.title().to_owned(),
            })
            .collect(),
        ethnicities: config.ethnicities.clone(),
        genders: crate::plans::form_of(config).genders,
        outcomes: OUTCOMES
            .iter()
            .map(|o| Choice {
                code: code_of(o),
                label: outcome_label(*o).to_owned(),
            })
            .collect(),
        mash_triage: account.is_some_and(|a| a.has_role(Role::MashTriage)),
    }
}

fn not_found() -> AppError {
    crate::plans::missing(RecordKind::Referral)
}

fn parse_id(id: &str) -> Result<RecordId, AppError> {
    crate::records::parse_id(id, RecordKind::Referral)
}

async fn load_kind(store: &Store, id: &str) -> Result<Draft, AppError> {
    crate::plans::load_kind(store, id, RecordKind::Referral).await
}

/// The referral's status from its `status` field (a string or `{status, outcome}`).
pub(crate) fn status_of(fields: &Map<String, Value>) -> ReferralStatus {
    match fields.get("status") {
        Some(Value::String(s)) if s == SUBMITTED => ReferralStatus::Submitted,
        Some(v @ Value::Object(_)) => {
            serde_json::from_value(v.clone()).unwrap_or(ReferralStatus::Submitted)
        }
        _ => ReferralStatus::Draft,
    }
}

fn outcome_of(status: ReferralStatus) -> Option<TriageOutcome> {
    match status {
        ReferralStatus::OutcomeRecorded { outcome } => Some(outcome),
        _ => None,
    }
}

fn referral_of(record: &Draft) -> ReferralDraft {
    lenient_draft::<ReferralDraft>(&record.fields).0
}

fn steps_of(draft: &ReferralDraft, saved: &[u32], config: &Config) -> Vec<ReferralStepState> {
    ReferralStep::ALL
        .iter()
        .map(|s| ReferralStepState {
            step: *s,
            saved: saved.contains(&u32::from(s.number())),
            errors: draft.validate_step(*s, config),
        })
        .collect()
}

fn children_names(children: &[ReferralChild]) -> String {
    children
        .iter()
        .map(|c| full_name(&c.first_name, &c.last_name))
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn record_of(record: &Draft, account: Option<&Account>) -> ReferralRecord {
    let config = Config::builtin();
    let draft = referral_of(record);
    let status = status_of(&record.fields);
    let (reference, reference_is_permanent) = reference_of(&record.summary);
    ReferralRecord {
        id: record.summary.id.to_string(),
        reference,
        reference_is_permanent,
        status: status_word(status).to_owned(),
        outcome: outcome_of(status),
        steps: steps_of(&draft, &record.summary.steps_saved, &config),
        draft,
        last_saved_at: record.summary.last_saved_at,
        expires_at: status
            .can_expire()
            .then(|| draft_expires_at(record.summary.last_saved_at)),
        can_record_outcome: status == ReferralStatus::Submitted
            && account.is_some_and(|a| a.has_role(Role::MashTriage)),
    }
}

pub(crate) async fn load_referral(
    store: &Store,
    id: &str,
    now: DateTime<Utc>,
) -> Result<ReferralRecord, AppError> {
    let record = load_kind(store, id).await?;
    if status_of(&record.fields).can_expire()
        && draft_expiry(record.summary.last_saved_at, now) == DraftExpiry::Expired
    {
        return Err(not_found());
    }
    Ok(record_of(&record, account_of(store).await?.as_ref()))
}

pub(crate) async fn save_referral_step(
    store: &Store,
    record_id: Option<&str>,
    step: ReferralStep,
    draft: &ReferralDraft,
    at: DateTime<Utc>,
) -> Result<ReferralSaved, AppError> {
    let record = crate::records::save_page(
        store,
        PageSave {
            kind: RecordKind::Referral,
            record_id,
            step: step.number(),
            fields: page_fields(draft, step.fields())?,
            title: children_names(&draft.children),
            search: referral_terms(draft),
            at,
        },
        |r| {
            (status_of(&r.fields) != ReferralStatus::Draft).then(|| AppError::new(
                ErrorCode::StoreFailed,
                "This referral has been submitted, so it cannot be changed. If something has changed, make a new referral.",
            ))
        },
    )
    .await?;
    let (reference, reference_is_permanent) = reference_of(&record.summary);
    Ok(ReferralSaved {
        id: record.summary.id.to_string(),
        reference,
        reference_is_permanent,
        steps: steps_of(
            &referral_of(&record),
            &record.summary.steps_saved,
            &Config::builtin(),
        ),
        last_saved_at: record.summary.last_saved_at,
        expires_at: draft_expires_at(record.summary.last_saved_at),
    })
}

pub(crate) async fn submit_referral(
    store: &Store,
    id: &str,
    at: DateTime<Utc>,
) -> Result<SubmitOutcome, AppError> {
    let record = load_kind(store, id).await?;
    let (reference, reference_is_permanent) = reference_of(&record.summary);
    let status = status_of(&record.fields);
    if status != ReferralStatus::Draft {
        // Already submitted (a second press): nothing more to do.
        return Ok(SubmitOutcome::Submitted {
            reference,
            reference_is_permanent,
        });
    }
    if let Err(errors) = Referral::parse(referral_of(&record), &Config::builtin()) {
        return Ok(SubmitOutcome::Invalid {
            errors: errors.into_vec(),
        });
    }
    status
        .apply(ReferralEvent::Submit)
        .map_err(|e| AppError::new(ErrorCode::StoreFailed, format!("{e}")))?;
    store.set_status(record.summary.id, SUBMITTED, at).await?;
    tracing::info!(record = %record.summary.id, "referral submitted");
    Ok(SubmitOutcome::Submitted {
        reference,
        reference_is_permanent,
    })
}

const ROW_PATHS: [&str; 5] = [
    "$.children",
    "$.referral_type",
    "$.referrer.organisation",
    "$.status",
    "$.author_id",
];

struct Listed {
    row: ReferralRow,
    status: ReferralStatus,
    author: Option<String>,
}

async fn all_rows(store: &Store) -> Result<Vec<Listed>, AppError> {
    let rows = store
        .list_columns(RecordKind::Referral, None, &ROW_PATHS)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let children: Vec<ReferralChild> =
                serde_json::from_value(r.values[0].clone()).unwrap_or_default();
            let mut status_fields = Map::new();
            status_fields.insert("status".to_owned(), r.values[3].clone());
            let status = status_of(&status_fields);
            let (reference, reference_is_permanent) = reference_of(&r.summary);
            Listed {
                row: ReferralRow {
                    id: r.summary.id.to_string(),
                    reference,
                    reference_is_permanent,
                    status: status_word(status).to_owned(),
                    outcome: outcome_of(status),
                    referral_type: serde_json::from_value(r.values[1].clone()).ok(),
                    children: children_names(&children),
                    referrer_organisation: r.values[2].as_str().unwrap_or_default().to_owned(),
                    last_saved_at: r.summary.last_saved_at,
                    expires_at: status
                        .can_expire()
                        .then(|| draft_expires_at(r.summary.last_saved_at)),
                },
                status,
                author: r.values[4].as_str().map(str::to_owned),
            }
        })
        .collect())
}

pub(crate) async fn list_my_referrals(
    store: &Store,
    now: DateTime<Utc>,
) -> Result<Vec<ReferralRow>, AppError> {
    let me = account_of(store).await?.map(|a| a.id.to_string());
    Ok(all_rows(store)
        .await?
        .into_iter()
        // Another user's referral is on this device only because triage pulled it.
        .filter(|l| is_mine(l.author.as_deref(), me.as_deref()))
        .filter(|l| {
            !(l.status.can_expire()
                && draft_expiry(l.row.last_saved_at, now) == DraftExpiry::Expired)
        })
        .map(|l| l.row)
        .collect())
}

fn days_left(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> u32 {
    let seconds = (expires_at - now).num_seconds().max(0);
    u32::try_from((seconds + 86_399) / 86_400).unwrap_or(u32::MAX)
}

pub(crate) async fn expiring_drafts(
    store: &Store,
    now: DateTime<Utc>,
) -> Result<Vec<ExpiringDraft>, AppError> {
    let mut out: Vec<ExpiringDraft> = list_my_referrals(store, now)
        .await?
        .into_iter()
        .filter(|r| r.status == "draft")
        .filter_map(|r| match draft_expiry(r.last_saved_at, now) {
            DraftExpiry::ExpiresSoon { expires_at } => Some(ExpiringDraft {
                days_left: days_left(expires_at, now),
                id: r.id,
                reference: r.reference,
                children: r.children,
                expires_at,
            }),
            _ => None,
        })
        .collect();
    out.sort_by_key(|d| d.expires_at);
    Ok(out)
}

/// Deletes every referral draft on this device past its 30 days (when the app opens and
/// before each sync). Each goes through `Store::discard`, so the server deletes its copy
/// too. Returns how many were deleted.
pub(crate) async fn delete_expired_drafts(
    store: &Store,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut deleted = 0;
    for l in all_rows(store).await? {
        if l.status.can_expire() && draft_expiry(l.row.last_saved_at, now) == DraftExpiry::Expired {
            store.discard(parse_id(&l.row.id)?, now).await?;
            deleted += 1;
        }
    }
    if deleted > 0 {
        tracing::info!(
            deleted,
            "referral drafts deleted 30 days after their last save"
        );
    }
    Ok(deleted)
}

pub(crate) async fn tray(store: &Store) -> Result<Vec<ReferralRow>, AppError> {
    let account = account_of(store).await?;
    if !account.is_some_and(|a| a.has_role(Role::MashTriage)) {
        return Err(not_triage());
    }
    let mut rows: Vec<ReferralRow> = all_rows(store)
        .await?
        .into_iter()
        .filter(|l| l.status != ReferralStatus::Draft)
        .map(|l| l.row)
        .collect();
    // Awaiting an outcome first, oldest first (the longest waiting at the top).
    rows.sort_by(|a, b| {
        (a.status != SUBMITTED, a.last_saved_at).cmp(&(b.status != SUBMITTED, b.last_saved_at))
    });
    Ok(rows)
}

fn not_triage() -> AppError {
    AppError::new(
        ErrorCode::InvalidInput,
        "Only MASH triage can see the work tray and record outcomes. Your account does not have that role.",
    )
}

pub(crate) async fn record_outcome(
    store: &Store,
    id: &str,
    outcome: TriageOutcome,
    at: DateTime<Utc>,
) -> Result<ReferralRecord, AppError> {
    let account = account_of(store).await?;
    if !account
        .as_ref()
        .is_some_and(|a| a.has_role(Role::MashTriage))
    {
        return Err(not_triage());
    }
    let record = load_kind(store, id).await?;
    let next = status_of(&record.fields)
        .apply(ReferralEvent::RecordOutcome { outcome })
        .map_err(|_| {
            AppError::new(
                ErrorCode::InvalidInput,
                "An outcome can be recorded only once, for a submitted referral.",
            )
        })?;
    store
        .save_step(StepSave::new(
            Some(record.summary.id),
            RecordKind::Referral,
            OUTCOME_STEP,
            json!({ "status": next }),
            at,
        ))
        .await?;
    tracing::info!(record = %record.summary.id, "referral outcome recorded");
    let record = store.load(record.summary.id).await?.ok_or_else(not_found)?;
    Ok(record_of(&record, account.as_ref()))
}

/// A child found on this device: where, and who.
struct Known {
    record_id: String,
    record_label: &'static str,
    reference: String,
    first_name: String,
    last_name: String,
    date_of_birth: NaiveDate,
    date_of_birth_estimated: bool,
}

fn date_in(v: &Value) -> Option<NaiveDate> {
    serde_json::from_value::<Option<NaiveDate>>(v.clone())
        .ok()
        .flatten()
}

fn text_in(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

async fn known_children(store: &Store, except: &str) -> Result<Vec<Known>, AppError> {
    let mut out = Vec::new();
    for r in store
        .list_columns(
            RecordKind::Plan,
            None,
            &["$.focus_child", "$.family_members"],
        )
        .await?
    {
        let (reference, _) = reference_of(&r.summary);
        let people = std::iter::once(&r.values[0]).chain(
            r.values[1]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default(),
        );
        for p in people {
            if let Some(dob) = p.get("date_of_birth").and_then(date_in) {
                out.push(Known {
                    record_id: r.summary.id.to_string(),
                    record_label: "Family Support Plan",
                    reference: reference.clone(),
                    first_name: text_in(p, "first_name"),
                    last_name: text_in(p, "last_name"),
                    date_of_birth: dob,
                    date_of_birth_estimated: false,
                });
            }
        }
    }
    for r in store
        .list_columns(RecordKind::Referral, None, &["$.children"])
        .await?
    {
        if r.summary.id.to_string() == except {
            continue;
        }
        let (reference, _) = reference_of(&r.summary);
        for c in r.values[0]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let Some(dob) = c.get("date_of_birth").and_then(date_in) {
                out.push(Known {
                    record_id: r.summary.id.to_string(),
                    record_label: "Referral",
                    reference: reference.clone(),
                    first_name: text_in(c, "first_name"),
                    last_name: text_in(c, "last_name"),
                    date_of_birth: dob,
                    date_of_birth_estimated: c
                        .get("date_of_birth_estimated")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                });
            }
        }
    }
    Ok(out)
}

/// Ranks `known` against `child`: only those [`may_be_same_child`] accepts (names alike,
/// dates of birth equal, or within `ESTIMATED_DOB_TOLERANCE_DAYS` when the referral's or
/// the record's is estimated), the closest date of birth first (then by name and reference).
fn rank_matches(child: &ReferralChild, known: &[Known]) -> Vec<MatchCandidate> {
    let mut found: Vec<MatchCandidate> = known
        .iter()
        .filter(|k| {
            may_be_same_child(
                child,
                &k.first_name,
                &k.last_name,
                k.date_of_birth,
                k.date_of_birth_estimated,
            )
        })
        .map(|k| MatchCandidate {
            record_id: k.record_id.clone(),
            record_label: k.record_label.to_owned(),
            reference: k.reference.clone(),
            name: format!("{} {}", k.first_name.trim(), k.last_name.trim()),
            date_of_birth: k.date_of_birth,
            date_of_birth_estimated: k.date_of_birth_estimated,
            days_apart: child
                .date_of_birth
                .map(|d| (d - k.date_of_birth).num_days().unsigned_abs())
                .map_or(u32::MAX, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        })
        .collect();
    found.sort_by(|a, b| {
        (a.days_apart, &a.name, &a.reference).cmp(&(b.days_apart, &b.name, &b.reference))
    });
    found
}

pub(crate) async fn matches_of(store: &Store, id: &str) -> Result<Vec<ChildMatches>, AppError> {
    if !account_of(store)
        .await?
        .is_some_and(|a| a.has_role(Role::MashTriage))
    {
        return Err(not_triage());
    }
    let record = load_kind(store, id).await?;
    let draft = referral_of(&record);
    let known = known_children(store, id).await?;
    Ok(draft
        .children
        .iter()
        .map(|c| ChildMatches {
            name: full_name(&c.first_name, &c.last_name),
            date_of_birth: c.date_of_birth,
            date_of_birth_estimated: c.date_of_birth_estimated,
            candidates: rank_matches(c, &known),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone as _};
    use hearth_domain::contact::{Address, Gender};
    use hearth_domain::referral::{ReferralConsent, Referrer, EARLY_HELP_NEEDS_CONSENT};

    use super::*;
    use crate::records::test_support::{self, sign_in_as};
    use crate::records::AUTHOR_FIELD;

    fn at(day: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap() + Duration::days(day)
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    async fn temp_store(dir: &std::path::Path) -> Store {
        test_support::temp_store(dir, at(0)).await
    }

    fn account(n: u128, roles: &[Role]) -> Account {
        test_support::account(n, roles, &[])
    }

    fn child(first: &str, dob: NaiveDate, estimated: bool) -> ReferralChild {
        ReferralChild {
            first_name: first.into(),
            last_name: "Testchild".into(),
            date_of_birth: Some(dob),
            date_of_birth_estimated: estimated,
            ethnicity: "white_british".into(),
            gender: Some(Gender::Female),
            address: Address {
                street: "Testing Row".into(),
                town: "Romford".into(),
                postcode: "RM1 3AB".into(),
                ..Address::default()
            },
            school: "Testbrook Primary".into(),
        }
    }

    /// An invented referral with every mandatory answer.
    fn complete(kind: ReferralType, consent: bool) -> ReferralDraft {
        ReferralDraft {
            referral_type: Some(kind),
            referrer: Referrer {
                name: "Sam Testworker".into(),
                role: "Designated safeguarding lead".into(),
                organisation: "Testbrook Primary".into(),
                phone: "01708123456".into(),
                phone_extension: String::new(),
                email: "sam.testworker@example.org.uk".into(),
                organisation_phone: String::new(),
            },
            children: vec![child("Zoë", d(2016, 3, 4), false)],
            household: vec![],
            concerns: "Zoë has missed 20 days of school this term.".into(),
            support_needed: "A family support worker.".into(),
            previous_references: vec![],
            consent: ReferralConsent {
                given: Some(consent),
                reason_not_given: if consent {
                    String::new()
                } else {
                    "Telling the parents could put the child at risk".into()
                },
            },
            unfinished_dates: Default::default(),
        }
    }

    async fn save_all(store: &Store, draft: &ReferralDraft, when: DateTime<Utc>) -> String {
        let mut id: Option<String> = None;
        for step in ReferralStep::ALL {
            let saved = save_referral_step(store, id.as_deref(), step, draft, when)
                .await
                .unwrap();
            id = Some(saved.id);
        }
        id.unwrap()
    }

    #[test]
    fn the_form_lists_five_pages_the_lists_and_the_triage_role() {
        let config = Config::builtin();
        let form = form_of(&config, None);
        assert_eq!(form.steps.len(), 5);
        assert_eq!(form.steps[0].title, "Type of referral and your details");
        assert_eq!(form.steps[4].number, 5);
        assert_eq!(form.ethnicities, config.ethnicities);
        assert_eq!(form.genders.len(), 7);
        assert_eq!(form.outcomes.len(), 6);
        assert_eq!(form.outcomes[2].code, "early_help");
        assert!(!form.mash_triage);
        let triage = account(5, &[Role::MashTriage]);
        assert!(form_of(&config, Some(&triage)).mash_triage);
        let practitioner = account(6, &[Role::Practitioner]);
        assert!(!form_of(&config, Some(&practitioner)).mash_triage);
    }

    #[tokio::test]
    async fn autosave_writes_one_page_and_reports_each_pages_errors() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let me = account(1, &[Role::Practitioner]);
        sign_in_as(&store, &me).await;
        let mut draft = ReferralDraft::default();
        draft.referrer.name = "Sam Testworker".into();
        // The children's page is in the draft but only the first page is saved.
        draft.children = vec![child("Zoë", d(2016, 3, 4), false)];
        let saved = save_referral_step(&store, None, ReferralStep::TypeAndReferrer, &draft, at(0))
            .await
            .unwrap();
        assert!(saved.reference.starts_with("LOCAL-"), "{}", saved.reference);
        assert!(saved.steps[0].saved);
        assert!(!saved.steps[1].saved);
        assert_eq!(saved.expires_at, at(30));
        let paths: Vec<&str> = saved.steps[0]
            .errors
            .iter()
            .map(|e| e.path.as_str())
            .collect();
        assert_eq!(
            paths,
            [
                "referral_type",
                "referrer.role",
                "referrer.organisation",
                "referrer.phone",
                "referrer.email"
            ]
        );
        let loaded = load_referral(&store, &saved.id, at(1)).await.unwrap();
        assert_eq!(loaded.draft.referrer.name, "Sam Testworker");
        assert!(loaded.draft.children.is_empty(), "page 2 not saved");
        assert_eq!(loaded.status, "draft");
        let record = store
            .load(saved.id.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            record.fields[AUTHOR_FIELD],
            Value::String(me.id.to_string())
        );

        // A half-typed date of birth is kept and named.
        draft.unfinished_dates.insert(
            "children[0].date_of_birth".into(),
            hearth_domain::plan::DateParts {
                day: "4".into(),
                month: "3".into(),
                year: String::new(),
            },
        );
        draft.children[0].date_of_birth = None;
        let again = save_referral_step(
            &store,
            Some(&saved.id),
            ReferralStep::Children,
            &draft,
            at(2),
        )
        .await
        .unwrap();
        assert_eq!(again.id, saved.id);
        assert_eq!(again.expires_at, at(32), "every save restarts the 30 days");
        assert_eq!(
            again.steps[1].errors,
            vec![FieldError::new(
                "children[0].date_of_birth",
                "The child's date of birth must include a year"
            )]
        );
        let loaded = load_referral(&store, &saved.id, at(2)).await.unwrap();
        assert_eq!(
            loaded.draft.unfinished_dates["children[0].date_of_birth"].day,
            "4"
        );
        assert_eq!(loaded.draft.referrer.name, "Sam Testworker", "nothing lost");
    }

    #[tokio::test]
    async fn early_help_without_consent_is_refused_and_safeguarding_goes_through() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        sign_in_as(&store, &account(1, &[Role::Practitioner])).await;

        // A blank referral lists every missing answer, as the domain says.
        let blank = save_referral_step(
            &store,
            None,
            ReferralStep::TypeAndReferrer,
            &ReferralDraft::default(),
            at(0),
        )
        .await
        .unwrap();
        let SubmitOutcome::Invalid { errors } =
            submit_referral(&store, &blank.id, at(0)).await.unwrap()
        else {
            panic!("a blank referral was submitted");
        };
        assert_eq!(
            errors,
            ReferralDraft::default().validate(&Config::builtin())
        );

        let eh = save_all(&store, &complete(ReferralType::EarlyHelp, false), at(1)).await;
        let SubmitOutcome::Invalid { errors } = submit_referral(&store, &eh, at(1)).await.unwrap()
        else {
            panic!("an early-help referral without consent was submitted");
        };
        assert_eq!(
            errors,
            vec![FieldError::new("consent.given", EARLY_HELP_NEEDS_CONSENT)]
        );
        assert_eq!(
            load_referral(&store, &eh, at(1)).await.unwrap().status,
            "draft"
        );

        let sg = save_all(&store, &complete(ReferralType::Safeguarding, false), at(1)).await;
        let SubmitOutcome::Submitted {
            reference,
            reference_is_permanent,
        } = submit_referral(&store, &sg, at(2)).await.unwrap()
        else {
            panic!("a safeguarding referral without consent was refused");
        };
        assert!(reference.starts_with("LOCAL-"));
        assert!(!reference_is_permanent);
        let loaded = load_referral(&store, &sg, at(3)).await.unwrap();
        assert_eq!(loaded.status, SUBMITTED);
        assert_eq!(
            loaded.expires_at, None,
            "a submitted referral never expires"
        );
        assert!(!loaded.can_record_outcome, "not MASH triage");

        // The submission is an edit of the `status` field, waiting in the outbox.
        let pending = store.pending_mutations(100).await.unwrap();
        let last = pending.last().unwrap();
        assert_eq!(last.record_id.to_string(), sg);
        assert_eq!(last.changes.len(), 1);
        assert_eq!(last.changes[0].field, "status");
        assert_eq!(last.changes[0].value, json!("submitted"));

        // Submitted: no more edits.
        let err = save_referral_step(
            &store,
            Some(&sg),
            ReferralStep::Concerns,
            &complete(ReferralType::Safeguarding, false),
            at(4),
        )
        .await
        .unwrap_err();
        assert!(err.message.contains("submitted"), "{}", err.message);
        // Early help with consent goes through too.
        let with_consent = save_all(&store, &complete(ReferralType::EarlyHelp, true), at(5)).await;
        assert!(matches!(
            submit_referral(&store, &with_consent, at(5)).await.unwrap(),
            SubmitOutcome::Submitted { .. }
        ));

        let mine = list_my_referrals(&store, at(6)).await.unwrap();
        assert_eq!(mine.len(), 4);
        let row = mine.iter().find(|r| r.id == sg).unwrap();
        assert_eq!(row.children, "Zoë Testchild");
        assert_eq!(row.referral_type, Some(ReferralType::Safeguarding));
        assert_eq!(row.referrer_organisation, "Testbrook Primary");
        assert_eq!(row.expires_at, None);
        let draft_row = mine.iter().find(|r| r.id == eh).unwrap();
        assert_eq!(draft_row.status, "draft");
        assert_eq!(draft_row.expires_at, Some(at(31)));
    }

    #[tokio::test]
    async fn drafts_warn_five_days_before_and_are_deleted_thirty_days_after_the_last_save() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        sign_in_as(&store, &account(1, &[Role::Practitioner])).await;
        let config_draft = complete(ReferralType::EarlyHelp, true);
        let old = save_all(&store, &config_draft, at(0)).await;
        let newer = save_all(&store, &config_draft, at(10)).await;
        let submitted = save_all(&store, &complete(ReferralType::Safeguarding, true), at(0)).await;
        submit_referral(&store, &submitted, at(0)).await.unwrap();
        let submitted_at = load_referral(&store, &submitted, at(0)).await.unwrap();
        assert_eq!(submitted_at.expires_at, None);

        // Day 24: nothing to say yet.
        assert!(expiring_drafts(&store, at(24)).await.unwrap().is_empty());
        // Day 25 and a half: the old draft has 4½ days left, shown as 5.
        let soon = expiring_drafts(&store, at(25) + Duration::hours(12))
            .await
            .unwrap();
        assert_eq!(soon.len(), 1);
        assert_eq!(soon[0].id, old);
        assert_eq!(soon[0].days_left, 5);
        assert_eq!(soon[0].expires_at, at(30));
        assert_eq!(soon[0].children, "Zoë Testchild");
        let last_day = expiring_drafts(&store, at(29) + Duration::hours(23))
            .await
            .unwrap();
        assert_eq!(last_day[0].days_left, 1);

        // Nothing is deleted before its time.
        assert_eq!(delete_expired_drafts(&store, at(29)).await.unwrap(), 0);
        // Day 30: the old draft goes (with a discard for the server); the newer draft and
        // the submitted referral stay.
        let before = store.counts().await.unwrap().pending_outbox;
        assert_eq!(delete_expired_drafts(&store, at(30)).await.unwrap(), 1);
        assert_eq!(store.counts().await.unwrap().pending_outbox, before + 1);
        assert_eq!(
            load_referral(&store, &old, at(30)).await.unwrap_err().code,
            ErrorCode::RecordNotFound
        );
        let left: Vec<String> = list_my_referrals(&store, at(30))
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(left.len(), 2);
        assert!(left.contains(&newer) && left.contains(&submitted));

        // A save restarts the 30 days: saved on day 35, the newer draft lives to day 65.
        save_referral_step(
            &store,
            Some(&newer),
            ReferralStep::Concerns,
            &config_draft,
            at(35),
        )
        .await
        .unwrap();
        assert_eq!(delete_expired_drafts(&store, at(64)).await.unwrap(), 0);
        assert_eq!(delete_expired_drafts(&store, at(65)).await.unwrap(), 1);
        assert_eq!(delete_expired_drafts(&store, at(400)).await.unwrap(), 0);
        assert!(load_referral(&store, &submitted, at(400)).await.is_ok());
    }

    #[tokio::test]
    async fn triage_sees_submitted_referrals_records_one_outcome_and_finds_matches() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let author = account(1, &[Role::Practitioner]);
        sign_in_as(&store, &author).await;
        // A draft, a submitted referral about Zoë (estimated DOB), and an older referral
        // and a plan that hold children who may be her.
        let draft_only = save_all(&store, &complete(ReferralType::EarlyHelp, true), at(0)).await;
        let mut about_zoe = complete(ReferralType::Safeguarding, false);
        about_zoe.children = vec![child("Zoë", d(2016, 6, 1), true)];
        let submitted = save_all(&store, &about_zoe, at(1)).await;
        submit_referral(&store, &submitted, at(1)).await.unwrap();
        let mut older = complete(ReferralType::EarlyHelp, true);
        older.children = vec![
            child("Zoë", d(2016, 3, 4), false),
            child("ZOË", d(2016, 6, 1), false),
            child("Zoë", d(2019, 1, 1), false),
            child("Owen", d(2016, 6, 1), false),
        ];
        let older_id = save_all(&store, &older, at(0)).await;
        submit_referral(&store, &older_id, at(0)).await.unwrap();
        let plan = crate::plans::tests::save_all(
            &store,
            &crate::plans::tests::complete(&Config::builtin()),
        )
        .await;

        // A practitioner has no tray.
        assert_eq!(
            tray(&store).await.unwrap_err().code,
            ErrorCode::InvalidInput
        );
        assert!(
            record_outcome(&store, &submitted, TriageOutcome::EarlyHelp, at(2))
                .await
                .is_err()
        );

        let triage = account(5, &[Role::MashTriage]);
        sign_in_as(&store, &triage).await;
        let rows = tray(&store).await.unwrap();
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [older_id.as_str(), submitted.as_str()],
            "no drafts; oldest first"
        );
        assert!(!ids.contains(&draft_only.as_str()));
        // Someone else's referrals are not "my referrals".
        assert!(list_my_referrals(&store, at(2)).await.unwrap().is_empty());

        let opened = load_referral(&store, &submitted, at(2)).await.unwrap();
        assert!(opened.can_record_outcome);

        // Matching: name case-insensitive, DOB within a year when estimated, closest first.
        let matches = matches_of(&store, &submitted).await.unwrap();
        assert_eq!(matches.len(), 1);
        assert!(matches[0].date_of_birth_estimated);
        let found: Vec<(String, u32, String)> = matches[0]
            .candidates
            .iter()
            .map(|c| (c.name.clone(), c.days_apart, c.record_label.clone()))
            .collect();
        // The older referral's ZOË (same date), then Zoë in the plan, the older referral
        // and the draft, 89 days apart; never the 2019 Zoë nor Owen.
        let referral = |name: &str, days| (name.to_owned(), days, "Referral".to_owned());
        assert_eq!(
            found,
            [
                referral("ZOË Testchild", 0),
                (
                    "Zoë Testchild".to_owned(),
                    89,
                    "Family Support Plan".to_owned()
                ),
                referral("Zoë Testchild", 89),
                referral("Zoë Testchild", 89),
            ]
        );
        assert_eq!(matches[0].candidates[1].record_id, plan);

        let done = record_outcome(&store, &submitted, TriageOutcome::EarlyHelp, at(3))
            .await
            .unwrap();
        assert_eq!(done.status, "outcome_recorded");
        assert_eq!(done.outcome, Some(TriageOutcome::EarlyHelp));
        assert!(!done.can_record_outcome);
        // The outcome is the one field triage may change: `status` as `{status, outcome}`.
        let last = store.pending_mutations(100).await.unwrap().pop().unwrap();
        assert_eq!(last.changes.len(), 1);
        assert_eq!(last.changes[0].field, "status");
        assert_eq!(last.changes[0].base, json!("submitted"));
        assert_eq!(
            last.changes[0].value,
            json!({"status": "outcome_recorded", "outcome": "early_help"})
        );
        let err = record_outcome(&store, &submitted, TriageOutcome::NoFurtherAction, at(4))
            .await
            .unwrap_err();
        assert!(err.message.contains("only once"));
        let rows = tray(&store).await.unwrap();
        assert_eq!(rows[1].id, submitted, "decided ones go to the bottom");
        assert_eq!(rows[1].outcome, Some(TriageOutcome::EarlyHelp));
    }

    #[test]
    fn an_exact_date_of_birth_matches_only_itself() {
        let known = |first: &str, dob: NaiveDate| Known {
            record_id: "r".into(),
            record_label: "Referral",
            reference: "REF".into(),
            first_name: first.into(),
            last_name: "testchild".into(),
            date_of_birth: dob,
            date_of_birth_estimated: false,
        };
        let exact = child("Zoë", d(2016, 3, 4), false);
        let all = [
            known("zoë", d(2016, 3, 4)),
            known("Zoë", d(2016, 3, 5)),
            known("Zoe", d(2016, 3, 4)),
        ];
        let found = rank_matches(&exact, &all);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].days_apart, 0);
        let loose = child("Zoë", d(2016, 3, 4), true);
        assert_eq!(rank_matches(&loose, &all).len(), 2);
        // A record whose date is itself a guess is looser too.
        let guessed = Known {
            date_of_birth_estimated: true,
            ..known("Zoë", d(2016, 6, 4))
        };
        let found = rank_matches(&exact, &[guessed]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].days_apart, 92);
        assert!(found[0].date_of_birth_estimated);
    }

    #[tokio::test]
    async fn other_kinds_and_bad_ids_are_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let plan = store
            .save_step(StepSave::new(None, RecordKind::Plan, 1, json!({}), at(0)))
            .await
            .unwrap()
            .record_id
            .to_string();
        for result in [
            load_referral(&store, &plan, at(0)).await.map(|_| ()),
            load_referral(&store, "nope", at(0)).await.map(|_| ()),
            save_referral_step(
                &store,
                Some(&plan),
                ReferralStep::Concerns,
                &ReferralDraft::default(),
                at(0),
            )
            .await
            .map(|_| ()),
            submit_referral(&store, &plan, at(0)).await.map(|_| ()),
        ] {
            assert_eq!(result.unwrap_err().code, ErrorCode::RecordNotFound);
        }
    }
}
