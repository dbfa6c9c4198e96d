//! Drafts: autosave merges, versions, the outbox in the same transaction, list, discard,
//! status and the dashboard counts.

use hearth_domain::RecordKind;
use hearth_store::{
    status, FieldChange, MutationId, Operation, RecordId, StepSave, Store, StoreError,
};
use serde_json::json;

use crate::helpers::{at, data_dir, open, save};

#[tokio::test]
async fn saving_steps_merges_fields_and_bumps_the_version() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let first = save(
        &store,
        None,
        1,
        json!({ "forename": "Ada", "surname": "Testfamily" }),
        1,
    )
    .await;
    assert_eq!(first.version, 1);
    assert_eq!(first.mutation_id, Some(MutationId(1)));
    assert!(
        first.local_reference.starts_with("LOCAL-FSP-"),
        "{}",
        first.local_reference
    );
    assert_eq!(first.local_reference.len(), "LOCAL-FSP-".len() + 10);

    let second = save(
        &store,
        Some(first.record_id),
        2,
        json!({ "school": "Example Primary" }),
        2,
    )
    .await;
    let third = save(
        &store,
        Some(first.record_id),
        1,
        json!({ "forename": "Adah", "surname": "Testfamily" }),
        3,
    )
    .await;
    assert_eq!((second.version, third.version), (2, 3));
    assert_eq!(
        third.local_reference, first.local_reference,
        "the reference is given once"
    );

    let draft = store.load(first.record_id).await.unwrap().unwrap();
    assert_eq!(
        serde_json::Value::Object(draft.fields),
        json!({ "forename": "Adah", "surname": "Testfamily", "school": "Example Primary" })
    );
    let s = draft.summary;
    assert_eq!(
        (s.kind, s.status.as_str(), s.version, s.last_step),
        (RecordKind::Plan, status::DRAFT, 3, 1)
    );
    assert_eq!(s.steps_saved, vec![1, 2]);
    assert_eq!((s.created_at, s.last_saved_at), (at(1), at(3)));
    assert_eq!(s.server_reference, None);
    store.close().await;
}

#[tokio::test]
async fn every_save_writes_one_outbox_row_with_base_values() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let a = save(
        &store,
        None,
        1,
        json!({ "surname": "Testfamily", "forename": "Ada" }),
        1,
    )
    .await;
    let b = save(&store, None, 1, json!({ "surname": "Otherfamily" }), 2).await;
    save(
        &store,
        Some(a.record_id),
        1,
        json!({ "surname": "Testfamily", "forename": "Adah" }),
        3,
    )
    .await;

    let pending = store.pending_mutations(100).await.unwrap();
    let ids: Vec<i64> = pending.iter().map(|m| m.mutation_id.0).collect();
    assert_eq!(
        ids,
        vec![1, 2, 3],
        "per client, strictly increasing, no gaps"
    );
    assert!(pending.iter().all(|m| m.client_id == store.client_id()));

    let m = &pending[0];
    assert_eq!(
        (m.record_id, m.kind, m.operation, m.step, m.base_version),
        (
            a.record_id.as_uuid(),
            RecordKind::Plan,
            Operation::Create,
            Some(1),
            0
        )
    );
    assert_eq!(m.created_at, at(1));
    assert_eq!(pending[1].record_id, b.record_id.as_uuid());

    let m = &pending[2];
    assert_eq!((m.operation, m.base_version), (Operation::Update, 1));
    assert_eq!(
        m.changes,
        vec![FieldChange {
            field: "forename".into(),
            base: json!("Ada"),
            value: json!("Adah")
        }],
        "only the changed field, with its value before the edit"
    );
    store.close().await;
}

#[tokio::test]
async fn a_save_that_changes_nothing_writes_nothing() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let a = save(&store, None, 1, json!({ "surname": "Testfamily" }), 1).await;
    let again = save(
        &store,
        Some(a.record_id),
        1,
        json!({ "surname": "Testfamily" }),
        2,
    )
    .await;
    assert_eq!((again.version, again.mutation_id), (1, None));
    assert_eq!(store.pending_mutations(10).await.unwrap().len(), 1);
    store.close().await;
}

