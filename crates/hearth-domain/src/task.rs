//! Delegated tasks and contributions (seed 002). A task asks a partner to complete a
//! contribution form (a [`FormDefinition`] from the configuration) about a child, due
//! within the statutory 6 weeks. One person edits a task at a time (the [`Editor`]);
//! re-assigning, within one's work groups, hands it over any number of times; a
//! counter-signatory (a manager of the partner's work group) reviews, signs and submits.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::account::{manages, share_a_work_group, WorkGroup};
use crate::config::Config;
use crate::dates::{is_recent, statutory_due_date};
use crate::form::{Answers, ChildDetails, FieldValue, FormDefinition};
use crate::ids::{DocumentId, TaskId, UserId, WorkGroupId};
use crate::kind::RecordKind;
use crate::validation::{FieldError, ValidationErrors};
use crate::workflow::{Editor, TransitionError};

/// Who sent the task (shown on the task and the form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SentBy {
    pub name: String,
    pub department: String,
    pub phone: String,
    pub address: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Assigned,
    Retracted,
    Submitted,
}

impl TaskStatus {
    fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Assigned => "assigned",
            TaskStatus::Retracted => "retracted",
            TaskStatus::Submitted => "submitted",
        }
    }
}

/// Counter-signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CounterSignature {
    NotRequested,
    /// Re-assigned to `manager` to review, sign and submit.
    Awaiting {
        manager: UserId,
        requested_by: UserId,
    },
    Signed {
        by: UserId,
        at: DateTime<Utc>,
    },
}

/// What the council fills in when it delegates a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewTask {
    pub id: TaskId,
    /// Code of a form type in [`Config::form_types`].
    pub form_type: String,
    pub child: ChildDetails,
    pub requested_on: NaiveDate,
    pub comments: String,
    pub sent_by: SentBy,
    pub assignee: UserId,
    pub work_group: WorkGroupId,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("someone else is working on this form now")]
    NotEditor,
    #[error("you can only re-assign to someone in your work groups")]
    NotInYourWorkGroups,
    #[error("choose a manager of your work group to counter-sign")]
    NotYourManager,
    #[error("this form is waiting for its counter-signatory")]
    AwaitingCounterSignature,
    #[error("this form is not waiting for your signature")]
    NotAwaitingYourSignature,
    #[error("this contribution belongs to another task")]
    WrongTask,
}

/// Changes to a task other than submitting (see [`Task::submit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TaskEvent {
    /// Hand the form to another user of one's work groups (any number of times).
    Reassign {
        by: UserId,
        to: UserId,
    },
    /// Re-assign to a manager who will review, sign and submit.
    AskCounterSignature {
        by: UserId,
        manager: UserId,
    },
    CounterSign {
        by: UserId,
        at: DateTime<Utc>,
    },
    /// The council withdraws the task.
    Retract {
        at: DateTime<Utc>,
    },
}

/// The tabs of the landing page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Tray {
    CurrentlyAssigned,
    /// Retracted within the last 30 days.
    RecentlyRetracted,
    /// Submitted within the last 30 days.
    RecentlySubmitted,
}

/// A delegated task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Task {
    id: TaskId,
    form_type: String,
    child: ChildDetails,
    requested_on: NaiveDate,
    due_date: NaiveDate,
    comments: String,
    sent_by: SentBy,
    work_group: WorkGroupId,
    editor: Editor,
    status: TaskStatus,
    counter_signature: CounterSignature,
    /// When it was retracted or submitted.
    closed_at: Option<DateTime<Utc>>,
}

impl Task {
    /// A new task, due 6 weeks after it was requested.
    pub fn delegate(new: NewTask) -> Task {
        Task {
            id: new.id,
            form_type: new.form_type,
            child: new.child,
            requested_on: new.requested_on,
            due_date: statutory_due_date(new.requested_on),
            comments: new.comments,
            sent_by: new.sent_by,
            work_group: new.work_group,
            editor: Editor::first(new.assignee),
            status: TaskStatus::Assigned,
            counter_signature: CounterSignature::NotRequested,
            closed_at: None,
        }
    }

