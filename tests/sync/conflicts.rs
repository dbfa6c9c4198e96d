//! Two devices of one practitioner edit the same plan offline: the first push is applied,
//! the second is a conflict with base, mine and theirs; both converge after pulls, and
//! resolving the conflict is a new edit that reaches the other device.

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{ConflictOutcome, StepSave};
use serde_json::json;

use crate::helpers::{assert_converged, device, on_both, settle, spawn_server, Backend};

on_both!(same_field_edited_on_two_devices);

async fn same_field_edited_on_two_devices(b: Backend) {
    let server = spawn_server(b).await;
    let (user, token) = server.practitioner().await;
    let a = device(&server.base_url(), &token).await;
    let c = device(&server.base_url(), &token).await;

    let saved = a
        .store
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            1,
            json!({"surname": "Exampleton", "concern": "housing"}),
            Utc::now(),
        ))
        .await
        .unwrap();
    let id = saved.record_id;
    let report = a.engine.sync_once().await.unwrap();
    assert_eq!((report.pushed, report.applied), (1, 1));
    let reference = a
        .store
        .load(id)
        .await
        .unwrap()
        .unwrap()
        .summary
        .server_reference;
    let reference = reference.expect("a permanent reference after the first push");
    assert!(
        reference.starts_with("FSP-") && reference.len() == 10,
        "{reference}"
    );

    settle(&c).await;
    let on_c = c
        .store
        .load(id)
        .await
        .unwrap()
        .expect("pulled to the second device");
    assert_eq!(on_c.fields["concern"], json!("housing"));
    assert_eq!(
        on_c.summary.server_reference.as_deref(),
        Some(reference.as_str())
    );

    // Both offline: the same field, different values.
    a.store
        .save_step(StepSave::new(
            Some(id),
            RecordKind::Plan,
            2,
            json!({"concern": "school"}),
            Utc::now(),
        ))
        .await
        .unwrap();
    c.store
        .save_step(StepSave::new(
            Some(id),
            RecordKind::Plan,
            2,
            json!({"concern": "health", "other": "x"}),
            Utc::now(),
        ))
        .await
        .unwrap();

    let ra = a.engine.sync_once().await.unwrap();
    assert_eq!((ra.applied, ra.conflicts), (1, 0));
    let rc = c.engine.sync_once().await.unwrap();
    assert_eq!((rc.applied, rc.conflicts), (0, 1));

    let conflicts = c.store.conflicts().await.unwrap();
    assert_eq!(conflicts.len(), 1);
    let k = &conflicts[0];
    assert_eq!(k.outcome, ConflictOutcome::Conflict);
    assert_eq!(k.record_id, id.as_uuid());
    assert_eq!(k.server_version, Some(2));
    let concern = k.fields.iter().find(|f| f.field == "concern").unwrap();
    assert_eq!(
        (&concern.base, &concern.mine, &concern.theirs),
        (&json!("housing"), &json!("health"), &json!("school"))
    );
    let other = k.fields.iter().find(|f| f.field == "other").unwrap();
    assert_eq!(
        (&other.base, &other.mine, &other.theirs),
        (&json!(null), &json!("x"), &json!(null))
    );
    assert!(a.store.conflicts().await.unwrap().is_empty());

    // After the pull the second device shows the server's record, not a silent mix.
    assert_converged(&server, user, &a, "first device").await;
    assert_converged(&server, user, &c, "second device").await;
    assert_eq!(
        c.store.load(id).await.unwrap().unwrap().fields["concern"],
        json!("school")
    );

    // The person keeps their value: a new edit, applied, and it reaches the first device.
    let mut chosen = serde_json::Map::new();
    chosen.insert("concern".into(), json!("health"));
    let resolved = c
        .store
        .resolve_conflict(k.id, chosen, Utc::now())
        .await
        .unwrap();
    assert!(resolved.unwrap().mutation_id.is_some());
    assert!(c.store.conflicts().await.unwrap().is_empty());
    let rc = c.engine.sync_once().await.unwrap();
    assert_eq!((rc.applied, rc.conflicts), (1, 0));
    settle(&a).await;
    assert_eq!(
        a.store.load(id).await.unwrap().unwrap().fields["concern"],
        json!("health")
    );
    assert_converged(&server, user, &a, "first device after resolution").await;
    assert_converged(&server, user, &c, "second device after resolution").await;
}
