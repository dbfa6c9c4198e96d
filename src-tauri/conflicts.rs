//! The conflicts screen: edits the server did not apply, with base, mine and theirs per
//! field, resolved by the practitioner (DESIGN.md "Sync protocol": conflicts are kept until
//! a person resolves them).
//!
//! - A **conflict** (someone else changed the same field first, or the plan moved to
//!   another coordinator): per field, "keep the server's version" or "keep mine". The
//!   fields kept as mine become a new edit of the record (one outbox row, sent at the next
//!   sync) in the same transaction that marks the conflict resolved
//!   (`Store::resolve_conflict`).
//! - A **rejection** (the server will never accept it, e.g. no longer allowed): what was
//!   entered is shown so nothing typed is lost from sight; the practitioner dismisses it.
//!
//! Values reach the window as sentences (`describe`), never as raw JSON.

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{Conflict, ConflictOutcome, RecordId, Store};
use serde::Serialize;
use serde_json::{Map, Value};
use specta::Type;
use tauri::State;

use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

/// One field of a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConflictFieldView {
    /// The field's name in the record (sent back to keep "mine").
    pub field: String,
    /// The field's name as the practitioner knows it.
    pub label: String,
    /// What it was when the edit was made.
    pub base: String,
    /// What this device set.
    pub mine: String,
    /// What the server has (empty for a rejection).
    pub theirs: String,
}

/// An edit waiting for the practitioner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConflictView {
    /// The conflict's number on this device (decimal text).
    pub id: String,
    pub record_id: String,
    /// "Family support plan", "Referral", …
    pub kind_label: String,
    /// The record's permanent reference, else its local one; `None` when the record has
    /// left this device meanwhile.
    pub reference: Option<String>,
    /// The record's title (the family name for a plan), when it has one.
    pub title: Option<String>,
    /// True for an edit the server will never accept (only dismissed); false for a conflict.
    pub rejected: bool,
    /// The server's reason, for a rejection.
    pub reason: Option<String>,
    /// When the server answered (RFC 3339).
    pub created_at: String,
    pub fields: Vec<ConflictFieldView>,
}

// ---------------------------------------------------------------------------------------
// Commands

/// Every conflict and rejection not yet resolved, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn conflicts_list(state: State<'_, AppState>) -> Result<Vec<ConflictView>, AppError> {
    list(&state.open_store().await?).await
}

/// Resolves one: the fields named in `keep_mine` take this device's value again (a new
/// edit, sent at the next sync); every other field keeps the server's. A rejection is
/// dismissed with `keep_mine` empty. Answers with what is still waiting.
#[tauri::command]
#[specta::specta]
pub async fn conflict_resolve(
    state: State<'_, AppState>,
    conflict_id: String,
    keep_mine: Vec<String>,
) -> Result<Vec<ConflictView>, AppError> {
    let store = state.open_store().await?;
    let edited = resolve(&store, &conflict_id, &keep_mine).await?;
    if edited {
        if let Some(runner) = state.sync.lock().await.as_ref() {
            runner.sync_now();
        }
    }
    list(&store).await
}

// ---------------------------------------------------------------------------------------

pub(crate) async fn list(store: &Store) -> Result<Vec<ConflictView>, AppError> {
    let mut views = Vec::new();
    for conflict in store.conflicts().await? {
        views.push(view_of(store, conflict).await?);
    }
    Ok(views)
}

async fn view_of(store: &Store, c: Conflict) -> Result<ConflictView, AppError> {
    let record = store.load(RecordId::from_uuid(c.record_id)).await?;
    let (reference, title) = match &record {
        Some(r) => (
            Some(
                r.summary
                    .server_reference
                    .clone()
                    .unwrap_or_else(|| r.summary.local_reference.clone()),
            ),
            r.summary.title.clone().filter(|t| !t.trim().is_empty()),
        ),
        None => (None, None),
    };
    let rejected = c.outcome == ConflictOutcome::Rejected;
    Ok(ConflictView {
        id: c.id.to_string(),
        record_id: c.record_id.to_string(),
        kind_label: kind_label(c.kind).to_owned(),
        reference,
        title,
        rejected,
        reason: c.reason,
        created_at: c.created_at.to_rfc3339(),
        fields: c
            .fields
            .into_iter()
            .map(|f| ConflictFieldView {
                label: field_label(&f.field),
                base: describe(&f.base),
                mine: describe(&f.mine),
                theirs: if rejected {
                    String::new()
                } else {
                    describe(&f.theirs)
                },
                field: f.field,
            })
            .collect(),
    })
}

