//! Delegated tasks and contributions (seed 002) in the app: the three trays (currently
//! assigned; retracted and submitted in the last 30 days), a task's contribution form drawn
//! from its form type's data, autosave of the answers, and "Submit".
//!
//! A task is created by the local authority side (a manager or business support pushes a
//! `task` record; the server emails its assignee) and reaches this device by sync. Its
//! record's fields: `form_type`, `child` ([`ChildDetails`]), `requested_on`, `due_date`,
//! `comments`, `sent_by` ([`SentBy`]), `assignee_id`, `work_group_id` (the server reads
//! these two for access and bumps the epoch when `assignee_id` changes), `status`
//! (`assigned`, `retracted`, `submitted`), `counter_signature`, `closed_at`, and the
//! partner's `answers` ([`Answers`]). The answers live on the task record itself so the
//! server's single-editor rule (epochs) guards them: an edit made by someone the task was
//! re-assigned away from becomes a conflict, never a silent overwrite.
//!
//! Every command is a thin wrapper over a function taking the store and the clock.

use chrono::{DateTime, NaiveDate, Utc};
use hearth_domain::account::{manages, share_a_work_group};
use hearth_domain::form::{Answers, ChildDetails, FieldKind, FieldValue, FormDefinition, FormItem};
use hearth_domain::ids::UserId;
use hearth_domain::task::{
    Contribution, ContributionDraft, CounterSignature, SentBy, Task, TaskError, TaskEvent,
    TaskStatus, Tray,
};
use hearth_domain::{Config, FieldError, RecordKind};
use hearth_protocol::users::FoundUser;
use hearth_store::{Draft, RecordId, StepSave, Store};
use serde::Serialize;
use serde_json::{json, Map, Value};
use specta::Type;
use tauri::State;

use crate::error::{AppError, ErrorCode};
use crate::records::account_of;
use crate::state::AppState;

/// Store step of the partner's answers.
const ANSWERS_STEP: u32 = 1;
/// Store step of the task's own fields (status, closing time).
const TASK_STEP: u32 = 0;
/// A due date this many days away or nearer is highlighted.
pub const DUE_SOON_DAYS: i32 = 7;

/// How near the due date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    Overdue,
    /// Within [`DUE_SOON_DAYS`] days (today included).
    Soon,
    Later,
}

/// One row of a tray.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskRow {
    pub id: String,
    pub reference: String,
    pub form_type: String,
    /// The form type's title ("EHCNA Information Gathering"), or its code if unknown.
    pub form_title: String,
    pub child_name: String,
    pub requested_on: NaiveDate,
    pub due_date: NaiveDate,
    pub due: Due,
    /// Days until the due date (negative when overdue).
    pub days_left: i32,
    pub comments: String,
    pub sent_by: SentBy,
    /// When it was retracted or submitted.
    pub closed_at: Option<DateTime<Utc>>,
}

/// The landing page's three trays, each soonest due first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskTrays {
    pub assigned: Vec<TaskRow>,
    pub retracted: Vec<TaskRow>,
    pub submitted: Vec<TaskRow>,
}

/// A prefilled, read-only field of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PrefilledField {
    pub id: String,
    pub value: FieldValue,
}

/// A task opened: its form definition, the read-only child details and the answers so far.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    pub row: TaskRow,
    /// `assigned`, `retracted` or `submitted`.
    pub status: TaskStatus,
    pub child: ChildDetails,
    pub form: FormDefinition,
    pub prefilled: Vec<PrefilledField>,
    pub answers: Answers,
    /// Every problem with the answers as they are (shown once the user asks to submit).
    pub errors: Vec<FieldError>,
    /// The signed-in user is the task's editor and it is still assigned.
    pub editable: bool,
    pub counter_signature: CounterSignature,
    pub last_saved_at: DateTime<Utc>,
}

/// What an autosave did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskSaved {
    pub errors: Vec<FieldError>,
    pub last_saved_at: DateTime<Utc>,
}

/// What "Submit" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum TaskSubmitOutcome {
    /// Queued for the council; it is now in "Recently submitted".
    Submitted,
    /// Something is missing or wrong: every error, in form order.
    Invalid { errors: Vec<FieldError> },
}

