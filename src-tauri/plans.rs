//! The Family Support Plan in the app (seed 001): the wizard's autosave and step checks,
//! "Finish", "My plans", the plan view, and reviews (which may close a plan).
//!
//! Every command is a thin wrapper over a function taking `&AppState`, tested without a
//! window. The store is the truth: the wizard sends the whole draft it edits, and a save
//! writes only the top-level fields of the step being edited (one outbox row when
//! something changed), then answers with every step's state read back from the store.
//!
//! Validation messages come from `hearth-domain`, verbatim. A form with errors is not a
//! failure of the command: the errors come back in the `Ok` value, with the field paths
//! the UI turns into element ids.

use chrono::{DateTime, NaiveDate, Utc};
use hearth_domain::config::ListItem;
use hearth_domain::contact::Gender;
use hearth_domain::plan::{Plan, PlanDraft, PlanEvent, PlanStatus, WizardStep};
use hearth_domain::review::{Review, ReviewDraft};
use hearth_domain::search::{lenient_draft, plan_terms};
use hearth_domain::{Config, FieldError, RecordKind};
use hearth_store::{status, Draft, RecordId, StepSave, Store};
use serde::Serialize;
use serde_json::Value;
use specta::Type;
use tauri::State;

use crate::error::{AppError, ErrorCode};
use crate::records::{page_fields, reference_of, to_object};
use crate::state::AppState;

/// One wizard step as the task list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StepInfo {
    pub step: WizardStep,
    /// 1 to 9.
    pub number: u8,
    /// The question page's heading (`WizardStep::title`).
    pub title: String,
}

/// An option of a fixed list (gender) as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

/// Everything the plan forms need to draw themselves: steps and configured lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanForm {
    pub steps: Vec<StepInfo>,
    pub agencies: Vec<ListItem>,
    pub prompting_reasons: Vec<ListItem>,
    pub aspects_of_life: Vec<ListItem>,
    pub focus_areas: Vec<ListItem>,
    pub closure_reasons: Vec<ListItem>,
    pub genders: Vec<Choice>,
}

/// A step's state read back from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StepState {
    pub step: WizardStep,
    /// Something on this step has been saved at least once.
    pub saved: bool,
    /// What is wrong with it now (empty when it is complete).
    pub errors: Vec<FieldError>,
}

/// A review of the plan, as the plan view lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRow {
    pub id: String,
    pub status: String,
    pub held_on: Option<NaiveDate>,
    pub closes_plan: bool,
    pub last_saved_at: DateTime<Utc>,
}

/// A plan with all its answers.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanRecord {
    pub id: String,
    /// The server's permanent reference once synced, else the provisional local one.
    pub reference: String,
    pub reference_is_permanent: bool,
    /// `draft`, `completed` or `closed`.
    pub status: String,
    pub draft: PlanDraft,
    pub steps: Vec<StepState>,
    pub last_saved_at: DateTime<Utc>,
    /// The plan's reviews, newest first.
    pub reviews: Vec<ReviewRow>,
}

/// What a wizard autosave did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanSaved {
    pub id: String,
    pub reference: String,
    pub reference_is_permanent: bool,
    pub status: String,
    pub steps: Vec<StepState>,
    pub last_saved_at: DateTime<Utc>,
}

/// What "Finish" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum FinishOutcome {
    /// The plan is completed; `reference` is the one to show (provisional until synced).
    #[serde(rename_all = "camelCase")]
    Finished {
        reference: String,
        reference_is_permanent: bool,
    },
    /// Something is still missing or wrong: every error, in step order.
    Invalid { errors: Vec<FieldError> },
}

/// One row of "My plans".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanRow {
    pub id: String,
    pub reference: String,
    pub reference_is_permanent: bool,
    pub status: String,
    pub family_name: String,
    pub child_first_name: String,
    pub child_last_name: String,
    pub child_date_of_birth: Option<NaiveDate>,
    pub postcode: String,
    pub next_review: Option<NaiveDate>,
    pub last_saved_at: DateTime<Utc>,
}

/// A review being written.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRecord {
    pub id: String,
    pub plan_id: String,
    pub status: String,
    pub draft: ReviewDraft,
    pub errors: Vec<FieldError>,
}

/// What "Save review" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum ReviewOutcome {
    /// The review is completed and the plan updated (and closed, if the review closes it).
    #[serde(rename_all = "camelCase")]
    Completed {
        plan_id: String,
        plan_status: String,
    },
    Invalid {
        errors: Vec<FieldError>,
    },
}

// ---------------------------------------------------------------------------------------
// Commands

/// The wizard's steps and the configured lists.
#[tauri::command]
#[specta::specta]
pub async fn plan_form() -> Result<PlanForm, AppError> {
    Ok(form_of(&Config::builtin()))
}