#[tokio::test]
async fn a_failed_save_writes_neither_the_record_nor_an_outbox_row() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let plan = save(&store, None, 1, json!({ "surname": "Testfamily" }), 1).await;

    let err = store
        .save_step(StepSave::new(
            Some(plan.record_id),
            RecordKind::Referral,
            1,
            json!({ "surname": "Changed" }),
            at(2),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::KindMismatch { id, existing: RecordKind::Plan, requested: RecordKind::Referral } if id == plan.record_id),
        "{err:?}"
    );
    let err = store
        .save_step(StepSave::new(
            Some(plan.record_id),
            RecordKind::Plan,
            3,
            json!(["not", "an", "object"]),
            at(3),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::FieldsNotAnObject { step: 3 }),
        "{err:?}"
    );

    let draft = store.load(plan.record_id).await.unwrap().unwrap();
    assert_eq!(draft.fields["surname"], "Testfamily");
    assert_eq!(draft.summary.version, 1);
    assert_eq!(store.pending_mutations(10).await.unwrap().len(), 1);
    // The next edit gets the next id: the failed ones used none.
    let next = save(
        &store,
        Some(plan.record_id),
        1,
        json!({ "surname": "Edited" }),
        4,
    )
    .await;
    assert_eq!(next.mutation_id, Some(MutationId(2)));
    store.close().await;
}

#[tokio::test]
async fn the_caller_may_choose_the_record_id() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let id = RecordId::new_at(at(0));
    let saved = save(&store, Some(id), 1, json!({ "a": 1 }), 1).await;
    assert_eq!((saved.record_id, saved.version), (id, 1));
    assert_eq!(
        store.pending_mutations(10).await.unwrap()[0].operation,
        Operation::Create
    );
    assert_eq!(id.as_uuid().get_version_num(), 7);
    store.close().await;
}

#[tokio::test]
async fn list_shows_a_kind_newest_first_and_discard_removes() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let old = save(&store, None, 1, json!({ "n": 1 }), 1).await;
    let new = save(&store, None, 1, json!({ "n": 2 }), 2).await;
    store
        .save_step(StepSave {
            title: Some("A referral".into()),
            ..StepSave::new(None, RecordKind::Referral, 1, json!({ "n": 3 }), at(3))
        })
        .await
        .unwrap();
    // Editing the older plan makes it the newest.
    save(&store, Some(old.record_id), 2, json!({ "n": 4 }), 4).await;

    let plans: Vec<RecordId> = store
        .list(RecordKind::Plan)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(plans, vec![old.record_id, new.record_id]);
    let referrals = store.list(RecordKind::Referral).await.unwrap();
    assert_eq!(referrals.len(), 1);
    assert_eq!(referrals[0].title.as_deref(), Some("A referral"));
    assert!(referrals[0].local_reference.starts_with("LOCAL-MARF-"));

    store.discard(old.record_id, at(5)).await.unwrap();
    assert_eq!(store.load(old.record_id).await.unwrap(), None);
    let plans: Vec<RecordId> = store
        .list(RecordKind::Plan)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(plans, vec![new.record_id]);
    let last = store.pending_mutations(100).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.record_id, last.operation, last.base_version),
        (old.record_id.as_uuid(), Operation::Discard, 2)
    );

    let err = store.discard(old.record_id, at(6)).await.unwrap_err();
    assert!(
        matches!(err, StoreError::RecordNotFound(id) if id == old.record_id),
        "{err:?}"
    );
    store.close().await;
}