    pub fn id(&self) -> TaskId {
        self.id
    }
    pub fn form_type(&self) -> &str {
        &self.form_type
    }
    pub fn child(&self) -> &ChildDetails {
        &self.child
    }
    pub fn requested_on(&self) -> NaiveDate {
        self.requested_on
    }
    pub fn due_date(&self) -> NaiveDate {
        self.due_date
    }
    pub fn comments(&self) -> &str {
        &self.comments
    }
    pub fn sent_by(&self) -> &SentBy {
        &self.sent_by
    }
    pub fn work_group(&self) -> WorkGroupId {
        self.work_group
    }
    /// Who is working on it now, and the epoch of that hand-over.
    pub fn editor(&self) -> Editor {
        self.editor
    }
    pub fn status(&self) -> TaskStatus {
        self.status
    }
    pub fn counter_signature(&self) -> CounterSignature {
        self.counter_signature
    }
    pub fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.closed_at
    }

    fn refuse(&self, event: &'static str) -> TaskError {
        TaskError::Transition(TransitionError::new(
            RecordKind::Task,
            self.status.as_str(),
            event,
        ))
    }

    /// Applies an event; `groups` are the work groups that decide who may re-assign to whom.
    pub fn apply(&self, event: TaskEvent, groups: &[WorkGroup]) -> Result<Task, TaskError> {
        let mut next = self.clone();
        match event {
            TaskEvent::Reassign { by, to } => {
                self.assigned_to(by, "reassign")?;
                if !share_a_work_group(groups, by, to) {
                    return Err(TaskError::NotInYourWorkGroups);
                }
                next.editor = self.editor.hand_over(to);
                next.counter_signature = CounterSignature::NotRequested;
            }
            TaskEvent::AskCounterSignature { by, manager } => {
                self.assigned_to(by, "ask_counter_signature")?;
                if !manages(groups, manager, by) {
                    return Err(TaskError::NotYourManager);
                }
                next.editor = self.editor.hand_over(manager);
                next.counter_signature = CounterSignature::Awaiting {
                    manager,
                    requested_by: by,
                };
            }
            TaskEvent::CounterSign { by, at } => {
                self.assigned_to(by, "counter_sign")?;
                match self.counter_signature {
                    CounterSignature::Awaiting { manager, .. } if manager == by => {
                        next.counter_signature = CounterSignature::Signed { by, at };
                    }
                    _ => return Err(TaskError::NotAwaitingYourSignature),
                }
            }
            TaskEvent::Retract { at } => {
                if self.status != TaskStatus::Assigned {
                    return Err(self.refuse("retract"));
                }
                next.status = TaskStatus::Retracted;
                next.closed_at = Some(at);
            }
        }
        Ok(next)
    }

    /// Submits a valid contribution. Only the editor can; a form waiting for its
    /// counter-signatory must be signed first.
    pub fn submit(
        &self,
        by: UserId,
        at: DateTime<Utc>,
        contribution: &Contribution,
    ) -> Result<Task, TaskError> {
        self.assigned_to(by, "submit")?;
        if contribution.task != self.id {
            return Err(TaskError::WrongTask);
        }
        if matches!(self.counter_signature, CounterSignature::Awaiting { .. }) {
            return Err(TaskError::AwaitingCounterSignature);
        }
        Ok(Task {
            status: TaskStatus::Submitted,
            closed_at: Some(at),
            ..self.clone()
        })
    }

    fn assigned_to(&self, user: UserId, event: &'static str) -> Result<(), TaskError> {
        if self.status != TaskStatus::Assigned {
            return Err(self.refuse(event));
        }
        if self.editor.user != user {
            return Err(TaskError::NotEditor);
        }
        Ok(())
    }

    /// Which tray of `user` shows this task at `now`, if any.
    pub fn tray(&self, user: UserId, now: DateTime<Utc>) -> Option<Tray> {
        if self.editor.user != user {
            return None;
        }
        match (self.status, self.closed_at) {
            (TaskStatus::Assigned, _) => Some(Tray::CurrentlyAssigned),
            (TaskStatus::Retracted, Some(at)) if is_recent(at, now) => {
                Some(Tray::RecentlyRetracted)
            }
            (TaskStatus::Submitted, Some(at)) if is_recent(at, now) => {
                Some(Tray::RecentlySubmitted)
            }
            _ => None,
        }
    }
}

/// What the partner edits: answers and supporting documents (removable before submit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ContributionDraft {
    pub answers: Answers,
    pub documents: Vec<DocumentId>,
}

/// A contribution that satisfies its form definition. Built only by [`Contribution::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Contribution {
    task: TaskId,
    form_type: String,
    /// Child details shown read-only, from the task.
    prefilled: BTreeMap<String, FieldValue>,
    content: ContributionDraft,
}

impl Contribution {
    /// Checks the draft against the task's form type from `config`.
    pub fn parse(
        task: &Task,
        draft: ContributionDraft,
        config: &Config,
    ) -> Result<Contribution, ValidationErrors> {
        let form = config.form_type(&task.form_type).ok_or_else(|| {
            ValidationErrors(vec![FieldError::new(
                "form_type",
                "This form type is no longer available; ask the sender",
            )])
        })?;
        Contribution::parse_with(task, draft, form)
    }

