//! Sharing: a plan shared with a second practitioner comes down to their device; removing
//! them from the sharing list purges it (and its documents) from their cache on their next
//! pull. The same through the plan's synced `sharing` field, saved on the owner's device
//! like any other edit (an outbox row): the second device pulls the plan once ticked
//! active, and purges it once set inactive.

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{NewDocument, StepSave};
use serde_json::{json, Value};

use crate::helpers::{device, on_both, settle, spawn_server, Backend};

on_both!(
    unsharing_purges_the_plan,
    sharing_field_shares_and_unshares,
    the_app_shares_removes_and_transfers,
);

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

    server.set_sharing(plan, owner, other, true).await;
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

    server.set_sharing(plan, owner, other, false).await;
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

/// The app's own sharing functions (what the plan view's buttons call) against a real
/// server: find a colleague by email, attach them, they remove themselves, then a transfer
/// they authorise from their device; the coordinator who leaves with it loses the plan.
async fn the_app_shares_removes_and_transfers(b: Backend) {
    use hearth_app::sharing::{
        answer, leave, lookup_at, offer, save_sharing, sharing_of, waiting_for, SharedPerson,
    };
    let server = spawn_server(b).await;
    let (owner, owner_token) = server.practitioner().await;
    let (other, other_token) = server.practitioner().await;
    let a = device(&server.base_url(), &owner_token).await;
    let o = device(&server.base_url(), &other_token).await;
    let (me, them) = (owner.to_string(), other.to_string());

    let plan = a
        .store
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            9,
            json!({"family_name": "Appshare"}),
            Utc::now(),
        ))
        .await
        .unwrap()
        .record_id;
    let id = plan.to_string();
    settle(&a).await;

    // Found by exact email (as the practitioner types it); an unknown address is not.
    let email = format!("worker-{}@example.org.uk", other.0.simple());
    let found = lookup_at(&server.base_url(), &owner_token, &format!(" {email} "))
        .await
        .unwrap();
    assert_eq!(found.user_id, them);
    assert_eq!(found.name, "Test Worker");
    let unknown = lookup_at(
        &server.base_url(),
        &owner_token,
        "nobody.invented@example.org.uk",
    )
    .await
    .unwrap_err();
    assert!(
        unknown.message.contains("No active Hearth user"),
        "{}",
        unknown.message
    );

    let person = SharedPerson {
        user_id: found.user_id.clone(),
        name: found.name.clone(),
        role: "team".into(),
        active: true,
    };
    save_sharing(&a.store, &id, vec![person], Utc::now())
        .await
        .unwrap();
    settle(&a).await;
    settle(&o).await;
    let seen = sharing_of(&o.store, &id, Some(them.clone())).await.unwrap();
    assert_eq!(
        seen.people.len(),
        1,
        "the plan and its sharing list came down"
    );
    assert!(seen.people[0].active);

    // Team around the family may not attach anyone: queued, refused at sync, and shown
    // as a rejection with the server's reason for the practitioner to see.
    let (third, _) = server.practitioner().await;
    let mut more = seen.people.clone();
    more.push(SharedPerson {
        user_id: third.to_string(),
        name: "Test Worker".into(),
        role: "team".into(),
        active: true,
    });
    save_sharing(&o.store, &id, more, Utc::now()).await.unwrap();
    settle(&o).await;
    let conflicts = o.store.conflicts().await.unwrap();
    assert!(
        conflicts.iter().any(|c| c.record_id == plan.as_uuid()
            && c.fields.iter().any(|f| f.field == "sharing")
            && c.reason
                .as_deref()
                .is_some_and(|r| r.contains("coordinator"))),
        "{conflicts:?}"
    );
    let on_server = &server.records_of(owner).await[&plan.as_uuid()];
    assert!(!Value::Object(on_server.fields.clone())
        .to_string()
        .contains(&third.to_string()));

    // They remove themselves: applied at sync, then their cache purges the plan.
    leave(&o.store, &id, &them, Utc::now()).await.unwrap();
    settle(&o).await;
    settle(&o).await;
    assert!(
        o.store.load(plan).await.unwrap().is_none(),
        "removed: purged"
    );

    // A transfer, the coordinator leaving with it: waits on the recipient's device.
    settle(&a).await;
    offer(
        &a.store,
        &id,
        &them,
        &found.name,
        true,
        Some(&me),
        Utc::now(),
    )
    .await
    .unwrap();
    settle(&a).await;
    settle(&o).await;
    let waiting = waiting_for(&o.store, &them).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].family_name, "Appshare");
    answer(&o.store, &id, &them, true, Utc::now())
        .await
        .unwrap();
    settle(&o).await;
    assert!(waiting_for(&o.store, &them).await.unwrap().is_empty());
    assert!(
        server.records_of(other).await.contains_key(&plan.as_uuid()),
        "the recipient owns it on the server"
    );
    settle(&a).await;
    assert!(
        a.store.load(plan).await.unwrap().is_none(),
        "the coordinator left with the transfer: purged"
    );
}