#[tokio::test]
async fn acknowledge_removes_mutations_up_to_an_id() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let a = save(&store, None, 1, json!({ "n": 1 }), 1).await;
    for i in 2..=5 {
        save(&store, Some(a.record_id), 1, json!({ "n": i }), i).await;
    }
    assert_eq!(store.acknowledge(MutationId(3)).await.unwrap(), 3);
    let left: Vec<i64> = store
        .pending_mutations(100)
        .await
        .unwrap()
        .iter()
        .map(|m| m.mutation_id.0)
        .collect();
    assert_eq!(left, vec![4, 5]);
    assert_eq!(
        store.acknowledge(MutationId(3)).await.unwrap(),
        0,
        "acknowledging again is harmless"
    );
    // Ids keep increasing after acknowledgements.
    let next = save(&store, Some(a.record_id), 1, json!({ "n": 6 }), 6).await;
    assert_eq!(next.mutation_id, Some(MutationId(6)));
    assert_eq!(store.last_mutation_id().await.unwrap(), MutationId(6));
    assert_eq!(
        store.pending_mutations(1).await.unwrap().len(),
        1,
        "limit is respected"
    );
    store.close().await;
}

#[tokio::test]
async fn status_changes_are_edits_and_feed_the_dashboard() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let p1 = save(&store, None, 1, json!({ "n": 1 }), 1).await;
    let p2 = save(&store, None, 1, json!({ "n": 2 }), 2).await;
    save(&store, None, 1, json!({ "n": 3 }), 3).await;
    store
        .save_step(StepSave::new(
            None,
            RecordKind::Request,
            1,
            json!({}),
            at(4),
        ))
        .await
        .unwrap();

    let done = store
        .set_status(p1.record_id, status::COMPLETED, at(5))
        .await
        .unwrap();
    assert_eq!((done.version, done.mutation_id), (2, Some(MutationId(5))));
    store
        .set_status(p2.record_id, status::CLOSED, at(6))
        .await
        .unwrap();
    // The base is the record's `status` field as the server keeps it: a record created
    // here has none until its first status change (the server stores only pushed fields),
    // so a base of "draft" would make every first Finish a conflict at sync.
    let m = store.pending_mutations(100).await.unwrap().pop().unwrap();
    assert_eq!(
        m.changes,
        vec![FieldChange {
            field: "status".into(),
            base: json!(null),
            value: json!("closed")
        }]
    );
    // ...and from then on the field is there, locally and in the next change's base.
    let p2_now = store.load(p2.record_id).await.unwrap().unwrap();
    assert_eq!(p2_now.fields.get("status"), Some(&json!("closed")));
    assert_eq!(p2_now.summary.status, status::CLOSED);
    store
        .set_status(p2.record_id, status::COMPLETED, at(7))
        .await
        .unwrap();
    let m = store.pending_mutations(100).await.unwrap().pop().unwrap();
    assert_eq!(
        m.changes,
        vec![FieldChange {
            field: "status".into(),
            base: json!("closed"),
            value: json!("completed")
        }]
    );
    store
        .set_status(p2.record_id, status::CLOSED, at(8))
        .await
        .unwrap();

    let counts = store.counts().await.unwrap();
    assert_eq!(counts.drafts.get(&RecordKind::Plan), Some(&1));
    assert_eq!(counts.drafts.get(&RecordKind::Request), Some(&1));
    assert_eq!(counts.drafts.get(&RecordKind::Referral), None);
    assert_eq!(
        (
            counts.completed_plans,
            counts.closed_plans,
            counts.pending_outbox,
            counts.pending_records
        ),
        (1, 1, 8, 4)
    );
    store.close().await;
}

#[tokio::test]
async fn drafts_outlive_the_store() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let client = store.client_id();
    let a = save(&store, None, 1, json!({ "surname": "Testfamily" }), 1).await;
    store.close().await;

    let store = Store::open_or_create(
        dir.path(),
        crate::helpers::supplied(&crate::helpers::test_key()),
        at(9),
    )
    .await
    .unwrap();
    assert_eq!(store.client_id(), client, "the client id is made once");
    assert_eq!(
        store.load(a.record_id).await.unwrap().unwrap().fields["surname"],
        "Testfamily"
    );
    let b = save(&store, None, 1, json!({ "n": 1 }), 10).await;
    assert_eq!(b.mutation_id, Some(MutationId(2)));
    store.check_integrity().await.unwrap();
    store.close().await;
}
