//! The store's side of document sync and of a server restore: reading a document by range
//! for a resumable upload; the journal of answered mutations put back in front of the
//! outbox (same ids, same content, in order) when the server shows a new epoch.

use hearth_domain::RecordKind;
use hearth_store::{Answer, MutationId, NewDocument};
use serde_json::json;

use crate::helpers::{at, data_dir, open, save};

#[tokio::test]
async fn document_ranges_cross_chunk_boundaries() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let plan = save(&store, None, 1, json!({ "n": 1 }), 1).await;
    let bytes: Vec<u8> = (0..2_600_000u32).map(|i| (i % 253) as u8).collect();
    let meta = store
        .put_document(NewDocument {
            id: None,
            record_id: plan.record_id,
            title: "Invented".into(),
            file_name: "invented.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: &bytes,
            added_at: at(2),
        })
        .await
        .unwrap();
    let mib = 1024 * 1024;
    for (offset, len) in [
        (0, mib),
        (mib, mib),
        (2 * mib, mib),
        (mib - 10, 20),
        (123, 2 * mib),
        (2_599_990, 100),
    ] {
        let got = store
            .document_range(meta.id, offset as u64, len)
            .await
            .unwrap()
            .unwrap();
        let end = (offset + len).min(bytes.len());
        assert_eq!(got, bytes[offset..end], "{offset}+{len}");
    }
    assert!(store
        .document_range(meta.id, 3_000_000, 10)
        .await
        .unwrap()
        .unwrap()
        .is_empty());
    let meta2 = store.document_meta(meta.id).await.unwrap().unwrap();
    assert_eq!(meta2.sha256, meta.sha256);
}

#[tokio::test]
async fn answered_mutations_go_back_in_front_after_a_new_epoch() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let a = save(&store, None, 1, json!({ "x": "one" }), 1).await;
    save(&store, Some(a.record_id), 1, json!({ "x": "two" }), 2).await;
    let answers: Vec<_> = [1, 2]
        .into_iter()
        .map(|m| {
            (
                MutationId(m),
                Answer::Applied {
                    version: m,
                    reference: Some("FSP-000001".into()),
                },
            )
        })
        .collect();
    store.record_answers(&answers, at(3)).await.unwrap();
    save(&store, Some(a.record_id), 1, json!({ "x": "three" }), 4).await;
    assert_eq!(store.journal_len().await.unwrap(), 2);
    let before: Vec<_> = store.pending_mutations(10).await.unwrap();
    assert_eq!(before.len(), 1);

    assert_eq!(store.begin_restore().await.unwrap(), 2);
    let after = store.pending_mutations(10).await.unwrap();
    let ids: Vec<i64> = after.iter().map(|m| m.mutation_id.0).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(after[0].kind, RecordKind::Plan);
    assert_eq!(after[0].changes[0].value, json!("one"));
    assert_eq!(after[1].changes[0].value, json!("two"));
    assert_eq!(store.sync_cursor().await.unwrap(), (0, None));
    assert_eq!(store.journal_len().await.unwrap(), 0);
    // The local view is unchanged.
    let draft = store.load(a.record_id).await.unwrap().unwrap();
    assert_eq!(draft.fields["x"], json!("three"));
}

fn pulled(
    id: uuid::Uuid,
    kind: RecordKind,
    version: i64,
    fields: serde_json::Value,
) -> hearth_store::PulledRecord {
    let serde_json::Value::Object(fields) = fields else {
        panic!("fields must be an object")
    };
    hearth_store::PulledRecord {
        id,
        kind,
        version,
        epoch: 0,
        deleted: false,
        fields,
        reference: None,
    }
}

fn page(records: Vec<hearth_store::PulledRecord>, cursor: i64) -> hearth_store::PulledPage {
    hearth_store::PulledPage {
        records,
        purges: Vec::new(),
        cursor,
        server_epoch: "epoch-1".into(),
    }
}

