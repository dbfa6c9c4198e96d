//! Transfer: a plan offered to a second practitioner comes down to their device; when they
//! authorise it (and the coordinator leaves with it), the plan's epoch moves on and the
//! old coordinator's next pull purges the plan and its documents from their encrypted
//! cache, although the plan's own fields did not change.

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{NewDocument, StepSave};
use serde_json::json;

use crate::helpers::{device, on_both, settle, spawn_server, Backend};

on_both!(authorised_transfer_purges_the_old_coordinator);

async fn authorised_transfer_purges_the_old_coordinator(b: Backend) {
    let server = spawn_server(b).await;
    let (_owner, owner_token) = server.practitioner().await;
    let (other, other_token) = server.practitioner().await;
    let a = device(&server.base_url(), &owner_token).await;
    let o = device(&server.base_url(), &other_token).await;

    let plan = a
        .store
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            1,
            json!({"surname": "Transferton"}),
            Utc::now(),
        ))
        .await
        .unwrap()
        .record_id;
    a.store
        .put_document(NewDocument {
            id: None,
            record_id: plan,
            title: "Consent form".into(),
            file_name: "consent.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7 invented transfer test bytes",
            added_at: Utc::now(),
        })
        .await
        .unwrap();
    settle(&a).await;
    settle(&o).await;
    assert!(
        o.store.load(plan).await.unwrap().is_none(),
        "not offered yet"
    );

    let offer = json!({"to": other.to_string(), "state": "awaiting_authorisation",
                       "sender_leaves": true});
    a.store
        .save_step(StepSave::new(
            Some(plan),
            RecordKind::Plan,
            1,
            json!({"transfer": offer}),
            Utc::now(),
        ))
        .await
        .unwrap();
    settle(&a).await;
    settle(&o).await;
    assert!(
        o.store.load(plan).await.unwrap().is_some(),
        "offered: the recipient can read it to decide"
    );

    let answer = json!({"to": other.to_string(), "state": "authorised", "sender_leaves": true});
    o.store
        .save_step(StepSave::new(
            Some(plan),
            RecordKind::Plan,
            1,
            json!({"transfer": answer}),
            Utc::now(),
        ))
        .await
        .unwrap();
    settle(&o).await;
    let on_server = server.records_of(other).await;
    assert!(
        on_server.contains_key(&plan.as_uuid()),
        "the recipient owns it now"
    );

    let report = a.engine.sync_once().await.unwrap();
    assert!(report.purged >= 1, "{report:?}");
    assert!(
        a.store.load(plan).await.unwrap().is_none(),
        "purged from the old coordinator's cache"
    );
    assert!(
        a.store.list_documents(plan).await.unwrap().is_empty(),
        "documents purged too"
    );
    // The new coordinator keeps it.
    settle(&o).await;
    assert!(o.store.load(plan).await.unwrap().is_some());
}