/// Someone a task can be handed to, as the server found them by email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Delegate {
    pub user_id: String,
    pub name: String,
    /// Their main role, as a label.
    pub role: String,
    /// Shown before the hand-over is confirmed.
    pub out_of_office: Option<String>,
    /// They share one of your work groups: the task can be re-assigned to them.
    pub may_reassign: bool,
    /// They manage one of your work groups: they can counter-sign.
    pub may_counter_sign: bool,
}

// ---------------------------------------------------------------------------------------
// Commands

/// The three trays of the signed-in user.
#[tauri::command]
#[specta::specta]
pub async fn tasks_trays(state: State<'_, AppState>) -> Result<TaskTrays, AppError> {
    let store = state.open_store().await?;
    trays(&store, Utc::now()).await
}

/// A task with its contribution form.
#[tauri::command]
#[specta::specta]
pub async fn task_load(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<TaskView, AppError> {
    let store = state.open_store().await?;
    load_task(&store, &record_id, Utc::now()).await
}

/// Autosave of the contribution's answers.
#[tauri::command]
#[specta::specta]
pub async fn task_save(
    state: State<'_, AppState>,
    record_id: String,
    answers: Answers,
) -> Result<TaskSaved, AppError> {
    let store = state.open_store().await?;
    save_answers(&store, &record_id, &answers, Utc::now()).await
}

/// "Submit": the contribution goes to the council if every answer is valid.
#[tauri::command]
#[specta::specta]
pub async fn task_submit(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<TaskSubmitOutcome, AppError> {
    let store = state.open_store().await?;
    submit_task(&store, &record_id, Utc::now()).await
}

/// Looks up a colleague by email (online) before re-assigning: their name, out-of-office
/// message and whether they share or manage one of your work groups.
#[tauri::command]
#[specta::specta]
pub async fn task_find_person(
    state: State<'_, AppState>,
    record_id: String,
    email: String,
) -> Result<Delegate, AppError> {
    let found = crate::sharing::find_user(&state, &email).await?;
    let store = state.open_store().await?;
    delegate_of(&store, &record_id, &found).await
}

/// Re-assigns the task to the colleague with this email (looked up again, online), or asks
/// them, a manager of your work group, to counter-sign and submit it.
#[tauri::command]
#[specta::specta]
pub async fn task_reassign(
    state: State<'_, AppState>,
    record_id: String,
    email: String,
    counter_sign: bool,
) -> Result<(), AppError> {
    let found = crate::sharing::find_user(&state, &email).await?;
    let store = state.open_store().await?;
    reassign(&store, &record_id, &found, counter_sign, Utc::now()).await
}

/// The counter-signatory signs the contribution (then submits it).
#[tauri::command]
#[specta::specta]
pub async fn task_counter_sign(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<TaskView, AppError> {
    let store = state.open_store().await?;
    counter_sign(&store, &record_id, Utc::now()).await?;
    load_task(&store, &record_id, Utc::now()).await
}

// ---------------------------------------------------------------------------------------
// Logic, testable without a window

fn not_found() -> AppError {
    crate::plans::missing(RecordKind::Task)
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::StoreFailed, message)
}

async fn me(store: &Store) -> Result<UserId, AppError> {
    account_of(store)
        .await?
        .map(|a| a.id)
        .ok_or_else(|| refused("Sign in again to see your tasks."))
}

/// The domain's task from a record's fields (`None`: not a readable task).
pub(crate) fn task_of(id: RecordId, fields: &Map<String, Value>) -> Option<Task> {
    let get = |k: &str| fields.get(k).cloned().unwrap_or(Value::Null);
    let status = match fields.get("status") {
        Some(Value::String(s)) => s.clone(),
        _ => "assigned".to_owned(),
    };
    let whole = json!({
        "id": id.to_string(),
        "form_type": get("form_type"),
        "child": fields.get("child").cloned().unwrap_or_else(|| json!({})),
        "requested_on": get("requested_on"),
        "due_date": get("due_date"),
        "comments": fields.get("comments").cloned().unwrap_or_else(|| json!("")),
        "sent_by": fields.get("sent_by").cloned().unwrap_or_else(|| json!({})),
        "work_group": get("work_group_id"),
        "editor": {"user": get("assignee_id"), "epoch": 0},
        "status": status,
        "counter_signature": fields
            .get("counter_signature")
            .cloned()
            .unwrap_or_else(|| json!({"state": "not_requested"})),
        "closed_at": get("closed_at"),
    });
    serde_json::from_value(whole).ok()
}

pub(crate) fn answers_of(fields: &Map<String, Value>) -> Answers {
    fields
        .get("answers")
        .and_then(|a| serde_json::from_value(a.clone()).ok())
        .unwrap_or_default()
}

/// How near `due` is on `today`, and the days left.
pub fn due_of(due: NaiveDate, today: NaiveDate) -> (Due, i32) {
    let days = (due - today).num_days();
    let days = i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX });
    let word = if days < 0 {
        Due::Overdue
    } else if days <= DUE_SOON_DAYS {
        Due::Soon
    } else {
        Due::Later
    };
    (word, days)
}