/// A plan with all its answers, its steps' states and its reviews.
#[tauri::command]
#[specta::specta]
pub async fn plan_load(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<PlanRecord, AppError> {
    load_plan(&state.open_store().await?, &record_id).await
}

/// Autosave: writes the fields of `step` from `draft` (a new plan when `record_id` is
/// `None`) and answers with every step's state.
#[tauri::command]
#[specta::specta]
pub async fn plan_save(
    state: State<'_, AppState>,
    record_id: Option<String>,
    step: WizardStep,
    draft: PlanDraft,
) -> Result<PlanSaved, AppError> {
    let store = state.open_store().await?;
    save_plan_step(&store, record_id.as_deref(), step, &draft, Utc::now()).await
}

/// "Finish": the plan becomes completed if every step is valid.
#[tauri::command]
#[specta::specta]
pub async fn plan_finish(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<FinishOutcome, AppError> {
    let store = state.open_store().await?;
    finish_plan(&store, &record_id, Utc::now()).await
}

/// "My plans": every plan, or those matching `query` (surname, forename, postcode,
/// reference or date of birth).
#[tauri::command]
#[specta::specta]
pub async fn plans_list(
    state: State<'_, AppState>,
    query: String,
) -> Result<Vec<PlanRow>, AppError> {
    list_plans(&state.open_store().await?, &query).await
}

/// "Add a review": a new review of a completed plan, prefilled from it.
#[tauri::command]
#[specta::specta]
pub async fn review_start(
    state: State<'_, AppState>,
    plan_id: String,
) -> Result<ReviewRecord, AppError> {
    let store = state.open_store().await?;
    start_review(&store, &plan_id, Utc::now()).await
}

/// A review with its answers and what is still wrong with it.
#[tauri::command]
#[specta::specta]
pub async fn review_load(
    state: State<'_, AppState>,
    review_id: String,
) -> Result<ReviewRecord, AppError> {
    load_review(&state.open_store().await?, &review_id).await
}

/// Autosave of a review; answers with what is still wrong with it.
#[tauri::command]
#[specta::specta]
pub async fn review_save(
    state: State<'_, AppState>,
    review_id: String,
    draft: ReviewDraft,
) -> Result<Vec<FieldError>, AppError> {
    let store = state.open_store().await?;
    save_review(&store, &review_id, &draft, Utc::now()).await
}

/// Completes a review: the plan takes the review's updates, and closes if the review says so.
#[tauri::command]
#[specta::specta]
pub async fn review_finish(
    state: State<'_, AppState>,
    review_id: String,
) -> Result<ReviewOutcome, AppError> {
    let store = state.open_store().await?;
    finish_review(&store, &review_id, Utc::now()).await
}

// ---------------------------------------------------------------------------------------
// Logic, testable without a window

pub(crate) fn form_of(config: &Config) -> PlanForm {
    PlanForm {
        steps: WizardStep::ALL
            .iter()
            .map(|s| StepInfo {
                step: *s,
                number: s.number(),
                title: s.title().to_owned(),
            })
            .collect(),
        agencies: config.agencies.clone(),
        prompting_reasons: config.prompting_reasons.clone(),
        aspects_of_life: config.aspects_of_life.clone(),
        focus_areas: config.focus_areas.clone(),
        closure_reasons: config.closure_reasons.clone(),
        genders: Gender::ALL
            .iter()
            .map(|g| Choice {
                code: serde_json::to_value(g)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                label: g.label().to_owned(),
            })
            .collect(),
    }
}

/// The top-level draft fields each step edits.
pub(crate) fn step_keys(step: WizardStep) -> &'static [&'static str] {
    match step {
        WizardStep::ConsentAndPractitioner => &["consent", "practitioner"],
        WizardStep::FocusChildAndParent => &["focus_child", "main_parent", "second_parent"],
        WizardStep::FamilyMembers => &["family_members"],
        WizardStep::ContactsAndKeyInformation => &["contacts"],
        WizardStep::FamilyStory => &["family_story"],
        WizardStep::ChildStory => &["child_stories"],
        WizardStep::AspectsOfLife => &["aspects"],
        WizardStep::SummaryAndFamilyPlan => &["practitioner_summary", "family_plan"],
        WizardStep::FamilyNameAndReview => &["family_name", "next_review"],
    }
}

fn step_fields(step: WizardStep, draft: &PlanDraft) -> Result<Value, AppError> {
    page_fields(draft, step_keys(step)).map(Value::Object)
}

pub(crate) fn not_found() -> AppError {
    missing(RecordKind::Plan)
}

/// "Not on this device", in the words of each kind of record.
pub(crate) fn missing(kind: RecordKind) -> AppError {
    AppError::new(
        ErrorCode::RecordNotFound,
        match kind {
            RecordKind::Referral => {
                "This referral is no longer on this device. Drafts are deleted 30 days after they were last saved."
            }
            RecordKind::Request => "This request for support is not on this device.",
            RecordKind::Task => {
                "This task is no longer on this device. It may have been re-assigned to someone else."
            }
            _ => "This plan is no longer on this device. It may have been discarded.",
        },
    )
}

fn parse_id(id: &str) -> Result<RecordId, AppError> {
    crate::records::parse_id(id, RecordKind::Plan)
}

/// The list label: the family name, else the focus child's name.
pub(crate) fn title_of(draft: &PlanDraft) -> Option<String> {
    let family = draft.family_name.trim();
    if !family.is_empty() {
        return Some(format!("{family} family"));
    }
    let child = format!(
        "{} {}",
        draft.focus_child.first_name.trim(),
        draft.focus_child.last_name.trim()
    );
    let child = child.trim();
    (!child.is_empty()).then(|| child.to_owned())
}

pub(crate) fn steps_of(draft: &PlanDraft, saved: &[u32], config: &Config) -> Vec<StepState> {
    WizardStep::ALL
        .iter()
        .map(|s| StepState {
            step: *s,
            saved: saved.contains(&u32::from(s.number())),
            errors: draft.validate_step(*s, config),
        })
        .collect()
}

fn plan_of(record: &Draft) -> PlanDraft {
    lenient_draft::<PlanDraft>(&record.fields).0
}

pub(crate) async fn load_kind(
    store: &Store,
    id: &str,
    kind: RecordKind,
) -> Result<Draft, AppError> {
    let id: RecordId = id.parse().map_err(|_| missing(kind))?;
    let record = store.load(id).await?.ok_or_else(|| missing(kind))?;
    if record.summary.kind != kind {
        return Err(missing(kind));
    }
    Ok(record)
}

pub(crate) async fn load_plan(store: &Store, id: &str) -> Result<PlanRecord, AppError> {
    let record = load_kind(store, id, RecordKind::Plan).await?;
    let config = Config::builtin();
    let draft = plan_of(&record);
    let (reference, reference_is_permanent) = reference_of(&record.summary);
    Ok(PlanRecord {
        id: record.summary.id.to_string(),
        reference,
        reference_is_permanent,
        status: record.summary.status.clone(),
        steps: steps_of(&draft, &record.summary.steps_saved, &config),
        draft,
        last_saved_at: record.summary.last_saved_at,
        reviews: reviews_of(store, record.summary.id).await?,
    })
}

async fn reviews_of(store: &Store, plan: RecordId) -> Result<Vec<ReviewRow>, AppError> {
    let rows = store
        .list_columns(
            RecordKind::Review,
            None,
            &["$.plan_id", "$.held_on", "$.next_steps"],
        )
        .await?;
    let plan = plan.to_string();
    Ok(rows
        .into_iter()
        .filter(|r| r.values[0].as_str() == Some(plan.as_str()))
        .map(|r| ReviewRow {
            id: r.summary.id.to_string(),
            status: r.summary.status.clone(),
            held_on: serde_json::from_value(r.values[1].clone()).ok().flatten(),
            closes_plan: r.values[2].as_str() == Some("close"),
            last_saved_at: r.summary.last_saved_at,
        })
        .collect())
}

pub(crate) async fn save_plan_step(
    store: &Store,
    record_id: Option<&str>,
    step: WizardStep,
    draft: &PlanDraft,
    at: DateTime<Utc>,
) -> Result<PlanSaved, AppError> {
    let id = record_id.map(parse_id).transpose()?;
    if let Some(id) = id {
        // Only plans: the wizard must not write plan fields into another kind of record.
        match store.load(id).await? {
            Some(r) if r.summary.kind != RecordKind::Plan => return Err(not_found()),
            Some(r) if r.summary.status == status::CLOSED => {
                return Err(AppError::new(
                    ErrorCode::StoreFailed,
                    "This plan is closed, so it cannot be changed. Start a new plan instead.",
                ))
            }
            _ => {}
        }
    }
    let saved = store
        .save_step(StepSave {
            title: title_of(draft),
            search: Some(plan_terms(draft)),
            ..StepSave::new(
                id,
                RecordKind::Plan,
                u32::from(step.number()),
                step_fields(step, draft)?,
                at,
            )
        })
        .await?;
    let record = store.load(saved.record_id).await?.ok_or_else(not_found)?;
    let (reference, reference_is_permanent) = reference_of(&record.summary);
    let stored = plan_of(&record);
    tracing::debug!(record = %saved.record_id, step = step.number(), "plan step saved");
    Ok(PlanSaved {
        id: saved.record_id.to_string(),
        reference,
        reference_is_permanent,
        status: record.summary.status.clone(),
        steps: steps_of(&stored, &record.summary.steps_saved, &Config::builtin()),
        last_saved_at: record.summary.last_saved_at,
    })
}

fn plan_status(s: &str) -> Option<PlanStatus> {
    match s {
        status::DRAFT => Some(PlanStatus::Draft),
        status::COMPLETED => Some(PlanStatus::Completed),
        status::CLOSED => Some(PlanStatus::Closed),
        _ => None,
    }
}

pub(crate) async fn finish_plan(
    store: &Store,
    id: &str,
    at: DateTime<Utc>,
) -> Result<FinishOutcome, AppError> {
    let record = load_kind(store, id, RecordKind::Plan).await?;
    let config = Config::builtin();
    if let Err(errors) = Plan::parse(plan_of(&record), &config) {
        return Ok(FinishOutcome::Invalid {
            errors: errors.into_vec(),
        });
    }
    let current = plan_status(&record.summary.status);
    if current != Some(PlanStatus::Completed) {
        current
            .unwrap_or(PlanStatus::Draft)
            .apply(PlanEvent::Finish)
            .map_err(|e| AppError::new(ErrorCode::StoreFailed, format!("{e}")))?;
        store
            .set_status(record.summary.id, status::COMPLETED, at)
            .await?;
    }
    tracing::info!(record = %record.summary.id, "plan finished");
    let (reference, reference_is_permanent) = reference_of(&record.summary);
    Ok(FinishOutcome::Finished {
        reference,
        reference_is_permanent,
    })
}

const ROW_PATHS: [&str; 6] = [
    "$.family_name",
    "$.focus_child.first_name",
    "$.focus_child.last_name",
    "$.focus_child.date_of_birth",
    "$.main_parent.address.postcode",
    "$.next_review.date",
];

pub(crate) async fn list_plans(store: &Store, query: &str) -> Result<Vec<PlanRow>, AppError> {
    let query = query.trim();
    let rows = store
        .list_columns(
            RecordKind::Plan,
            (!query.is_empty()).then_some(query),
            &ROW_PATHS,
        )
        .await?;
    let text = |v: &Value| v.as_str().unwrap_or_default().trim().to_owned();
    let date = |v: &Value| {
        serde_json::from_value::<Option<NaiveDate>>(v.clone())
            .ok()
            .flatten()
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let (reference, reference_is_permanent) = reference_of(&r.summary);
            PlanRow {
                id: r.summary.id.to_string(),
                reference,
                reference_is_permanent,
                status: r.summary.status.clone(),
                family_name: text(&r.values[0]),
                child_first_name: text(&r.values[1]),
                child_last_name: text(&r.values[2]),
                child_date_of_birth: date(&r.values[3]),
                postcode: text(&r.values[4]),
                next_review: date(&r.values[5]),
                last_saved_at: r.summary.last_saved_at,
            }
        })
        .collect())
}