/// A pulled document arrives as metadata with its page; its bytes are listed as still to
/// download, refused when they do not match, and then stored.
#[tokio::test]
async fn pulled_documents_come_as_metadata_then_their_bytes() {
    use sha2::{Digest as _, Sha256};
    let dir = data_dir();
    let store = open(dir.path()).await;
    let plan = uuid::Uuid::now_v7();
    let doc = uuid::Uuid::now_v7();
    let bytes = b"%PDF-1.4\n% invented\n%%EOF".to_vec();
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    store
        .apply_pull(
            &page(
                vec![
                    pulled(plan, RecordKind::Plan, 1, json!({ "status": "active" })),
                    pulled(
                        doc,
                        RecordKind::Document,
                        1,
                        json!({
                            "record_id": plan.to_string(), "title": "Invented letter",
                            "file_name": "letter.pdf", "content_type": "application/pdf",
                            "size": bytes.len(), "sha256": sha,
                        }),
                    ),
                ],
                2,
            ),
            at(1),
        )
        .await
        .unwrap();
    let listed = store
        .list_documents(hearth_store::RecordId::from_uuid(plan))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].title, "Invented letter");
    let id = hearth_store::DocumentId::from_uuid(doc);
    assert!(matches!(
        store.get_document(id).await,
        Err(hearth_store::StoreError::DocumentNotDownloaded(d)) if d == id
    ));
    let missing = store.documents_without_bytes(None, 10).await.unwrap();
    assert_eq!(missing.len(), 1);
    assert_eq!(
        (missing[0].id, missing[0].sha256.as_str()),
        (id, sha.as_str())
    );
    assert!(store
        .documents_without_bytes(Some(id), 10)
        .await
        .unwrap()
        .is_empty());

    // Other bytes are not taken.
    let mut wrong = bytes.clone();
    wrong[12] ^= 1;
    assert_eq!(
        store.store_downloaded_bytes(&[(id, &wrong)]).await.unwrap(),
        0
    );
    assert_eq!(
        store.documents_without_bytes(None, 10).await.unwrap().len(),
        1
    );
    assert_eq!(
        store.store_downloaded_bytes(&[(id, &bytes)]).await.unwrap(),
        1
    );
    assert!(store
        .documents_without_bytes(None, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.get_document(id).await.unwrap().unwrap().bytes, bytes);
    // Stored bytes are not stored again.
    assert_eq!(
        store.store_downloaded_bytes(&[(id, &bytes)]).await.unwrap(),
        0
    );
}

/// A record pulled new keeps one copy of its fields; a local edit must not lose the
/// server's copy: a conflict answer brings the record back to what the server has.
#[tokio::test]
async fn a_pulled_records_server_copy_survives_a_local_edit() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let id = uuid::Uuid::now_v7();
    store
        .apply_pull(
            &page(
                vec![pulled(
                    id,
                    RecordKind::Plan,
                    3,
                    json!({ "status": "active", "a": "server", "b": "kept" }),
                )],
                1,
            ),
            at(1),
        )
        .await
        .unwrap();
    let record = hearth_store::RecordId::from_uuid(id);
    let edit = save(&store, Some(record), 1, json!({ "a": "mine" }), 2).await;
    let draft = store.load(record).await.unwrap().unwrap();
    assert_eq!(draft.fields["a"], json!("mine"));
    assert_eq!(draft.summary.version, 4);
    store
        .record_answers(
            &[(
                edit.mutation_id.unwrap(),
                Answer::Conflict {
                    server_version: 3,
                    fields: Vec::new(),
                },
            )],
            at(3),
        )
        .await
        .unwrap();
    let draft = store.load(record).await.unwrap().unwrap();
    assert_eq!(
        draft.fields["a"],
        json!("server"),
        "the server's copy was lost"
    );
    assert_eq!(draft.fields["b"], json!("kept"));
    assert_eq!(draft.summary.version, 3);

    // An applied answer moves the server's copy on from the pulled one.
    let edit = save(&store, Some(record), 1, json!({ "b": "changed" }), 4).await;
    store
        .record_answers(
            &[(
                edit.mutation_id.unwrap(),
                Answer::Applied {
                    version: 4,
                    reference: None,
                },
            )],
            at(5),
        )
        .await
        .unwrap();
    let draft = store.load(record).await.unwrap().unwrap();
    assert_eq!(draft.fields["a"], json!("server"));
    assert_eq!(draft.fields["b"], json!("changed"));
    assert_eq!(draft.summary.version, 4);
    assert_eq!(draft.summary.server_version, Some(4));
}

