//! Documents: round trip, list, delete, the outbox, and the 15 MB limit.

use hearth_domain::RecordKind;
use hearth_store::{DocumentId, NewDocument, Operation, RecordId, StoreError, MAX_DOCUMENT_BYTES};
use serde_json::json;

use crate::helpers::{at, data_dir, open, save, sha256_hex};

fn doc<'a>(record_id: RecordId, title: &str, bytes: &'a [u8], minute: i64) -> NewDocument<'a> {
    NewDocument {
        id: None,
        record_id,
        title: title.to_owned(),
        file_name: format!("{title}.pdf"),
        content_type: "application/pdf".to_owned(),
        bytes,
        added_at: at(minute),
    }
}

#[tokio::test]
async fn documents_round_trip_with_their_metadata() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let plan = save(&store, None, 1, json!({ "n": 1 }), 1).await;
    // More than one chunk, not a whole number of chunks.
    let bytes: Vec<u8> = (0..2_500_000u32).map(|i| (i % 251) as u8).collect();

    let meta = store
        .put_document(doc(plan.record_id, "Consent form", &bytes, 2))
        .await
        .unwrap();
    assert_eq!((meta.size, meta.version), (2_500_000, 1));
    assert_eq!(meta.sha256, sha256_hex(&bytes));

    let got = store.get_document(meta.id).await.unwrap().unwrap();
    assert_eq!(got.bytes, bytes);
    assert_eq!(got.meta.title, "Consent form");
    assert_eq!(got.meta.file_name, "Consent form.pdf");
    assert_eq!(got.meta.content_type, "application/pdf");
    assert_eq!(got.meta.added_at, at(2));

    let small = store
        .put_document(doc(plan.record_id, "Letter", b"%PDF-1.7 tiny", 3))
        .await
        .unwrap();
    let listed: Vec<DocumentId> = store
        .list_documents(plan.record_id)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(listed, vec![meta.id, small.id]);

    let m = store.pending_mutations(100).await.unwrap().pop().unwrap();
    assert_eq!(
        (m.record_id, m.kind, m.operation, m.base_version),
        (
            small.id.as_uuid(),
            RecordKind::Document,
            Operation::PutDocument,
            0
        )
    );
    let fields: Vec<&str> = m.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "record_id",
            "title",
            "file_name",
            "content_type",
            "size",
            "sha256"
        ]
    );

    // Replacing a document is an update of it.
    let replaced = store
        .put_document(NewDocument {
            id: Some(small.id),
            ..doc(plan.record_id, "Letter", b"%PDF-1.7 second", 4)
        })
        .await
        .unwrap();
    assert_eq!((replaced.version, replaced.added_at), (2, at(3)));
    assert_eq!(
        store.get_document(small.id).await.unwrap().unwrap().bytes,
        b"%PDF-1.7 second"
    );
    let m = store.pending_mutations(100).await.unwrap().pop().unwrap();
    assert_eq!(m.base_version, 1);
    let fields: Vec<&str> = m.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, vec!["size", "sha256"]);

    let deleted = store.delete_document(small.id, at(5)).await.unwrap();
    assert_eq!(store.get_document(small.id).await.unwrap(), None);
    let m = store.pending_mutations(100).await.unwrap().pop().unwrap();
    assert_eq!(
        (m.mutation_id, m.operation, m.base_version),
        (deleted, Operation::DeleteDocument, 2)
    );
    let err = store.delete_document(small.id, at(6)).await.unwrap_err();
    assert!(
        matches!(err, StoreError::DocumentNotFound(id) if id == small.id),
        "{err:?}"
    );
    store.close().await;
}

#[tokio::test]
async fn documents_over_15_mb_are_refused_and_15_mb_is_accepted() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let plan = save(&store, None, 1, json!({ "n": 1 }), 1).await;
    let max = usize::try_from(MAX_DOCUMENT_BYTES).unwrap();
    assert_eq!(max, 15 * 1024 * 1024);

    let too_big = vec![0x25u8; max + 1];
    let err = store
        .put_document(doc(plan.record_id, "Scan", &too_big, 2))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::DocumentTooLarge { size, max: m } if size == MAX_DOCUMENT_BYTES + 1 && m == MAX_DOCUMENT_BYTES),
        "{err:?}"
    );
    assert_eq!(store.list_documents(plan.record_id).await.unwrap(), vec![]);
    assert_eq!(
        store.pending_mutations(100).await.unwrap().len(),
        1,
        "no outbox row for a refused document"
    );
    drop(too_big);

    let just_fits = vec![0x25u8; max];
    let meta = store
        .put_document(doc(plan.record_id, "Scan", &just_fits, 3))
        .await
        .unwrap();
    assert_eq!(meta.size, MAX_DOCUMENT_BYTES);
    assert_eq!(
        store
            .get_document(meta.id)
            .await
            .unwrap()
            .unwrap()
            .bytes
            .len(),
        max
    );
    store.close().await;
}

