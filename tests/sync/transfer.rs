//! Transfer: a plan offered to a second practitioner comes down to their device; when they
//! authorise it (and the coordinator leaves with it), the plan's epoch moves on and the
//! old coordinator's next pull purges the plan and its documents from their encrypted
//! cache, although the plan's own fields did not change. The recipient may go straight on
//! editing after authorising, before their device has pulled the new epoch: those edits
//! apply, while the old coordinator's edits queued under the old epoch are conflicts.

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{ConflictOutcome, NewDocument, StepSave};
use serde_json::json;

use crate::helpers::{device, on_both, settle, spawn_server, Backend};

on_both!(
    authorised_transfer_purges_the_old_coordinator,
    the_new_owner_edits_before_pulling_the_new_epoch,
);

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

async fn the_new_owner_edits_before_pulling_the_new_epoch(b: Backend) {
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
            json!({"surname": "Epochton", "concern": "housing"}),
            Utc::now(),
        ))
        .await
        .unwrap()
        .record_id;
    // The coordinator stays on as team around the family, so may still read and write.
    let offer = json!({"to": other.to_string(), "state": "awaiting_authorisation",
                       "sender_leaves": false});
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
    assert!(o.store.load(plan).await.unwrap().is_some(), "offered");

    // Offline, the old coordinator edits a field nobody else touches: its base still
    // holds, but it is made under the epoch before the transfer.
    a.store
        .save_step(StepSave::new(
            Some(plan),
            RecordKind::Plan,
            3,
            json!({"strengths": "written by the old coordinator"}),
            Utc::now(),
        ))
        .await
        .unwrap();

    // The recipient authorises and goes straight on editing, all before their next sync:
    // the edits are queued under the old epoch, after the authorisation.
    let answer = json!({"to": other.to_string(), "state": "authorised", "sender_leaves": false});
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
    for (step, fields) in [
        (2, json!({"concern": "school"})),
        (4, json!({"worries": "written by the new coordinator"})),
        (5, json!({"next_steps": "a visit"})),
        (2, json!({"concern": "school attendance"})),
    ] {
        o.store
            .save_step(StepSave::new(
                Some(plan),
                RecordKind::Plan,
                step,
                fields,
                Utc::now(),
            ))
            .await
            .unwrap();
    }
    let queued = o.store.pending_mutations(100).await.unwrap();
    assert_eq!(queued.len(), 5);
    assert!(
        queued.iter().all(|m| m.epoch == 0),
        "every edit was made under the old epoch: {queued:?}"
    );

    // One sync: all applied, no conflict on the new owner's own plan.
    let report = o.engine.sync_once().await.unwrap();
    assert_eq!(
        (
            report.pushed,
            report.applied,
            report.conflicts,
            report.rejected
        ),
        (5, 5, 0, 0),
        "{report:?}"
    );
    assert!(o.store.conflicts().await.unwrap().is_empty());
    let on_server = server.records_of(other).await;
    let p = on_server
        .get(&plan.as_uuid())
        .expect("the recipient owns it");
    assert_eq!(p.fields["concern"], json!("school attendance"));
    assert_eq!(p.fields["worries"], json!("written by the new coordinator"));
    assert_eq!(p.fields["next_steps"], json!("a visit"));
    assert_eq!(p.fields["transfer"]["state"], json!("authorised"));
    let version = p.version;
    let local = o.store.load(plan).await.unwrap().unwrap();
    assert_eq!(local.fields["concern"], json!("school attendance"));
    assert_eq!(o.store.counts().await.unwrap().pending_outbox, 0);

    // The old coordinator's edit under the old epoch is a conflict, not applied.
    let report = a.engine.sync_once().await.unwrap();
    assert_eq!(
        (report.pushed, report.applied, report.conflicts),
        (1, 0, 1),
        "{report:?}"
    );
    let conflicts = a.store.conflicts().await.unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].outcome, ConflictOutcome::Conflict);
    assert_eq!(conflicts[0].record_id, plan.as_uuid());
    let strengths = conflicts[0]
        .fields
        .iter()
        .find(|f| f.field == "strengths")
        .unwrap();
    assert_eq!(
        (&strengths.base, &strengths.mine, &strengths.theirs),
        (
            &json!(null),
            &json!("written by the old coordinator"),
            &json!(null)
        )
    );
    let p = &server.records_of(other).await[&plan.as_uuid()];
    assert_eq!(p.version, version, "nothing applied");
    assert!(!p.fields.contains_key("strengths"));
    assert!(server.records_of(owner).await.is_empty());

    // Having pulled the new epoch, the new owner's edits apply as before.
    o.store
        .save_step(StepSave::new(
            Some(plan),
            RecordKind::Plan,
            3,
            json!({"strengths": "agreed at the visit"}),
            Utc::now(),
        ))
        .await
        .unwrap();
    assert_eq!(o.store.pending_mutations(10).await.unwrap()[0].epoch, 1);
    let report = o.engine.sync_once().await.unwrap();
    assert_eq!((report.applied, report.conflicts), (1, 0), "{report:?}");
}