/// True when keeping "mine" made a new edit.
pub(crate) async fn resolve(
    store: &Store,
    conflict_id: &str,
    keep_mine: &[String],
) -> Result<bool, AppError> {
    let gone = || {
        AppError::new(
            ErrorCode::RecordNotFound,
            "This conflict has already been resolved. The list shows what is still waiting.",
        )
    };
    let id: i64 = conflict_id.parse().map_err(|_| gone())?;
    let conflict = store
        .conflicts()
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(gone)?;
    if conflict.outcome == ConflictOutcome::Rejected && !keep_mine.is_empty() {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            "The server will not accept this change, so it cannot be kept. Copy what you need from it, then dismiss it.",
        ));
    }
    let mut chosen = Map::new();
    for name in keep_mine {
        let field = conflict
            .fields
            .iter()
            .find(|f| &f.field == name)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "\"{}\" is not one of the fields of this conflict.",
                        field_label(name)
                    ),
                )
            })?;
        chosen.insert(field.field.clone(), field.mine.clone());
    }
    if !chosen.is_empty()
        && store
            .load(RecordId::from_uuid(conflict.record_id))
            .await?
            .is_none()
    {
        return Err(AppError::new(
            ErrorCode::RecordNotFound,
            "This record is no longer on this device (it may have been transferred or unshared), so your version cannot be kept. Keep the server's version to clear the conflict.",
        ));
    }
    let saved = store.resolve_conflict(id, chosen, Utc::now()).await?;
    Ok(saved.is_some())
}

fn kind_label(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Plan => "Family support plan",
        RecordKind::Review => "Review",
        RecordKind::Referral => "Referral",
        RecordKind::Request => "Request for support",
        RecordKind::Task => "Task",
        RecordKind::Contribution => "Contribution",
        RecordKind::Document => "Document",
    }
}

/// A record field's name as a practitioner reads it.
pub(crate) fn field_label(field: &str) -> String {
    let known = match field {
        "consent" => Some("Consent"),
        "practitioner" => Some("Practitioner"),
        "focus_child" => Some("Child"),
        "main_parent" => Some("Main parent or carer"),
        "second_parent" => Some("Second parent or carer"),
        "family_members" => Some("Family members"),
        "contacts" => Some("Contacts and key information"),
        "family_story" => Some("The family's story"),
        "child_stories" => Some("The child's story"),
        "aspects" => Some("Aspects of family life"),
        "practitioner_summary" => Some("Practitioner's summary"),
        "family_plan" => Some("The family plan"),
        "family_name" => Some("Family name"),
        "next_review" => Some("Next review"),
        "sharing" => Some("Who the plan is shared with"),
        "transfer" => Some("Transfer"),
        _ => None,
    };
    known.map(str::to_owned).unwrap_or_else(|| humanise(field))
}

