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