fn review_errors(draft: &ReviewDraft) -> Vec<FieldError> {
    draft.validate(&Config::builtin())
}

fn review_record(record: &Draft) -> ReviewRecord {
    let draft = lenient_draft::<ReviewDraft>(&record.fields).0;
    ReviewRecord {
        id: record.summary.id.to_string(),
        plan_id: record
            .fields
            .get("plan_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        status: record.summary.status.clone(),
        errors: review_errors(&draft),
        draft,
    }
}

pub(crate) async fn start_review(
    store: &Store,
    plan_id: &str,
    at: DateTime<Utc>,
) -> Result<ReviewRecord, AppError> {
    let record = load_kind(store, plan_id, RecordKind::Plan).await?;
    if record.summary.status != status::COMPLETED {
        return Err(AppError::new(
            ErrorCode::StoreFailed,
            "Only a completed plan can be reviewed. Finish the plan first.",
        ));
    }
    let plan = Plan::parse(plan_of(&record), &Config::builtin()).map_err(|_| {
        AppError::new(
            ErrorCode::StoreFailed,
            "This plan has answers missing, so it cannot be reviewed yet. Change the plan first.",
        )
    })?;
    let draft = ReviewDraft::prefilled_from(&plan);
    let mut fields = to_object(&draft)?;
    fields.insert(
        "plan_id".to_owned(),
        Value::String(record.summary.id.to_string()),
    );
    let saved = store
        .save_step(StepSave {
            title: title_of(plan.content()),
            search: Some(plan_terms(plan.content())),
            ..StepSave::new(None, RecordKind::Review, 1, Value::Object(fields), at)
        })
        .await?;
    load_review(store, &saved.record_id.to_string()).await
}

pub(crate) async fn load_review(store: &Store, id: &str) -> Result<ReviewRecord, AppError> {
    Ok(review_record(
        &load_kind(store, id, RecordKind::Review).await?,
    ))
}

pub(crate) async fn save_review(
    store: &Store,
    id: &str,
    draft: &ReviewDraft,
    at: DateTime<Utc>,
) -> Result<Vec<FieldError>, AppError> {
    let record = load_kind(store, id, RecordKind::Review).await?;
    if record.summary.status != status::DRAFT {
        return Err(AppError::new(
            ErrorCode::StoreFailed,
            "This review is already completed, so it cannot be changed.",
        ));
    }
    store
        .save_step(StepSave::new(
            Some(record.summary.id),
            RecordKind::Review,
            1,
            Value::Object(to_object(draft)?),
            at,
        ))
        .await?;
    Ok(review_errors(draft))
}

pub(crate) async fn finish_review(
    store: &Store,
    id: &str,
    at: DateTime<Utc>,
) -> Result<ReviewOutcome, AppError> {
    let record = load_kind(store, id, RecordKind::Review).await?;
    let rr = review_record(&record);
    let config = Config::builtin();
    let review = match Review::parse(rr.draft, &config) {
        Ok(r) => r,
        Err(errors) => {
            return Ok(ReviewOutcome::Invalid {
                errors: errors.into_vec(),
            })
        }
    };
    let plan = load_kind(store, &rr.plan_id, RecordKind::Plan).await?;
    let plan_now = plan_status(&plan.summary.status).unwrap_or(PlanStatus::Draft);
    let next_status = match review.plan_event() {
        Some(event) => plan_now
            .apply(event)
            .map_err(|e| AppError::new(ErrorCode::StoreFailed, format!("{e}")))?,
        None => plan_now,
    };
    // The plan takes the review's updates, step by step (unchanged steps write nothing).
    let updated = review.updated_plan().clone();
    for step in WizardStep::ALL {
        store
            .save_step(StepSave {
                title: title_of(&updated),
                search: Some(plan_terms(&updated)),
                ..StepSave::new(
                    Some(plan.summary.id),
                    RecordKind::Plan,
                    u32::from(step.number()),
                    step_fields(step, &updated)?,
                    at,
                )
            })
            .await?;
    }
    if next_status == PlanStatus::Closed {
        store
            .set_status(plan.summary.id, status::CLOSED, at)
            .await?;
    }
    store
        .set_status(record.summary.id, status::COMPLETED, at)
        .await?;
    tracing::info!(review = %record.summary.id, plan = %plan.summary.id, closed = next_status == PlanStatus::Closed, "review completed");
    Ok(ReviewOutcome::Completed {
        plan_id: plan.summary.id.to_string(),
        plan_status: match next_status {
            PlanStatus::Closed => status::CLOSED,
            PlanStatus::Completed => status::COMPLETED,
            PlanStatus::Draft => status::DRAFT,
        }
        .to_owned(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{NaiveTime, TimeZone as _};
    use hearth_domain::contact::Address;
    use hearth_domain::plan::{
        AspectEntry, FamilyMember, NextReview, Parent, PlanLine, ScoreInput,
    };
    use hearth_domain::review::{Attendee, LineProgressStatus, NextSteps};
    use hearth_store::{DatabaseKey, KeyStorage};

    use super::*;
    use crate::records::SHARED_KEYS;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 10, minute, 0).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    async fn temp_store(dir: &std::path::Path) -> Store {
        let key = DatabaseKey::from_bytes([9; 32]);
        Store::open_or_create(dir, KeyStorage::Supplied { key }, at(0))
            .await
            .unwrap()
    }

    /// An invented, complete plan.
    pub(crate) fn complete(config: &Config) -> PlanDraft {
        let mut p = PlanDraft::default();
        p.consent.agrees_to_share = true;
        p.practitioner.name = "Sam Testworker".into();
        p.practitioner.agency = "school".into();
        p.practitioner.prompting = "family_request".into();
        p.practitioner.phone = "02392123456".into();
        p.practitioner.email = "sam.testworker@example.org.uk".into();
        p.focus_child.first_name = "Zoë".into();
        p.focus_child.last_name = "Testchild".into();
        p.focus_child.date_of_birth = Some(d(2016, 3, 4));
        p.focus_child.gender = Some(Gender::Female);
        p.main_parent = Parent {
            first_name: "Alex".into(),
            last_name: "Testparent".into(),
            address: Address {
                street: "Testing Row".into(),
                town: "Portsmouth".into(),
                postcode: "PO1 2AB".into(),
                ..Address::default()
            },
            ..Parent::default()
        };
        p.family_members = vec![FamilyMember {
            relationship: "Brother".into(),
            first_name: "Owen".into(),
            last_name: "Samplechild".into(),
            ..FamilyMember::default()
        }];
        p.aspects = config
            .aspects_of_life
            .iter()
            .map(|a| {
                (
                    a.code.clone(),
                    AspectEntry {
                        score: Some(ScoreInput::Score(5)),
                        note: String::new(),
                    },
                )
            })
            .collect();
        p.family_plan = vec![PlanLine {
            focus_area: "education".into(),
            need: "Getting to school on time".into(),
            action: "Morning routine chart".into(),
            who: "Mum".into(),
            by_when: Some(d(2027, 1, 15)),
            score: Some(4),
        }];
        p.family_name = "Testchild".into();
        p.next_review = NextReview {
            date: Some(d(2027, 2, 1)),
            time: NaiveTime::from_hms_opt(10, 30, 0),
            location: "Testtown Family Hub".into(),
        };
        p
    }

    pub(crate) async fn save_all(store: &Store, draft: &PlanDraft) -> String {
        let mut id: Option<String> = None;
        for (i, step) in WizardStep::ALL.into_iter().enumerate() {
            let saved = save_plan_step(store, id.as_deref(), step, draft, at(i as u32 + 1))
                .await
                .unwrap();
            id = Some(saved.id);
        }
        id.unwrap()
    }

    #[test]
    fn every_draft_field_belongs_to_exactly_one_step_or_is_shared() {
        let all = to_object(&PlanDraft::default()).unwrap();
        let mut keys: Vec<&str> = WizardStep::ALL
            .iter()
            .flat_map(|s| step_keys(*s).iter().copied())
            .chain(SHARED_KEYS)
            .collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), before, "a field is in two steps");
        let mut fields: Vec<&str> = all.keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(keys, fields);
    }

    #[test]
    fn step_keys_agree_with_the_domain() {
        for step in WizardStep::ALL {
            for key in step_keys(step) {
                assert_eq!(WizardStep::of_field(key), Some(step), "{key}");
            }
        }
        for key in SHARED_KEYS {
            assert_eq!(WizardStep::of_field(key), None, "{key}");
        }
    }

    /// The review page's meeting date, as the wizard's dates: a day and a month with no
    /// year is saved as typed, comes back on reload, and is reported by the field's name
    /// (also by "Complete the review") until it is whole.
    #[tokio::test]
    async fn a_half_typed_meeting_date_is_kept_in_the_review() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let config = Config::builtin();
        let id = save_all(&store, &complete(&config)).await;
        finish_plan(&store, &id, at(31)).await.unwrap();
        let review = start_review(&store, &id, at(32)).await.unwrap();
        let mut draft = review.draft.clone();
        draft.attendees = vec![Attendee {
            name: "Alex Testparent".into(),
            role: "Parent".into(),
        }];
        draft.line_progress[0].status = Some(LineProgressStatus::Achieved);
        draft.next_steps = Some(NextSteps::Close);
        draft.closure_reason = "outcomes_achieved".into();
        draft.unfinished_dates.insert(
            "held_on".into(),
            hearth_domain::plan::DateParts {
                day: "14".into(),
                month: "3".into(),
                year: String::new(),
            },
        );
        let named = FieldError::new(
            "held_on",
            "The date of the review meeting must include a year",
        );
        let errors = save_review(&store, &review.id, &draft, at(33))
            .await
            .unwrap();
        assert_eq!(errors, vec![named.clone()]);
        let loaded = load_review(&store, &review.id).await.unwrap();
        assert_eq!(loaded.draft.unfinished_dates["held_on"].day, "14");
        assert_eq!(loaded.draft.unfinished_dates["held_on"].month, "3");
        assert_eq!(loaded.draft.held_on, None);
        assert_eq!(loaded.errors, vec![named.clone()]);
        let ReviewOutcome::Invalid { errors } =
            finish_review(&store, &review.id, at(34)).await.unwrap()
        else {
            panic!("a review with a half-typed meeting date completed");
        };
        assert_eq!(errors, vec![named]);

        // Finished (the window drops the parts once the three make a date).
        draft.unfinished_dates.clear();
        draft.held_on = Some(d(2027, 3, 14));
        assert!(save_review(&store, &review.id, &draft, at(35))
            .await
            .unwrap()
            .is_empty());
        let outcome = finish_review(&store, &review.id, at(36)).await.unwrap();
        assert!(
            matches!(outcome, ReviewOutcome::Completed { .. }),
            "{outcome:?}"
        );
    }

    /// Issue 5: a date with a day and a month but no year was saved as blank (the typing
    /// lost, "Enter the date of birth" shown). It is kept, across a reload, and its error
    /// names the field; finishing the date clears it.
    #[tokio::test]
    async fn a_half_typed_date_is_kept_and_reported_until_it_is_finished() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let mut draft = PlanDraft::default();
        draft.focus_child.first_name = "Zoë".into();
        draft.unfinished_dates.insert(
            "focus_child.date_of_birth".into(),
            hearth_domain::plan::DateParts {
                day: "14".into(),
                month: "3".into(),
                year: String::new(),
            },
        );
        let saved = save_plan_step(&store, None, WizardStep::FocusChildAndParent, &draft, at(1))
            .await
            .unwrap();
        let focus = &saved.steps[1];
        assert!(
            focus.errors.contains(&FieldError::new(
                "focus_child.date_of_birth",
                "The child's date of birth must include a year"
            )),
            "{:?}",
            focus.errors
        );
        let loaded = load_plan(&store, &saved.id).await.unwrap();
        assert_eq!(
            loaded.draft.unfinished_dates["focus_child.date_of_birth"].day,
            "14"
        );
        assert_eq!(loaded.draft.focus_child.date_of_birth, None);

        // Another step's save keeps it (every save carries the whole map).
        save_plan_step(
            &store,
            Some(&saved.id),
            WizardStep::FamilyStory,
            &loaded.draft,
            at(2),
        )
        .await
        .unwrap();
        let mut again = load_plan(&store, &saved.id).await.unwrap().draft;
        assert_eq!(again.unfinished_dates.len(), 1);

        // Finished: the UI sends the date and drops the parts; the error is the usual one no more.
        again.unfinished_dates.clear();
        again.focus_child.date_of_birth = Some(d(2016, 3, 14));
        let done = save_plan_step(
            &store,
            Some(&saved.id),
            WizardStep::FocusChildAndParent,
            &again,
            at(3),
        )
        .await
        .unwrap();
        assert!(!done.steps[1]
            .errors
            .iter()
            .any(|e| e.path == "focus_child.date_of_birth"));
        assert!(load_plan(&store, &saved.id)
            .await
            .unwrap()
            .draft
            .unfinished_dates
            .is_empty());
    }

    #[test]
    fn the_form_lists_nine_steps_and_the_configured_lists() {
        let config = Config::builtin();
        let form = form_of(&config);
        assert_eq!(form.steps.len(), 9);
        assert_eq!(form.steps[0].title, "Consent and practitioner");
        assert_eq!(form.steps[8].number, 9);
        assert_eq!(form.aspects_of_life, config.aspects_of_life);
        assert_eq!(form.genders.len(), 7);
        assert_eq!(
            form.genders[1],
            Choice {
                code: "gender_dysphoria".into(),
                label: "Gender Dysphoria".into()
            }
        );
    }

    #[test]
    fn search_terms_hold_every_name_postcode_and_date_of_birth_once() {
        let config = Config::builtin();
        let t = plan_terms(&complete(&config));
        assert_eq!(t.surnames, ["Testchild", "Testparent", "Samplechild"]);
        assert_eq!(t.forenames, ["Zoë", "Alex", "Owen"]);
        assert_eq!(t.postcodes, ["PO1 2AB"]);
        assert_eq!(t.dates_of_birth, [d(2016, 3, 4)]);
        assert_eq!(
            title_of(&complete(&config)).as_deref(),
            Some("Testchild family")
        );
        let mut no_family = complete(&config);
        no_family.family_name = " ".into();
        assert_eq!(title_of(&no_family).as_deref(), Some("Zoë Testchild"));
        assert_eq!(title_of(&PlanDraft::default()), None);
    }

    #[tokio::test]
    async fn autosave_writes_one_step_and_reports_each_steps_state() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let mut draft = PlanDraft::default();
        draft.practitioner.name = "Sam Testworker".into();
        // Step 2's answers are in the draft but only step 1 is being saved.
        draft.focus_child.first_name = "Zoë".into();
        let saved = save_plan_step(
            &store,
            None,
            WizardStep::ConsentAndPractitioner,
            &draft,
            at(1),
        )
        .await
        .unwrap();
        assert!(saved.reference.starts_with("LOCAL-FSP-"));
        assert!(!saved.reference_is_permanent);
        assert_eq!(saved.status, "draft");
        assert!(saved.steps[0].saved);
        assert!(!saved.steps[1].saved);
        assert!(saved.steps[0]
            .errors
            .iter()
            .any(|e| e.path == "practitioner.agency" && e.message == "Select your agency"));

        let loaded = load_plan(&store, &saved.id).await.unwrap();
        assert_eq!(loaded.draft.practitioner.name, "Sam Testworker");
        assert_eq!(loaded.draft.focus_child.first_name, "", "step 2 not saved");

        // A fix on step 1 clears its errors; nothing lost.
        draft.practitioner.agency = "school".into();
        let again = save_plan_step(
            &store,
            Some(&saved.id),
            WizardStep::ConsentAndPractitioner,
            &draft,
            at(2),
        )
        .await
        .unwrap();
        assert_eq!(again.id, saved.id);
        assert!(!again.steps[0]
            .errors
            .iter()
            .any(|e| e.path == "practitioner.agency"));
        let loaded = load_plan(&store, &saved.id).await.unwrap();
        assert_eq!(loaded.draft.practitioner.agency, "school");
        assert_eq!(loaded.draft.practitioner.name, "Sam Testworker");
    }

    #[tokio::test]
    async fn finish_lists_every_missing_answer_then_completes_the_plan() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let config = Config::builtin();
        let mut draft = complete(&config);
        draft.family_plan.clear();
        draft.next_review.location.clear();
        let id = save_all(&store, &draft).await;
        let FinishOutcome::Invalid { errors } = finish_plan(&store, &id, at(20)).await.unwrap()
        else {
            panic!("an incomplete plan finished");
        };
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["family_plan", "next_review.location"]);
        assert_eq!(
            load_plan(&store, &id).await.unwrap().status,
            "draft",
            "still a draft"
        );

        let draft = complete(&config);
        for step in [
            WizardStep::SummaryAndFamilyPlan,
            WizardStep::FamilyNameAndReview,
        ] {
            save_plan_step(&store, Some(&id), step, &draft, at(21))
                .await
                .unwrap();
        }
        let outcome = finish_plan(&store, &id, at(22)).await.unwrap();
        let FinishOutcome::Finished {
            reference,
            reference_is_permanent,
        } = outcome
        else {
            panic!("a complete plan did not finish");
        };
        assert!(reference.starts_with("LOCAL-FSP-"));
        assert!(!reference_is_permanent);
        let plan = load_plan(&store, &id).await.unwrap();
        assert_eq!(plan.status, "completed");
        assert!(plan.steps.iter().all(|s| s.saved && s.errors.is_empty()));

        // The server's permanent reference replaces the provisional one once synced.
        store
            .set_server_reference(id.parse().unwrap(), "FSP-000123")
            .await
            .unwrap();
        let plan = load_plan(&store, &id).await.unwrap();
        assert_eq!(plan.reference, "FSP-000123");
        assert!(plan.reference_is_permanent);
    }

    #[tokio::test]
    async fn my_plans_lists_and_searches_by_name_postcode_reference_and_date_of_birth() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let config = Config::builtin();
        let first = save_all(&store, &complete(&config)).await;
        let mut other = complete(&config);
        other.focus_child.first_name = "Priya".into();
        other.focus_child.last_name = "Exampleson".into();
        other.focus_child.date_of_birth = Some(d(2019, 7, 8));
        other.family_name = "Exampleson".into();
        other.main_parent.last_name = "Exampleson".into();
        other.main_parent.address.postcode = "PO9 1AA".into();
        other.family_members.clear();
        let second = save_all(&store, &other).await;

        let all = list_plans(&store, "  ").await.unwrap();
        assert_eq!(all.len(), 2);
        let row = all.iter().find(|r| r.id == second).unwrap();
        assert_eq!(row.family_name, "Exampleson");
        assert_eq!(row.child_first_name, "Priya");
        assert_eq!(row.child_date_of_birth, Some(d(2019, 7, 8)));
        assert_eq!(row.postcode, "PO9 1AA");
        assert_eq!(row.next_review, Some(d(2027, 2, 1)));

        let ids = |rows: Vec<PlanRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(
            ids(list_plans(&store, "exampl").await.unwrap()),
            [second.as_str()]
        );
        assert_eq!(
            ids(list_plans(&store, "zoë").await.unwrap()),
            [first.as_str()]
        );
        assert_eq!(
            ids(list_plans(&store, "PO12AB").await.unwrap()),
            [first.as_str()]
        );
        assert_eq!(
            ids(list_plans(&store, "08/07/2019").await.unwrap()),
            [second.as_str()]
        );
        let reference = all
            .iter()
            .find(|r| r.id == first)
            .unwrap()
            .reference
            .clone();
        assert_eq!(ids(list_plans(&store, &reference).await.unwrap()), [first]);
        assert!(list_plans(&store, "Nobody").await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_review_updates_the_plan_and_can_close_it_with_a_listed_reason() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let config = Config::builtin();
        let id = save_all(&store, &complete(&config)).await;

        let refused = start_review(&store, &id, at(30)).await.unwrap_err();
        assert!(refused.message.contains("Only a completed plan"));
        finish_plan(&store, &id, at(31)).await.unwrap();

        let review = start_review(&store, &id, at(32)).await.unwrap();
        assert_eq!(review.plan_id, id);
        assert_eq!(review.draft.updated_plan.family_name, "Testchild");
        assert_eq!(review.draft.line_progress.len(), 1);
        assert!(review.errors.iter().any(|e| e.path == "held_on"));

        let mut draft = review.draft.clone();
        draft.held_on = Some(d(2027, 2, 1));
        draft.attendees = vec![Attendee {
            name: "Alex Testparent".into(),
            role: "Parent".into(),
        }];
        draft.line_progress[0].status = Some(LineProgressStatus::Achieved);
        draft.updated_plan.practitioner_summary = "Mornings are calmer.".into();
        draft.next_steps = Some(NextSteps::Close);
        draft.closure_reason = "not-a-reason".into();
        let errors = save_review(&store, &review.id, &draft, at(33))
            .await
            .unwrap();
        assert_eq!(
            errors,
            vec![FieldError::new(
                "closure_reason",
                "Select why the family support plan is closing"
            )]
        );
        let ReviewOutcome::Invalid { .. } =
            finish_review(&store, &review.id, at(34)).await.unwrap()
        else {
            panic!("an invalid review completed");
        };
        assert_eq!(load_plan(&store, &id).await.unwrap().status, "completed");

        draft.closure_reason = "outcomes_achieved".into();
        assert!(save_review(&store, &review.id, &draft, at(35))
            .await
            .unwrap()
            .is_empty());
        let outcome = finish_review(&store, &review.id, at(36)).await.unwrap();
        assert_eq!(
            outcome,
            ReviewOutcome::Completed {
                plan_id: id.clone(),
                plan_status: "closed".into()
            }
        );
        let plan = load_plan(&store, &id).await.unwrap();
        assert_eq!(plan.status, "closed");
        assert_eq!(plan.draft.practitioner_summary, "Mornings are calmer.");
        assert_eq!(plan.reviews.len(), 1);
        assert!(plan.reviews[0].closes_plan);
        assert_eq!(plan.reviews[0].status, "completed");
        assert_eq!(plan.reviews[0].held_on, Some(d(2027, 2, 1)));

        // A closed plan cannot be edited, and a completed review cannot change.
        let err = save_plan_step(
            &store,
            Some(&id),
            WizardStep::FamilyStory,
            &plan.draft,
            at(40),
        )
        .await
        .unwrap_err();
        assert!(err.message.contains("closed"));
        assert!(save_review(&store, &review.id, &draft, at(41))
            .await
            .is_err());
    }

    #[tokio::test]
    async fn a_review_that_continues_the_plan_sets_the_next_review_and_keeps_it_open() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let config = Config::builtin();
        let id = save_all(&store, &complete(&config)).await;
        finish_plan(&store, &id, at(31)).await.unwrap();
        let review = start_review(&store, &id, at(32)).await.unwrap();
        let mut draft = review.draft.clone();
        draft.held_on = Some(d(2027, 2, 1));
        draft.attendees = vec![Attendee {
            name: "Sam Testworker".into(),
            role: String::new(),
        }];
        draft.line_progress[0].status = Some(LineProgressStatus::InProgress);
        draft.next_steps = Some(NextSteps::Continue);
        draft.updated_plan.next_review = NextReview {
            date: Some(d(2027, 5, 3)),
            time: NaiveTime::from_hms_opt(9, 0, 0),
            location: "School".into(),
        };
        draft.updated_plan.aspects.get_mut("housing").unwrap().score = Some(ScoreInput::Score(9));
        assert!(save_review(&store, &review.id, &draft, at(33))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            finish_review(&store, &review.id, at(34)).await.unwrap(),
            ReviewOutcome::Completed {
                plan_id: id.clone(),
                plan_status: "completed".into()
            }
        );
        let plan = load_plan(&store, &id).await.unwrap();
        assert_eq!(plan.status, "completed");
        assert_eq!(plan.draft.next_review.date, Some(d(2027, 5, 3)));
        assert_eq!(
            plan.draft.aspects["housing"].score,
            Some(ScoreInput::Score(9))
        );
        let row = list_plans(&store, "").await.unwrap();
        assert_eq!(row[0].next_review, Some(d(2027, 5, 3)));
        // The next review starts from the plan as this review left it.
        let next = start_review(&store, &id, at(40)).await.unwrap();
        assert_eq!(
            next.draft.updated_plan.aspects["housing"].score,
            Some(ScoreInput::Score(9))
        );
    }

    #[tokio::test]
    async fn records_of_another_kind_or_bad_ids_are_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let referral = store
            .save_step(StepSave::new(
                None,
                RecordKind::Referral,
                1,
                serde_json::json!({}),
                at(1),
            ))
            .await
            .unwrap();
        let id = referral.record_id.to_string();
        for result in [
            load_plan(&store, &id).await.map(|_| ()),
            load_plan(&store, "nope").await.map(|_| ()),
            save_plan_step(
                &store,
                Some(&id),
                WizardStep::FamilyStory,
                &PlanDraft::default(),
                at(2),
            )
            .await
            .map(|_| ()),
            finish_plan(&store, &id, at(3)).await.map(|_| ()),
        ] {
            assert_eq!(result.unwrap_err().code, ErrorCode::RecordNotFound);
        }
    }
}