/// A pulled record's provisional reference: from the server's permanent reference when it
/// carries one of its kind (`FSP-000123` → `LOCAL-FSP-000123`), on the page-wise path and
/// the one-by-one path alike; the id's random part when it has none; the whole id when the
/// short form is taken. The permanent reference is what lists show and search finds.
#[tokio::test]
async fn pulled_records_take_their_provisional_reference_from_the_permanent_one() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let with_ref = uuid::Uuid::now_v7();
    let without_ref = uuid::Uuid::now_v7();
    let task = uuid::Uuid::now_v7();
    let clash = uuid::Uuid::now_v7();
    let mut a = pulled(with_ref, RecordKind::Plan, 1, json!({ "status": "active" }));
    a.reference = Some("FSP-000123".into());
    let b = pulled(
        without_ref,
        RecordKind::Plan,
        1,
        json!({ "status": "active" }),
    );
    // Named twice in its page: applied one by one.
    let mut t1 = pulled(task, RecordKind::Task, 1, json!({ "status": "open" }));
    t1.reference = Some("TSK-000007".into());
    let mut t2 = t1.clone();
    t2.version = 2;
    store
        .apply_pull(&page(vec![a, b, t1, t2], 3), at(1))
        .await
        .unwrap();
    // A record without a permanent reference whose id's random part reads 0000000124, then
    // one whose permanent reference FSP-0000000124 would give the same provisional one.
    let mut held = uuid::Uuid::now_v7().into_bytes();
    held[11..].copy_from_slice(&[0, 0, 0, 1, 0x24]);
    let held = uuid::Uuid::from_bytes(held);
    store
        .apply_pull(
            &page(
                vec![pulled(
                    held,
                    RecordKind::Plan,
                    1,
                    json!({ "status": "active" }),
                )],
                4,
            ),
            at(2),
        )
        .await
        .unwrap();
    let mut c = pulled(clash, RecordKind::Plan, 1, json!({ "status": "active" }));
    c.reference = Some("FSP-0000000124".into());
    store.apply_pull(&page(vec![c], 5), at(3)).await.unwrap();

    let plans = store.list(RecordKind::Plan).await.unwrap();
    let plan = |id: uuid::Uuid| {
        plans
            .iter()
            .find(|p| p.id == hearth_store::RecordId::from_uuid(id))
            .unwrap()
    };
    assert_eq!(plan(with_ref).local_reference, "LOCAL-FSP-000123");
    assert_eq!(
        plan(with_ref).server_reference.as_deref(),
        Some("FSP-000123")
    );
    let tail: String = without_ref.into_bytes()[11..]
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert_eq!(
        plan(without_ref).local_reference,
        format!("LOCAL-FSP-{tail}")
    );
    assert_eq!(plan(without_ref).server_reference, None);
    assert_eq!(plan(held).local_reference, "LOCAL-FSP-0000000124");
    assert_eq!(
        plan(clash).local_reference,
        format!("LOCAL-FSP-{}", clash.simple()).to_uppercase()
    );
    let tasks = store.list(RecordKind::Task).await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].local_reference, "LOCAL-TSK-000007");
    assert_eq!(tasks[0].server_reference.as_deref(), Some("TSK-000007"));
    let found = store.search("FSP-000123", 10).await.unwrap();
    assert!(
        found
            .iter()
            .any(|r| r.id == hearth_store::RecordId::from_uuid(with_ref)),
        "found by its permanent reference"
    );
}