/// `date_of_birth` → "Date of birth".
fn humanise(key: &str) -> String {
    let words = key.replace(['_', '-'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::from("(unnamed)"),
    }
}

/// A value as a sentence: blanks say so, yes/no for ticks, rows separated by semicolons,
/// the parts of a row as "Name: value".
pub(crate) fn describe(value: &Value) -> String {
    let text = describe_inner(value);
    if text.is_empty() {
        "(blank)".to_owned()
    } else {
        text
    }
}

fn describe_inner(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "Yes".to_owned(),
        Value::Bool(false) => "No".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        Value::Array(items) => items
            .iter()
            .map(describe_inner)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(map) => map
            .iter()
            .filter_map(|(k, v)| {
                let inner = describe_inner(v);
                (!inner.is_empty()).then(|| format!("{}: {inner}", humanise(k)))
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone as _};
    use hearth_store::{Answer, ConflictField, DatabaseKey, KeyStorage, StepSave};
    use serde_json::json;

    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 9, minute, 0).unwrap()
    }

    async fn temp_store(dir: &std::path::Path) -> Store {
        let key = DatabaseKey::from_bytes([9; 32]);
        Store::open_or_create(dir, KeyStorage::Supplied { key }, at(0))
            .await
            .unwrap()
    }

    /// A plan whose last edit (family name "Mineside", summary "Our words") came back as a
    /// conflict: the server has "Theirside" and "Their words".
    async fn plan_in_conflict(store: &Store) -> RecordId {
        let first = store
            .save_step(StepSave::new(
                None,
                RecordKind::Plan,
                9,
                json!({"family_name": "Startfamily"}),
                at(1),
            ))
            .await
            .unwrap();
        store
            .record_answers(
                &[(
                    first.mutation_id.unwrap(),
                    Answer::Applied {
                        version: 1,
                        reference: Some("FSP-000042".into()),
                    },
                )],
                at(2),
            )
            .await
            .unwrap();
        let edit = store
            .save_step(StepSave::new(
                Some(first.record_id),
                RecordKind::Plan,
                9,
                json!({"family_name": "Mineside", "practitioner_summary": "Our words"}),
                at(3),
            ))
            .await
            .unwrap();
        store
            .record_answers(
                &[(
                    edit.mutation_id.unwrap(),
                    Answer::Conflict {
                        server_version: 2,
                        fields: vec![
                            ConflictField {
                                field: "family_name".into(),
                                base: json!("Startfamily"),
                                mine: json!("Mineside"),
                                theirs: json!("Theirside"),
                            },
                            ConflictField {
                                field: "practitioner_summary".into(),
                                base: Value::Null,
                                mine: json!("Our words"),
                                theirs: json!("Their words"),
                            },
                        ],
                    },
                )],
                at(4),
            )
            .await
            .unwrap();
        first.record_id
    }

    #[tokio::test]
    async fn a_conflict_is_listed_with_base_mine_and_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        plan_in_conflict(&store).await;
        let views = list(&store).await.unwrap();
        assert_eq!(views.len(), 1);
        let v = &views[0];
        assert_eq!(v.kind_label, "Family support plan");
        assert_eq!(v.reference.as_deref(), Some("FSP-000042"));
        assert!(!v.rejected);
        assert_eq!(
            v.fields,
            vec![
                ConflictFieldView {
                    field: "family_name".into(),
                    label: "Family name".into(),
                    base: "Startfamily".into(),
                    mine: "Mineside".into(),
                    theirs: "Theirside".into(),
                },
                ConflictFieldView {
                    field: "practitioner_summary".into(),
                    label: "Practitioner's summary".into(),
                    base: "(blank)".into(),
                    mine: "Our words".into(),
                    theirs: "Their words".into(),
                },
            ]
        );
    }

    #[tokio::test]
    async fn keeping_mine_for_one_field_makes_a_new_edit_of_that_field_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let id = plan_in_conflict(&store).await;
        let pending_before = store.pending_mutations(100).await.unwrap().len();
        let conflict_id = list(&store).await.unwrap()[0].id.clone();
        assert_eq!(store.unresolved_conflicts().await.unwrap(), 1);

        let edited = resolve(&store, &conflict_id, &["family_name".to_owned()])
            .await
            .unwrap();
        assert!(edited);
        assert!(list(&store).await.unwrap().is_empty());
        assert_eq!(store.unresolved_conflicts().await.unwrap(), 0);
        let pending = store.pending_mutations(100).await.unwrap();
        assert_eq!(pending.len(), pending_before + 1);
        let changes = &pending.last().unwrap().changes;
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].field, "family_name");
        assert_eq!(changes[0].value, json!("Mineside"));
        let record = store.load(id).await.unwrap().unwrap();
        assert_eq!(record.fields["family_name"], json!("Mineside"));

        // Resolved twice: a clear message, nothing changes.
        let again = resolve(&store, &conflict_id, &[]).await.unwrap_err();
        assert_eq!(again.code, ErrorCode::RecordNotFound);
        assert_eq!(
            store.pending_mutations(100).await.unwrap().len(),
            pending.len()
        );
    }

    #[tokio::test]
    async fn keeping_theirs_makes_no_edit_and_unknown_fields_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        plan_in_conflict(&store).await;
        let pending_before = store.pending_mutations(100).await.unwrap().len();
        let conflict_id = list(&store).await.unwrap()[0].id.clone();

        let err = resolve(&store, &conflict_id, &["date_of_birth".to_owned()])
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("Date of birth"), "{}", err.message);
        assert_eq!(list(&store).await.unwrap().len(), 1, "still waiting");

        assert!(!resolve(&store, &conflict_id, &[]).await.unwrap());
        assert!(list(&store).await.unwrap().is_empty());
        assert_eq!(
            store.pending_mutations(100).await.unwrap().len(),
            pending_before
        );
    }

    #[tokio::test]
    async fn a_rejection_shows_what_was_entered_and_can_only_be_dismissed() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let saved = store
            .save_step(StepSave::new(
                None,
                RecordKind::Plan,
                9,
                json!({"family_name": "Refusedfamily"}),
                at(1),
            ))
            .await
            .unwrap();
        store
            .record_answers(
                &[(
                    saved.mutation_id.unwrap(),
                    Answer::Rejected {
                        reason: "You may no longer change this plan.".into(),
                    },
                )],
                at(2),
            )
            .await
            .unwrap();
        let views = list(&store).await.unwrap();
        assert_eq!(views.len(), 1);
        let v = &views[0];
        assert!(v.rejected);
        assert_eq!(
            v.reason.as_deref(),
            Some("You may no longer change this plan.")
        );
        let family = v.fields.iter().find(|f| f.field == "family_name").unwrap();
        assert_eq!(family.mine, "Refusedfamily");
        assert_eq!(family.theirs, "");

        let err = resolve(&store, &v.id, &["family_name".to_owned()])
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(!resolve(&store, &v.id, &[]).await.unwrap());
        assert!(list(&store).await.unwrap().is_empty());
    }

    #[test]
    fn values_read_as_sentences() {
        assert_eq!(describe(&Value::Null), "(blank)");
        assert_eq!(describe(&json!("  ")), "(blank)");
        assert_eq!(describe(&json!(true)), "Yes");
        assert_eq!(
            describe(&json!([
                {"name": "Sam Example", "relationship": "Brother", "notes": ""},
                {"name": "Jo Example", "date_of_birth": "2015-04-01"}
            ])),
            "Name: Sam Example, Relationship: Brother; Date of birth: 2015-04-01, Name: Jo Example"
        );
        assert_eq!(field_label("next_review"), "Next review");
        assert_eq!(field_label("school_name"), "School name");
    }
}
