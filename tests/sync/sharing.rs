//! Sharing: a plan shared with a second practitioner comes down to their device; removing
//! them from the sharing list purges it (and its documents) from their cache on their next
//! pull. The same through the plan's synced `sharing` field, saved on the owner's device
//! like any other edit (an outbox row): the second device pulls the plan once ticked
//! active, and purges it once set inactive.

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_server::store::AuditEvent;
use hearth_store::{NewDocument, StepSave};
use serde_json::json;

use crate::helpers::{device, on_both, settle, spawn_server, Backend};

on_both!(unsharing_purges_the_plan, sharing_field_shares_and_unshares,);

async fn unsharing_purges_the_plan(b: Backend) {
    let server = spawn_server(b).await;
    let (owner, owner_token) = server.practitioner().await;
    let (other, other_token) = server.practitioner().await;
    let a = device(&server.base_url(), &owner_token).await;
    let o = device(&server.base_url(), &other_token).await;

    let plan = a
        .store
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            1,
            json!({"surname": "Sharington"}),
            Utc::now(),
        ))
        .await
        .unwrap()
        .record_id;
    settle(&a).await;
    settle(&o).await;
    assert!(
        o.store.load(plan).await.unwrap().is_none(),
        "not shared yet"
    );

    let event = |action: &str| AuditEvent {
        at: Utc::now(),
        actor: Some(owner),
        device: None,
        action: action.to_owned(),
        target: Some(plan.to_string()),
        outcome: "ok".to_owned(),
        reason: Some("added by the plan's owner".to_owned()),
    };
    server
        .store
        .set_sharing(plan.as_uuid(), other, true, &event("plan.share"))
        .await
        .unwrap();
    settle(&o).await;
    assert!(
        o.store.load(plan).await.unwrap().is_some(),
        "shared: pulled"
    );
    // A document kept with it on the second device (e.g. attached there before unsharing).
    o.store
        .put_document(NewDocument {
            id: None,
            record_id: plan,
            title: "Consent form".into(),
            file_name: "consent.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7 invented test bytes",
            added_at: Utc::now(),
        })
        .await
        .unwrap();

    server
        .store
        .set_sharing(plan.as_uuid(), other, false, &event("plan.unshare"))
        .await
        .unwrap();
    let report = o.engine.sync_once().await.unwrap();
    assert_eq!(report.purged, 1);
    assert!(
        o.store.load(plan).await.unwrap().is_none(),
        "purged on the next pull"
    );
    assert!(
        o.store.list_documents(plan).await.unwrap().is_empty(),
        "documents purged too"
    );
    // The owner keeps it.
    settle(&a).await;
    assert!(a.store.load(plan).await.unwrap().is_some());
}

async fn sharing_field_shares_and_unshares(b: Backend) {
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
            json!({"surname": "Sharefield"}),
            Utc::now(),
        ))
        .await
        .unwrap()
        .record_id;
    settle(&a).await;
    settle(&o).await;
    assert!(
        o.store.load(plan).await.unwrap().is_none(),
        "not shared yet"
    );

    let share = |active: bool| json!({"sharing": [{"user_id": other.to_string(), "role": "team", "active": active}]});
    // Saved offline-first on the owner's device: queued in the outbox, applied at sync.
    a.store
        .save_step(StepSave::new(
            Some(plan),
            RecordKind::Plan,
            1,
            share(true),
            Utc::now(),
        ))
        .await
        .unwrap();
    settle(&o).await;
    assert!(
        o.store.load(plan).await.unwrap().is_none(),
        "still only in the owner's outbox"
    );
    settle(&a).await;
    settle(&o).await;
    let pulled = o.store.load(plan).await.unwrap().expect("shared: pulled");
    assert_eq!(pulled.fields["surname"], json!("Sharefield"));
    assert_eq!(pulled.fields["sharing"][0]["active"], json!(true));

    a.store
        .save_step(StepSave::new(
            Some(plan),
            RecordKind::Plan,
            1,
            share(false),
            Utc::now(),
        ))
        .await
        .unwrap();
    settle(&a).await;
    let report = o.engine.sync_once().await.unwrap();
    assert_eq!(report.purged, 1);
    assert!(
        o.store.load(plan).await.unwrap().is_none(),
        "set inactive: purged on the next pull"
    );
    settle(&a).await;
    assert!(
        a.store.load(plan).await.unwrap().is_some(),
        "the owner keeps it"
    );
}
