//! Tests of the task commands, on a real encrypted store. Tasks arrive the way the server
//! sends them: a pulled page of `task` records (as a manager or business support pushed
//! them), applied with `Store::apply_pull`; the clock is passed in.

use std::collections::BTreeSet;

use chrono::{Duration, TimeZone as _};
use hearth_domain::account::{Account, Role};
use hearth_domain::form::GroupRow;
use hearth_store::{DatabaseKey, KeyStorage, PulledPage, PulledRecord};
use uuid::Uuid;

use super::*;

fn at(day: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::days(day)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const ROBIN: u128 = 5;
const JO: u128 = 2;
const GROUP: u128 = 50;

fn uid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

async fn temp_store(dir: &std::path::Path) -> Store {
    let key = DatabaseKey::from_bytes([7; 32]);
    Store::open_or_create(dir, KeyStorage::Supplied { key }, at(0))
        .await
        .unwrap()
}

async fn sign_in_as(store: &Store, n: u128) {
    let account = Account {
        id: UserId(uid(n)),
        forename: "Robin".into(),
        surname: "Testnurse".into(),
        email: "robin.testnurse@example.nhs.uk".into(),
        roles: [Role::PartnerProfessional]
            .into_iter()
            .collect::<BTreeSet<_>>(),
        services: vec![],
        work_groups: vec![hearth_domain::ids::WorkGroupId(uid(GROUP))],
        out_of_office: None,
        active: true,
    };
    store
        .set_setting(
            crate::session::keys::ACCOUNT,
            &serde_json::to_string(&account).unwrap(),
        )
        .await
        .unwrap();
}

/// The fields of a task as the council's client pushes it.
fn task_fields(assignee: u128, requested_on: NaiveDate, child: &str) -> Map<String, Value> {
    let Value::Object(m) = json!({
        "form_type": "ehcna_information_gathering",
        "child": {"name": child, "date_of_birth": "2013-02-10", "address": "23 Test Street, Testertown, TS1 1ST"},
        "requested_on": requested_on,
        "due_date": hearth_domain::dates::statutory_due_date(requested_on),
        "comments": "Please complete the report",
        "sent_by": {"name": "Nia Testofficer", "department": "SEND team", "phone": "01632 960000", "address": ""},
        "assignee_id": uid(assignee).to_string(),
        "work_group_id": uid(GROUP).to_string(),
        "status": "assigned",
        "author_id": uid(4).to_string(),
    }) else {
        unreachable!()
    };
    m
}

async fn pull(store: &Store, cursor: i64, records: Vec<(Uuid, i64, Map<String, Value>)>) {
    store
        .apply_pull(
            &PulledPage {
                records: records
                    .into_iter()
                    .map(|(id, version, fields)| PulledRecord {
                        id,
                        kind: RecordKind::Task,
                        version,
                        epoch: 0,
                        deleted: false,
                        fields,
                        reference: Some(format!("TSK-{}", &id.simple().to_string()[20..])),
                    })
                    .collect(),
                purges: vec![],
                cursor,
                server_epoch: "e1".into(),
            },
            at(0),
        )
        .await
        .unwrap();
}

/// A fresh store signed in as Robin, with one task (Zoë's, requested on 2 November 2026)
/// pulled for Robin; returns the store's folder, the store and the task's id.
async fn robins_task_for_zoe() -> (tempfile::TempDir, Store, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(dir.path()).await;
    sign_in_as(&store, ROBIN).await;
    let id = Uuid::now_v7();
    pull(
        &store,
        1,
        vec![(id, 1, task_fields(ROBIN, d(2026, 11, 2), "Zoë Testchild"))],
    )
    .await;
    (dir, store, id.to_string())
}

fn text(s: &str) -> FieldValue {
    FieldValue::Text(s.into())
}

fn complete_answers() -> Answers {
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
    a.fields
        .insert("completed_on".into(), FieldValue::Date(d(2026, 11, 20)));
    let row: GroupRow = [
        ("provision".to_owned(), text("Weekly OT")),
        ("who".to_owned(), text("Mary Testtherapist")),
    ]
    .into();
    a.groups.insert("health_provision".into(), vec![row]);
    a
}

#[tokio::test]
async fn trays_follow_the_assignee_status_and_thirty_days() {
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(dir.path()).await;
    sign_in_as(&store, ROBIN).await;
    let (soon, later, overdue, colleague) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    pull(
        &store,
        1,
        vec![
            // Due 2026-12-14, 5 days after at(37) = 2026-12-09.
            (soon, 1, task_fields(ROBIN, d(2026, 11, 2), "Zoë Testchild")),
            (
                later,
                1,
                task_fields(ROBIN, d(2026, 11, 20), "Owen Testchild"),
            ),
            (
                overdue,
                1,
                task_fields(ROBIN, d(2026, 10, 20), "Ada Testchild"),
            ),
            (
                colleague,
                1,
                task_fields(JO, d(2026, 11, 2), "Eli Testchild"),
            ),
        ],
    )
    .await;
    let now = at(37);
    let t = trays(&store, now).await.unwrap();
    let names: Vec<&str> = t.assigned.iter().map(|r| r.child_name.as_str()).collect();
    assert_eq!(names, ["Ada Testchild", "Zoë Testchild", "Owen Testchild"]);
    assert_eq!(
        t.assigned
            .iter()
            .map(|r| (r.due, r.days_left))
            .collect::<Vec<_>>(),
        [(Due::Overdue, -8), (Due::Soon, 5), (Due::Later, 23)]
    );
    let first = &t.assigned[1];
    assert_eq!(first.form_title, "EHCNA Information Gathering");
    assert_eq!(first.sent_by.name, "Nia Testofficer");
    assert_eq!(first.comments, "Please complete the report");
    assert_eq!(
        first.reference,
        format!("TSK-{}", &soon.simple().to_string()[20..])
    );
    assert!(t.retracted.is_empty() && t.submitted.is_empty());

    // The council retracts one (as the server sends it back).
    let mut retracted = task_fields(ROBIN, d(2026, 11, 2), "Zoë Testchild");
    retracted.insert("status".into(), json!("retracted"));
    retracted.insert("closed_at".into(), json!(at(30)));
    pull(&store, 2, vec![(soon, 2, retracted)]).await;
    let t = trays(&store, now).await.unwrap();
    assert_eq!(t.assigned.len(), 2);
    assert_eq!(t.retracted.len(), 1);
    assert_eq!(t.retracted[0].child_name, "Zoë Testchild");
    // Thirty days after the retraction it is gone; one second less it is still there.
    let t = trays(&store, at(60)).await.unwrap();
    assert_eq!(t.retracted.len(), 1);
    let t = trays(&store, at(60) + Duration::seconds(1)).await.unwrap();
    assert!(t.retracted.is_empty());
    // Another signed-in user sees only theirs.
    sign_in_as(&store, JO).await;
    let t = trays(&store, now).await.unwrap();
    assert_eq!(t.assigned.len(), 1);
    assert_eq!(t.assigned[0].child_name, "Eli Testchild");
}

#[tokio::test]
async fn answers_autosave_into_the_outbox_and_submit_moves_the_task() {
    let (_dir, store, id) = robins_task_for_zoe().await;
    let view = load_task(&store, &id, at(1)).await.unwrap();
    assert!(view.editable);
    assert_eq!(view.form.code, "ehcna_information_gathering");
    assert!(view.prefilled.contains(&PrefilledField {
        id: "child_name".into(),
        value: text("Zoë Testchild")
    }));
    assert!(view.errors.iter().any(|e| e.path == "fields.health_needs"));

    // Nothing answered yet: submit names every missing answer and changes nothing.
    let before = store.pending_mutations(100).await.unwrap().len();
    match submit_task(&store, &id, at(1)).await.unwrap() {
        TaskSubmitOutcome::Invalid { errors } => {
            let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
            assert!(paths.contains(&"fields.known_to_service"), "{paths:?}");
            assert!(paths.contains(&"groups.health_provision"), "{paths:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store.pending_mutations(100).await.unwrap().len(), before);

    // A half-done row is kept and named; a prefilled value sent back is dropped, not saved.
    let mut partial = complete_answers();
    partial.groups.get_mut("health_provision").unwrap()[0].remove("who");
    partial
        .fields
        .insert("child_name".into(), text("Changed Name"));
    let saved = save_answers(&store, &id, &partial, at(2)).await.unwrap();
    assert_eq!(
        saved.errors,
        vec![FieldError::new(
            "groups.health_provision[0].who",
            "Enter who will provide this"
        )]
    );
    let pending = store.pending_mutations(100).await.unwrap();
    assert_eq!(pending.len(), before + 1, "one outbox row per save");
    let view = load_task(&store, &id, at(2)).await.unwrap();
    assert!(!view.answers.fields.contains_key("child_name"));
    assert_eq!(
        view.answers.fields.get("health_needs"),
        Some(&text("Fine motor difficulties."))
    );

    save_answers(&store, &id, &complete_answers(), at(3))
        .await
        .unwrap();
    assert_eq!(
        submit_task(&store, &id, at(3)).await.unwrap(),
        TaskSubmitOutcome::Submitted
    );
    let t = trays(&store, at(4)).await.unwrap();
    assert!(t.assigned.is_empty());
    assert_eq!(t.submitted.len(), 1);
    assert_eq!(t.submitted[0].closed_at, Some(at(3)));
    // The status and closing time are queued for the server.
    let fields: Vec<String> = store
        .pending_mutations(100)
        .await
        .unwrap()
        .iter()
        .flat_map(|m| m.changes.iter().map(|f| f.field.clone()))
        .collect();
    assert!(fields.contains(&"status".to_owned()), "{fields:?}");
    assert!(fields.contains(&"closed_at".to_owned()), "{fields:?}");
    // Submitted: no more changes.
    let err = save_answers(&store, &id, &complete_answers(), at(5))
        .await
        .unwrap_err();
    assert!(err.message.contains("submitted"), "{}", err.message);
    // A second press is harmless.
    assert_eq!(
        submit_task(&store, &id, at(5)).await.unwrap(),
        TaskSubmitOutcome::Submitted
    );
}

#[tokio::test]
async fn someone_elses_or_a_retracted_task_cannot_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(dir.path()).await;
    sign_in_as(&store, ROBIN).await;
    let (theirs, retracted) = (Uuid::now_v7(), Uuid::now_v7());
    let mut r = task_fields(ROBIN, d(2026, 11, 2), "Zoë Testchild");
    r.insert("status".into(), json!("retracted"));
    r.insert("closed_at".into(), json!(at(1)));
    pull(
        &store,
        1,
        vec![
            (theirs, 1, task_fields(JO, d(2026, 11, 2), "Eli Testchild")),
            (retracted, 1, r),
        ],
    )
    .await;
    let view = load_task(&store, &theirs.to_string(), at(2)).await.unwrap();
    assert!(!view.editable);
    let err = save_answers(&store, &theirs.to_string(), &complete_answers(), at(2))
        .await
        .unwrap_err();
    assert!(err.message.contains("someone else"), "{}", err.message);
    let err = submit_task(&store, &retracted.to_string(), at(2))
        .await
        .unwrap_err();
    assert!(err.message.contains("retracted"), "{}", err.message);
    let err = load_task(&store, &Uuid::now_v7().to_string(), at(2))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::RecordNotFound);
}

#[test]
fn due_dates_within_seven_days_are_soon() {
    let today = d(2026, 12, 1);
    assert_eq!(due_of(d(2026, 11, 30), today), (Due::Overdue, -1));
    assert_eq!(due_of(d(2026, 12, 1), today), (Due::Soon, 0));
    assert_eq!(due_of(d(2026, 12, 8), today), (Due::Soon, 7));
    assert_eq!(due_of(d(2026, 12, 9), today), (Due::Later, 8));
}

const SAM: u128 = 3;
const STRANGER: u128 = 9;

/// The server's answer to a look-up (`POST /api/v1/users/lookup`) by someone in the North
/// group (Robin, Jo as a member here, Sam its manager).
fn found(n: u128, name: &str, out_of_office: Option<&str>, shared: bool) -> FoundUser {
    FoundUser {
        id: UserId(uid(n)),
        name: name.into(),
        role: if n == SAM {
            Role::Manager
        } else {
            Role::PartnerProfessional
        },
        out_of_office: out_of_office.map(str::to_owned),
        shared_work_groups: if shared {
            vec![hearth_domain::account::WorkGroup {
                id: hearth_domain::ids::WorkGroupId(uid(GROUP)),
                name: "North locality".into(),
                members: vec![UserId(uid(ROBIN)), UserId(uid(JO))],
                managers: vec![UserId(uid(SAM))],
            }]
        } else {
            vec![]
        },
    }
}

#[tokio::test]
async fn reassign_within_work_groups_then_counter_sign_and_submit() {
    let (_dir, store, sid) = robins_task_for_zoe().await;

    // Someone outside the work groups: named, refused, nothing written.
    let stranger = found(STRANGER, "Lee Teststranger", None, false);
    let d0 = delegate_of(&store, &sid, &stranger).await.unwrap();
    assert!(!d0.may_reassign && !d0.may_counter_sign);
    let before = store.pending_mutations(100).await.unwrap().len();
    let err = reassign(&store, &sid, &stranger, false, at(1))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("Lee Teststranger"), "{}", err.message);
    assert_eq!(store.pending_mutations(100).await.unwrap().len(), before);

    // A colleague with an out-of-office message: shown before confirming.
    let jo = found(JO, "Jo Testworker", Some("Away until 7 December"), true);
    let dj = delegate_of(&store, &sid, &jo).await.unwrap();
    assert_eq!(dj.out_of_office.as_deref(), Some("Away until 7 December"));
    assert!(dj.may_reassign && !dj.may_counter_sign);
    // Jo is no manager: cannot counter-sign.
    let err = reassign(&store, &sid, &jo, true, at(1)).await.unwrap_err();
    assert!(err.message.contains("does not manage"), "{}", err.message);

    save_answers(&store, &sid, &complete_answers(), at(1))
        .await
        .unwrap();
    reassign(&store, &sid, &jo, false, at(2)).await.unwrap();
    // It left Robin's tray and he can no longer change it.
    assert!(trays(&store, at(2)).await.unwrap().assigned.is_empty());
    assert!(!load_task(&store, &sid, at(2)).await.unwrap().editable);
    let changes: Vec<(String, Value)> = store
        .pending_mutations(100)
        .await
        .unwrap()
        .iter()
        .flat_map(|m| m.changes.iter().map(|c| (c.field.clone(), c.value.clone())))
        .collect();
    assert!(
        changes.contains(&("assignee_id".into(), json!(uid(JO).to_string()))),
        "{changes:?}"
    );

    // On Jo's device (the same cache, signed in as Jo): Jo hands it back to Robin ...
    sign_in_as(&store, JO).await;
    assert_eq!(trays(&store, at(2)).await.unwrap().assigned.len(), 1);
    let robin = found(ROBIN, "Robin Testnurse", None, true);
    reassign(&store, &sid, &robin, false, at(3)).await.unwrap();
    // ... who asks Sam, the group's manager, to counter-sign.
    sign_in_as(&store, ROBIN).await;
    let sam = found(SAM, "Sam Testmanager", None, true);
    assert!(
        delegate_of(&store, &sid, &sam)
            .await
            .unwrap()
            .may_counter_sign
    );
    reassign(&store, &sid, &sam, true, at(4)).await.unwrap();
    // Sent to be counter-signed: it leaves Robin's tray at once, before any sync.
    let robins = trays(&store, at(4)).await.unwrap();
    assert!(robins.assigned.is_empty(), "{:?}", robins.assigned);
    assert!(robins.submitted.is_empty() && robins.retracted.is_empty());
    assert!(!load_task(&store, &sid, at(4)).await.unwrap().editable);

    sign_in_as(&store, SAM).await;
    let view = load_task(&store, &sid, at(4)).await.unwrap();
    assert!(view.editable);
    assert_eq!(
        view.counter_signature,
        CounterSignature::Awaiting {
            manager: UserId(uid(SAM)),
            requested_by: UserId(uid(ROBIN))
        }
    );
    // Not signed yet: submit is refused with the reason.
    let err = submit_task(&store, &sid, at(4)).await.unwrap_err();
    assert!(err.message.contains("counter-signatory"), "{}", err.message);
    counter_sign(&store, &sid, at(5)).await.unwrap();
    assert_eq!(
        submit_task(&store, &sid, at(5)).await.unwrap(),
        TaskSubmitOutcome::Submitted
    );
    let t = trays(&store, at(6)).await.unwrap();
    assert_eq!(t.submitted.len(), 1);
    assert_eq!(t.submitted[0].child_name, "Zoë Testchild");
    // Printed as the submitted contribution.
    let printed = crate::printing::print_record_pdf(
        &store,
        sid.parse().unwrap(),
        &Config::builtin(),
        d(2026, 11, 8),
    )
    .await
    .unwrap();
    assert!(printed.bytes.starts_with(b"%PDF"));
    assert!(printed.file_name.ends_with(".pdf"), "{}", printed.file_name);
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

#[tokio::test]
async fn supporting_documents_are_added_and_removed_until_submit() {
    use crate::documents::{add, plan_documents, remove, stage, AddOutcome};
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let state = AppState::new(
        dir.path().to_path_buf(),
        crate::state::KeyPolicy::PasswordOnly,
    );
    let store = temp_store(dir.path()).await;
    *state.store.lock().await = Some(store.clone());
    sign_in_as(&store, ROBIN).await;
    let (id, theirs) = (Uuid::now_v7(), Uuid::now_v7());
    pull(
        &store,
        1,
        vec![
            (id, 1, task_fields(ROBIN, d(2026, 11, 2), "Zoë Testchild")),
            (theirs, 1, task_fields(JO, d(2026, 11, 2), "Eli Testchild")),
        ],
    )
    .await;
    let sid = id.to_string();
    let docs = plan_documents(&store, &sid).await.unwrap();
    assert!(docs.open_for_changes && docs.documents.is_empty() && docs.other_plans.is_empty());
    assert!(
        !plan_documents(&store, &theirs.to_string())
            .await
            .unwrap()
            .open_for_changes
    );

    let mut added = vec![];
    for (name, bytes) in [("ot report.pdf", PDF), ("photo.png", PNG)] {
        let path = files.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let staged = stage(&state, &path, &docs.reference, d(2026, 11, 21))
            .await
            .unwrap();
        let AddOutcome::Added { documents, .. } = add(
            &state,
            &sid,
            &staged.staged_id,
            staged.suggested_title.clone(),
            staged.suggested_name.clone(),
            at(2),
        )
        .await
        .unwrap() else {
            panic!("expected {name} added")
        };
        added = documents.documents;
    }
    assert_eq!(added.len(), 2);
    // Taken off again before submitting: one left, the removal queued for the server.
    let left = remove(&store, &added[0].id, at(3)).await.unwrap();
    assert_eq!(left.documents.len(), 1);
    save_answers(&store, &sid, &complete_answers(), at(3))
        .await
        .unwrap();
    submit_task(&store, &sid, at(4)).await.unwrap();
    // Submitted: documents can no longer change.
    let err = remove(&store, &left.documents[0].id, at(5))
        .await
        .unwrap_err();
    assert!(err.message.contains("submitted"), "{}", err.message);
    assert!(!plan_documents(&store, &sid).await.unwrap().open_for_changes);
}

/// A hand-over is decided from the task's own fields on this device (its `assignee_id`
/// against the signed-in user): no server, no pull. The record stays on the device (the
/// sender may still read it until the server purges it), but in none of the sender's trays,
/// and the new assignee's tray has it as soon as their device holds the same fields.
#[tokio::test]
async fn a_handed_over_task_leaves_the_senders_trays_at_once_offline() {
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(dir.path()).await;
    sign_in_as(&store, ROBIN).await;
    let (zoe, owen) = (Uuid::now_v7(), Uuid::now_v7());
    pull(
        &store,
        1,
        vec![
            (zoe, 1, task_fields(ROBIN, d(2026, 11, 2), "Zoë Testchild")),
            (
                owen,
                1,
                task_fields(ROBIN, d(2026, 11, 2), "Owen Testchild"),
            ),
        ],
    )
    .await;
    assert_eq!(trays(&store, at(1)).await.unwrap().assigned.len(), 2);

    let jo = found(JO, "Jo Testworker", None, true);
    reassign(&store, &zoe.to_string(), &jo, false, at(2))
        .await
        .unwrap();
    let sam = found(SAM, "Sam Testmanager", None, true);
    reassign(&store, &owen.to_string(), &sam, true, at(2))
        .await
        .unwrap();
    let t = trays(&store, at(2)).await.unwrap();
    assert!(t.assigned.is_empty(), "{:?}", t.assigned);
    assert!(t.retracted.is_empty() && t.submitted.is_empty());
    // Still on the device, read-only, with the hand-over queued for the server.
    for id in [zoe, owen] {
        let view = load_task(&store, &id.to_string(), at(2)).await.unwrap();
        assert!(!view.editable);
    }
    let assignees: Vec<Value> = store
        .pending_mutations(100)
        .await
        .unwrap()
        .iter()
        .flat_map(|m| m.changes.iter())
        .filter(|c| c.field == "assignee_id")
        .map(|c| c.value.clone())
        .collect();
    assert_eq!(
        assignees,
        [json!(uid(JO).to_string()), json!(uid(SAM).to_string())]
    );
    // Days later, still not in any of Robin's trays.
    assert!(trays(&store, at(20)).await.unwrap().assigned.is_empty());
    // Each new assignee finds theirs in "Currently assigned".
    for (who, child) in [(JO, "Zoë Testchild"), (SAM, "Owen Testchild")] {
        sign_in_as(&store, who).await;
        let t = trays(&store, at(2)).await.unwrap();
        let names: Vec<&str> = t.assigned.iter().map(|r| r.child_name.as_str()).collect();
        assert_eq!(names, [child]);
    }
}

/// A date typed into the contribution form without its year is kept through saves and
/// reloads, named in the errors until it is whole, and keeps the form from being submitted.
#[tokio::test]
async fn a_half_typed_date_is_kept_and_named_until_whole() {
    use hearth_domain::plan::DateParts;
    let (_dir, store, id) = robins_task_for_zoe().await;
    let mut answers = complete_answers();
    answers.fields.remove("completed_on");
    let typed = DateParts {
        day: "20".into(),
        month: "11".into(),
        year: String::new(),
    };
    answers
        .unfinished_dates
        .insert("fields.completed_on".into(), typed.clone());
    // A row with a half-typed report date, and entries for no question: the latter dropped.
    answers.groups.insert(
        "reports".into(),
        vec![[("report".to_owned(), text("OT assessment"))].into()],
    );
    answers.unfinished_dates.insert(
        "groups.reports[0].date".into(),
        DateParts {
            day: "3".into(),
            ..DateParts::default()
        },
    );
    for stale in [
        "fields.health_needs",
        "groups.reports[5].date",
        "fields.shoe_size",
    ] {
        answers.unfinished_dates.insert(stale.into(), typed.clone());
    }
    let want = vec![
        FieldError::new("fields.completed_on", "Date completed must include a year"),
        FieldError::new(
            "groups.reports[0].date",
            "Date in row 1 of reports must include a month and a year",
        ),
    ];
    let saved = save_answers(&store, &id, &answers, at(2)).await.unwrap();
    assert_eq!(saved.errors, want);

    // Reloaded (a restart reads the same record): what was typed is there.
    let view = load_task(&store, &id, at(3)).await.unwrap();
    assert_eq!(
        view.answers.unfinished_dates.keys().collect::<Vec<_>>(),
        ["fields.completed_on", "groups.reports[0].date"]
    );
    assert_eq!(view.answers.unfinished_dates["fields.completed_on"], typed);
    assert_eq!(view.errors, want);
    match submit_task(&store, &id, at(3)).await.unwrap() {
        TaskSubmitOutcome::Invalid { errors } => assert_eq!(errors, want),
        other => panic!("{other:?}"),
    }

    // Finished: the date is the answer, the parts are gone, and it can be submitted.
    let mut whole = view.answers.clone();
    whole
        .fields
        .insert("completed_on".into(), FieldValue::Date(d(2026, 11, 20)));
    whole.groups.get_mut("reports").unwrap()[0]
        .insert("date".into(), FieldValue::Date(d(2026, 11, 3)));
    let saved = save_answers(&store, &id, &whole, at(4)).await.unwrap();
    assert_eq!(saved.errors, vec![]);
    let view = load_task(&store, &id, at(4)).await.unwrap();
    assert!(view.answers.unfinished_dates.is_empty());
    assert_eq!(
        submit_task(&store, &id, at(5)).await.unwrap(),
        TaskSubmitOutcome::Submitted
    );
}