    /// Checks the draft against an explicit form definition.
    pub fn parse_with(
        task: &Task,
        draft: ContributionDraft,
        form: &FormDefinition,
    ) -> Result<Contribution, ValidationErrors> {
        ValidationErrors::check(form.validate(&draft.answers))?;
        Ok(Contribution {
            task: task.id,
            form_type: form.code.clone(),
            prefilled: form.prefilled(&task.child),
            content: draft,
        })
    }

    pub fn task(&self) -> TaskId {
        self.task
    }
    pub fn form_type(&self) -> &str {
        &self.form_type
    }
    pub fn prefilled(&self) -> &BTreeMap<String, FieldValue> {
        &self.prefilled
    }
    pub fn content(&self) -> &ContributionDraft {
        &self.content
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::GroupRow;
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    fn u(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }
    const PARTNER: u128 = 1;
    const COLLEAGUE: u128 = 2;
    const MANAGER: u128 = 3;
    const STRANGER: u128 = 4;

    fn groups() -> Vec<WorkGroup> {
        vec![WorkGroup {
            id: WorkGroupId(Uuid::from_u128(50)),
            name: "Paediatric OT".into(),
            members: vec![u(PARTNER), u(COLLEAGUE)],
            managers: vec![u(MANAGER)],
        }]
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap()
    }

    fn task() -> Task {
        Task::delegate(NewTask {
            id: TaskId(Uuid::from_u128(10)),
            form_type: "ehcna_information_gathering".into(),
            child: ChildDetails {
                name: "Zoë Testchild".into(),
                date_of_birth: NaiveDate::from_ymd_opt(2013, 2, 10),
                address: "23 Test Street, Testertown, TS1 1ST".into(),
            },
            requested_on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            comments: "Please complete the report".into(),
            sent_by: SentBy {
                name: "Nia Testofficer".into(),
                ..SentBy::default()
            },
            assignee: u(PARTNER),
            work_group: WorkGroupId(Uuid::from_u128(50)),
        })
    }

    fn text(s: &str) -> FieldValue {
        FieldValue::Text(s.into())
    }

    fn contribution_draft() -> ContributionDraft {
        let mut a = Answers::default();
        a.fields.insert(
            "known_to_service".into(),
            FieldValue::Choice("1 to 2 years".into()),
        );
        a.fields
            .insert("health_needs".into(), text("Fine motor difficulties."));
        a.fields
            .insert("outcomes".into(), text("Writes independently."));
        a.fields
            .insert("completed_by".into(), text("Robin Testnurse"));
        a.fields.insert(
            "completed_on".into(),
            FieldValue::Date(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
        );
        let row: GroupRow = [
            ("provision".to_owned(), text("Weekly OT")),
            ("who".to_owned(), text("Mary")),
        ]
        .into();
        a.groups.insert("health_provision".into(), vec![row]);
        ContributionDraft {
            answers: a,
            documents: vec![],
        }
    }

    #[test]
    fn due_date_is_the_statutory_six_weeks() {
        assert_eq!(
            task().due_date(),
            NaiveDate::from_ymd_opt(2026, 12, 14).unwrap()
        );
    }

    #[test]
    fn contribution_is_validated_against_the_configured_form_with_rows() {
        let config = Config::builtin();
        let t = task();
        let c = Contribution::parse(&t, contribution_draft(), &config).unwrap();
        assert_eq!(
            c.prefilled().get("child_name"),
            Some(&text("Zoë Testchild"))
        );

        let mut bad = contribution_draft();
        bad.answers.groups.get_mut("health_provision").unwrap()[0].insert("who".into(), text(" "));
        bad.answers.groups.insert(
            "reports".into(),
            vec![[("report".to_owned(), text("OT assessment"))].into()],
        );
        bad.answers
            .fields
            .insert("child_name".into(), text("Changed Name"));
        assert_eq!(
            Contribution::parse(&t, bad, &config)
                .unwrap_err()
                .into_vec(),
            vec![
                FieldError::new(
                    "fields.child_name",
                    "Full name comes from the child's record and cannot be changed here"
                ),
                FieldError::new(
                    "groups.health_provision[0].who",
                    "Enter who will provide this"
                ),
                FieldError::new("groups.reports[0].date", "Enter date"),
            ]
        );

        let mut unknown = task();
        unknown.form_type = "retired_form".into();
        assert_eq!(
            Contribution::parse(&unknown, contribution_draft(), &config)
                .unwrap_err()
                .paths(),
            ["form_type"]
        );
    }

    #[test]
    fn reassign_within_work_groups_any_number_of_times_one_editor_at_a_time() {
        let g = groups();
        let t = task();
        assert_eq!(t.editor().epoch, 0);
        assert_eq!(
            t.apply(
                TaskEvent::Reassign {
                    by: u(PARTNER),
                    to: u(STRANGER)
                },
                &g
            ),
            Err(TaskError::NotInYourWorkGroups)
        );
        assert_eq!(
            t.apply(
                TaskEvent::Reassign {
                    by: u(COLLEAGUE),
                    to: u(PARTNER)
                },
                &g
            ),
            Err(TaskError::NotEditor)
        );
        let t = t
            .apply(
                TaskEvent::Reassign {
                    by: u(PARTNER),
                    to: u(COLLEAGUE),
                },
                &g,
            )
            .unwrap();
        let t = t
            .apply(
                TaskEvent::Reassign {
                    by: u(COLLEAGUE),
                    to: u(PARTNER),
                },
                &g,
            )
            .unwrap();
        let t = t
            .apply(
                TaskEvent::Reassign {
                    by: u(PARTNER),
                    to: u(COLLEAGUE),
                },
                &g,
            )
            .unwrap();
        assert_eq!(
            t.editor(),
            Editor {
                user: u(COLLEAGUE),
                epoch: 3
            }
        );
        assert_eq!(t.tray(u(COLLEAGUE), now()), Some(Tray::CurrentlyAssigned));
        assert_eq!(t.tray(u(PARTNER), now()), None);
    }

    #[test]
    fn counter_signing_flow() {
        let g = groups();
        let config = Config::builtin();
        let t = task();
        let c = Contribution::parse(&t, contribution_draft(), &config).unwrap();
        assert_eq!(
            t.apply(
                TaskEvent::AskCounterSignature {
                    by: u(PARTNER),
                    manager: u(COLLEAGUE)
                },
                &g
            ),
            Err(TaskError::NotYourManager)
        );
        let t = t
            .apply(
                TaskEvent::AskCounterSignature {
                    by: u(PARTNER),
                    manager: u(MANAGER),
                },
                &g,
            )
            .unwrap();
        assert_eq!(t.editor().user, u(MANAGER));
        assert_eq!(t.submit(u(PARTNER), now(), &c), Err(TaskError::NotEditor));
        assert_eq!(
            t.submit(u(MANAGER), now(), &c),
            Err(TaskError::AwaitingCounterSignature)
        );
        let signed = t
            .apply(
                TaskEvent::CounterSign {
                    by: u(MANAGER),
                    at: now(),
                },
                &g,
            )
            .unwrap();
        assert_eq!(
            signed.counter_signature(),
            CounterSignature::Signed {
                by: u(MANAGER),
                at: now()
            }
        );
        let submitted = signed.submit(u(MANAGER), now(), &c).unwrap();
        assert_eq!(submitted.status(), TaskStatus::Submitted);
        assert_eq!(
            submitted.tray(u(MANAGER), now() + Duration::days(30)),
            Some(Tray::RecentlySubmitted)
        );
        assert_eq!(submitted.tray(u(MANAGER), now() + Duration::days(31)), None);
        assert!(matches!(
            submitted.apply(TaskEvent::Retract { at: now() }, &g),
            Err(TaskError::Transition(_))
        ));
        // Signing without being asked is refused.
        assert_eq!(
            task().apply(
                TaskEvent::CounterSign {
                    by: u(PARTNER),
                    at: now()
                },
                &g
            ),
            Err(TaskError::NotAwaitingYourSignature)
        );
    }

    #[test]
    fn retracted_tasks_show_for_thirty_days() {
        let g = groups();
        let t = task().apply(TaskEvent::Retract { at: now() }, &g).unwrap();
        assert_eq!(t.status(), TaskStatus::Retracted);
        assert_eq!(
            t.tray(u(PARTNER), now() + Duration::days(29)),
            Some(Tray::RecentlyRetracted)
        );
        assert_eq!(
            t.tray(
                u(PARTNER),
                now() + Duration::days(30) + Duration::seconds(1)
            ),
            None
        );
        let c = Contribution::parse(&task(), contribution_draft(), &Config::builtin()).unwrap();
        assert!(matches!(
            t.submit(u(PARTNER), now(), &c),
            Err(TaskError::Transition(_))
        ));
    }
}