fn row_of(
    task: &Task,
    summary: &hearth_store::RecordSummary,
    config: &Config,
    now: DateTime<Utc>,
) -> TaskRow {
    let (due, days_left) = due_of(task.due_date(), now.date_naive());
    TaskRow {
        id: summary.id.to_string(),
        reference: crate::records::reference_of(summary).0,
        form_type: task.form_type().to_owned(),
        form_title: config
            .form_type(task.form_type())
            .map(|f| f.title.clone())
            .unwrap_or_else(|| task.form_type().to_owned()),
        child_name: task.child().name.clone(),
        requested_on: task.requested_on(),
        due_date: task.due_date(),
        due,
        days_left,
        comments: task.comments().to_owned(),
        sent_by: task.sent_by().clone(),
        closed_at: task.closed_at(),
    }
}

pub(crate) async fn trays(store: &Store, now: DateTime<Utc>) -> Result<TaskTrays, AppError> {
    let me = me(store).await?;
    let config = Config::builtin();
    let mut out = TaskTrays {
        assigned: vec![],
        retracted: vec![],
        submitted: vec![],
    };
    for summary in store.list(RecordKind::Task).await? {
        let Some(record) = store.load(summary.id).await? else {
            continue;
        };
        let Some(task) = task_of(summary.id, &record.fields) else {
            tracing::warn!(record = %summary.id, "a task record could not be read");
            continue;
        };
        let row = row_of(&task, &summary, &config, now);
        match task.tray(me, now) {
            Some(Tray::CurrentlyAssigned) => out.assigned.push(row),
            Some(Tray::RecentlyRetracted) => out.retracted.push(row),
            Some(Tray::RecentlySubmitted) => out.submitted.push(row),
            None => {}
        }
    }
    out.assigned
        .sort_by(|a, b| (a.due_date, &a.id).cmp(&(b.due_date, &b.id)));
    for closed in [&mut out.retracted, &mut out.submitted] {
        closed.sort_by_key(|r| std::cmp::Reverse(r.closed_at));
    }
    Ok(out)
}

async fn load_record(store: &Store, id: &str) -> Result<(Draft, Task), AppError> {
    let record = crate::plans::load_kind(store, id, RecordKind::Task).await?;
    let task = task_of(record.summary.id, &record.fields).ok_or_else(|| {
        refused("This task could not be read on this device. Sync again, or ask its sender.")
    })?;
    Ok((record, task))
}

fn form_for<'c>(config: &'c Config, task: &Task) -> Result<&'c FormDefinition, AppError> {
    config.form_type(task.form_type()).ok_or_else(|| {
        refused(format!(
            "This task's form type ({}) is not available in this version of Hearth; ask its sender.",
            task.form_type()
        ))
    })
}

/// Only fields and groups the form has, so a stale key never blocks a save.
fn errors_of(form: &FormDefinition, answers: &Answers) -> Vec<FieldError> {
    form.validate(answers)
}

pub(crate) async fn load_task(
    store: &Store,
    id: &str,
    now: DateTime<Utc>,
) -> Result<TaskView, AppError> {
    let me = me(store).await?;
    let (record, task) = load_record(store, id).await?;
    let config = Config::builtin();
    let form = form_for(&config, &task)?.clone();
    let answers = answers_of(&record.fields);
    let prefilled = form
        .prefilled(task.child())
        .into_iter()
        .map(|(id, value)| PrefilledField { id, value })
        .collect();
    Ok(TaskView {
        row: row_of(&task, &record.summary, &config, now),
        status: task.status(),
        child: task.child().clone(),
        errors: errors_of(&form, &answers),
        form,
        prefilled,
        answers,
        editable: task.status() == TaskStatus::Assigned && task.editor().user == me,
        counter_signature: task.counter_signature(),
        last_saved_at: record.summary.last_saved_at,
    })
}