#[tokio::test]
async fn a_document_needs_its_record_and_goes_when_the_record_is_discarded() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let ghost = RecordId::new_at(at(0));
    let err = store
        .put_document(doc(ghost, "Orphan", b"x", 1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::RecordNotFound(id) if id == ghost),
        "{err:?}"
    );

    let plan = save(&store, None, 1, json!({ "n": 1 }), 1).await;
    let d = store
        .put_document(doc(plan.record_id, "Letter", b"bytes", 2))
        .await
        .unwrap();
    store.discard(plan.record_id, at(3)).await.unwrap();
    assert_eq!(store.get_document(d.id).await.unwrap(), None);
    let ops: Vec<(uuid::Uuid, Operation)> = store
        .pending_mutations(100)
        .await
        .unwrap()
        .iter()
        .map(|m| (m.record_id, m.operation))
        .collect();
    assert_eq!(
        ops,
        vec![
            (plan.record_id.as_uuid(), Operation::Create),
            (d.id.as_uuid(), Operation::PutDocument),
            (d.id.as_uuid(), Operation::DeleteDocument),
            (plan.record_id.as_uuid(), Operation::Discard),
        ]
    );
    store.close().await;
}

#[tokio::test]
async fn a_document_is_relinked_with_one_outbox_row_naming_only_its_record() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let first = save(&store, None, 1, json!({ "n": 1 }), 1).await;
    let second = save(&store, None, 1, json!({ "n": 2 }), 2).await;
    let meta = store
        .put_document(doc(first.record_id, "Letter", b"%PDF-1.7 letter", 3))
        .await
        .unwrap();
    assert!(meta.bytes_held);

    let moved = store
        .relink_document(meta.id, second.record_id, at(4))
        .await
        .unwrap();
    assert_eq!((moved.record_id, moved.version), (second.record_id, 2));
    assert_eq!(
        (moved.sha256.as_str(), moved.title.as_str()),
        (meta.sha256.as_str(), "Letter")
    );
    assert!(store
        .list_documents(first.record_id)
        .await
        .unwrap()
        .is_empty());
    let listed = store.list_documents(second.record_id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id, listed[0].version), (meta.id, 2));
    let m = store.pending_mutations(100).await.unwrap().pop().unwrap();
    assert_eq!(
        (
            m.record_id,
            m.operation,
            m.base_version,
            Some(m.mutation_id)
        ),
        (
            meta.id.as_uuid(),
            Operation::PutDocument,
            1,
            moved.mutation_id
        )
    );
    assert_eq!(m.changes.len(), 1);
    assert_eq!(m.changes[0].field, "record_id");
    assert_eq!(m.changes[0].base, json!(first.record_id.to_string()));
    assert_eq!(m.changes[0].value, json!(second.record_id.to_string()));
    // The bytes stay as they were.
    assert_eq!(
        store.get_document(meta.id).await.unwrap().unwrap().bytes,
        b"%PDF-1.7 letter"
    );

    // To a record not on this device, or a document that is not: refused, nothing queued.
    let before = store.pending_mutations(100).await.unwrap().len();
    let nowhere = RecordId::new_at(at(5));
    assert!(matches!(
        store.relink_document(meta.id, nowhere, at(5)).await.unwrap_err(),
        StoreError::RecordNotFound(id) if id == nowhere
    ));
    let unknown = DocumentId::new_at(at(5));
    assert!(matches!(
        store.relink_document(unknown, first.record_id, at(5)).await.unwrap_err(),
        StoreError::DocumentNotFound(id) if id == unknown
    ));
    // To where it already is: nothing to send.
    store
        .relink_document(meta.id, second.record_id, at(6))
        .await
        .unwrap();
    assert_eq!(store.pending_mutations(100).await.unwrap().len(), before);
    store.close().await;
}