fn check_editable(task: &Task, me: UserId) -> Result<(), AppError> {
    match task.status() {
        TaskStatus::Retracted => Err(refused(
            "This task has been retracted by its sender, so it cannot be changed.",
        )),
        TaskStatus::Submitted => Err(refused(
            "This contribution has been submitted, so it cannot be changed.",
        )),
        TaskStatus::Assigned if task.editor().user != me => Err(refused(
            "This task is assigned to someone else now, so you cannot change it.",
        )),
        TaskStatus::Assigned => Ok(()),
    }
}

/// Drops answers to questions the form does not have and blank rows' empty values, so
/// what is saved is what the form shows. A half-typed date is kept for a date question
/// (or a date cell of a row that is there) that has no answer yet.
fn tidy(form: &FormDefinition, answers: &Answers) -> Answers {
    let mut out = Answers::default();
    let unfinished = |path: &str, answered: bool| {
        answers
            .unfinished_dates
            .get(path)
            .filter(|_| !answered)
            .map(|parts| (path.to_owned(), parts.clone()))
    };
    for item in form.sections.iter().flat_map(|s| &s.items) {
        match item {
            FormItem::Field(f) if f.prefill.is_none() => {
                let value = answers.fields.get(&f.id);
                if let Some(v) = value {
                    out.fields.insert(f.id.clone(), v.clone());
                }
                if f.kind == FieldKind::Date {
                    out.unfinished_dates
                        .extend(unfinished(&format!("fields.{}", f.id), value.is_some()));
                }
            }
            FormItem::Field(_) => {}
            FormItem::Group(g) => {
                if let Some(rows) = answers.groups.get(&g.id) {
                    let rows: Vec<_> = rows
                        .iter()
                        .map(|row| {
                            row.iter()
                                .filter(|(k, _)| g.columns.iter().any(|c| &c.id == *k))
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect::<hearth_domain::form::GroupRow>()
                        })
                        .collect();
                    for (r, row) in rows.iter().enumerate() {
                        for c in g.columns.iter().filter(|c| c.kind == FieldKind::Date) {
                            let path = format!("groups.{}[{r}].{}", g.id, c.id);
                            out.unfinished_dates
                                .extend(unfinished(&path, row.contains_key(&c.id)));
                        }
                    }
                    out.groups.insert(g.id.clone(), rows);
                }
            }
        }
    }
    out
}

pub(crate) async fn save_answers(
    store: &Store,
    id: &str,
    answers: &Answers,
    at: DateTime<Utc>,
) -> Result<TaskSaved, AppError> {
    let me = me(store).await?;
    let (record, task) = load_record(store, id).await?;
    check_editable(&task, me)?;
    let config = Config::builtin();
    let form = form_for(&config, &task)?;
    let answers = tidy(form, answers);
    let value = serde_json::to_value(&answers)
        .map_err(|_| refused("Hearth could not prepare the answers for saving."))?;
    let saved = store
        .save_step(StepSave::new(
            Some(record.summary.id),
            RecordKind::Task,
            ANSWERS_STEP,
            json!({ "answers": value }),
            at,
        ))
        .await?;
    let summary = store
        .load(saved.record_id)
        .await?
        .ok_or_else(not_found)?
        .summary;
    tracing::debug!(record = %saved.record_id, "contribution answers saved");
    Ok(TaskSaved {
        errors: errors_of(form, &answers),
        last_saved_at: summary.last_saved_at,
    })
}

pub(crate) async fn submit_task(
    store: &Store,
    id: &str,
    at: DateTime<Utc>,
) -> Result<TaskSubmitOutcome, AppError> {
    let me = me(store).await?;
    let (record, task) = load_record(store, id).await?;
    if task.status() == TaskStatus::Submitted {
        // A second press: nothing more to do.
        return Ok(TaskSubmitOutcome::Submitted);
    }
    check_editable(&task, me)?;
    let draft = ContributionDraft {
        answers: answers_of(&record.fields),
        documents: vec![],
    };
    let contribution = match Contribution::parse(&task, draft, &Config::builtin()) {
        Ok(c) => c,
        Err(errors) => {
            return Ok(TaskSubmitOutcome::Invalid {
                errors: errors.into_vec(),
            })
        }
    };
    let submitted = task
        .submit(me, at, &contribution)
        .map_err(|e| refused(format!("This contribution cannot be submitted: {e}.")))?;
    store
        .save_step(StepSave::new(
            Some(record.summary.id),
            RecordKind::Task,
            TASK_STEP,
            json!({ "closed_at": submitted.closed_at() }),
            at,
        ))
        .await?;
    store.set_status(record.summary.id, "submitted", at).await?;
    tracing::info!(record = %record.summary.id, "contribution submitted");
    Ok(TaskSubmitOutcome::Submitted)
}

/// For documents on a task: only its editor changes them, while it is assigned.
pub(crate) async fn check_editable_record(store: &Store, record: &Draft) -> Result<(), AppError> {
    let me = me(store).await?;
    let task = task_of(record.summary.id, &record.fields).ok_or_else(not_found)?;
    check_editable(&task, me).map_err(|e| invalid(e.message))
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidInput, message)
}

pub(crate) async fn delegate_of(
    store: &Store,
    id: &str,
    found: &FoundUser,
) -> Result<Delegate, AppError> {
    let me = me(store).await?;
    let (_, task) = load_record(store, id).await?;
    check_editable(&task, me)?;
    let groups = &found.shared_work_groups;
    if found.id == me {
        return Err(invalid(
            "Enter the email address of someone else in your work group",
        ));
    }
    Ok(Delegate {
        user_id: found.id.to_string(),
        name: found.name.clone(),
        role: found.role.label().to_owned(),
        out_of_office: found.out_of_office.clone(),
        may_reassign: share_a_work_group(groups, me, found.id),
        may_counter_sign: manages(groups, found.id, me),
    })
}

/// Hands the task over through the domain's rules, then writes `assignee_id` (the server
/// bumps the epoch and emails both people) and `counter_signature`.
pub(crate) async fn reassign(
    store: &Store,
    id: &str,
    found: &FoundUser,
    ask_counter_signature: bool,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let me = me(store).await?;
    let (record, task) = load_record(store, id).await?;
    check_editable(&task, me)?;
    if found.id == me {
        return Err(invalid(
            "Enter the email address of someone else in your work group",
        ));
    }
    let event = if ask_counter_signature {
        TaskEvent::AskCounterSignature {
            by: me,
            manager: found.id,
        }
    } else {
        TaskEvent::Reassign {
            by: me,
            to: found.id,
        }
    };
    let next = task
        .apply(event, &found.shared_work_groups)
        .map_err(|e| match e {
            TaskError::NotInYourWorkGroups => invalid(format!(
                "{} is not in any of your work groups, so you cannot re-assign this task to them",
                found.name
            )),
            TaskError::NotYourManager => invalid(format!(
                "{} does not manage your work group, so they cannot counter-sign. Choose a manager of your work group",
                found.name
            )),
            other => refused(format!("This task cannot be re-assigned: {other}.")),
        })?;
    store
        .save_step(StepSave::new(
            Some(record.summary.id),
            RecordKind::Task,
            TASK_STEP,
            json!({
                "assignee_id": next.editor().user.to_string(),
                "assignee_name": found.name,
                "counter_signature": next.counter_signature(),
            }),
            at,
        ))
        .await?;
    tracing::info!(record = %record.summary.id, counter_sign = ask_counter_signature, "task re-assigned");
    Ok(())
}

pub(crate) async fn counter_sign(
    store: &Store,
    id: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let me = me(store).await?;
    let (record, task) = load_record(store, id).await?;
    check_editable(&task, me)?;
    let signed = task
        .apply(TaskEvent::CounterSign { by: me, at }, &[])
        .map_err(|e| refused(format!("This contribution cannot be signed: {e}.")))?;
    store
        .save_step(StepSave::new(
            Some(record.summary.id),
            RecordKind::Task,
            TASK_STEP,
            json!({ "counter_signature": signed.counter_signature() }),
            at,
        ))
        .await?;
    tracing::info!(record = %record.summary.id, "contribution counter-signed");
    Ok(())
}

#[cfg(test)]
#[path = "tasks_tests.rs"]
mod tests;
