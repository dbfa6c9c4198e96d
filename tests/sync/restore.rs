//! A server restored from a backup (DESIGN.md, "Sync protocol" 6): two devices sync, the
//! server's database is backed up, the devices sync more (all of it acknowledged, their
//! outboxes empty), then the server is stopped, the backup put back and a new epoch set
//! (`hearth-server restored-from-backup` does the same), and it is started again. One
//! device has a new edit waiting (it finds out by the push's gap), the other has nothing
//! waiting (it finds out by the pull's epoch). After they sync, the server has every record
//! and document it had before the disaster, with the same fields, each mutation exactly
//! once, and both devices converge.

use std::collections::BTreeMap;

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{NewDocument, RecordId, StepSave};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde_json::json;

use crate::helpers::{
    assert_converged, assert_exactly_once, device, on_both, settle, spawn_restartable_server,
    Backend, Device,
};

on_both!(restored_server_gets_everything_again);

async fn new_plan(d: &Device, text: &str) -> RecordId {
    d.store
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            1,
            json!({"a": text}),
            Utc::now(),
        ))
        .await
        .unwrap()
        .record_id
}

async fn edit(d: &Device, id: RecordId, field: &str, text: &str) {
    d.store
        .save_step(StepSave::new(
            Some(id),
            RecordKind::Plan,
            1,
            json!({ field: text }),
            Utc::now(),
        ))
        .await
        .unwrap();
}

async fn attach(d: &Device, record: RecordId, seed: u64) {
    let mut bytes = vec![0u8; 1024 * 1024 + 777];
    StdRng::seed_from_u64(seed).fill_bytes(&mut bytes);
    bytes[..9].copy_from_slice(b"%PDF-1.4\n");
    d.store
        .put_document(NewDocument {
            id: None,
            record_id: record,
            title: format!("Invented report {seed}"),
            file_name: "report.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: &bytes,
            added_at: Utc::now(),
        })
        .await
        .unwrap();
}

async fn restored_server_gets_everything_again(b: Backend) {
    let mut server = spawn_restartable_server(b).await;
    let (user, token) = server.practitioner().await;
    let a = device(&server.base_url(), &token).await;
    let c = device(&server.base_url(), &token).await;

    // Before the backup.
    let mut a_plans = Vec::new();
    for i in 0..3 {
        a_plans.push(new_plan(&a, &format!("a{i}")).await);
    }
    attach(&a, a_plans[0], 1).await;
    let c_plan = new_plan(&c, "c0").await;
    settle(&a).await;
    settle(&c).await;
    settle(&a).await;
    server.backup().await;

    // After the backup: all of it acknowledged, the outboxes empty.
    edit(&a, a_plans[0], "b", "after backup").await;
    edit(&a, a_plans[1], "a", "changed after backup").await;
    a_plans.push(new_plan(&a, "a3 after backup").await);
    attach(&a, a_plans[3], 2).await;
    edit(&c, c_plan, "c", "after backup").await;
    let c_new = new_plan(&c, "c1 after backup").await;
    settle(&a).await;
    settle(&c).await;
    settle(&a).await;
    settle(&c).await;
    assert_eq!(a.store.counts().await.unwrap().pending_outbox, 0);
    assert_eq!(c.store.counts().await.unwrap().pending_outbox, 0);
    let before: BTreeMap<_, _> = server.records_of(user).await;

    // The disaster: restore the backup, with a new epoch.
    server.stop();
    server.restore_backup().await;
    let lost = before.len() - server.records_of(user).await.len();
    assert!(
        lost >= 3,
        "the backup lacks the records made after it ({lost})"
    );
    let epoch = server.store.sync_new_epoch().await.unwrap();
    server.start();

    // One device has an edit waiting, the other nothing.
    edit(&a, a_plans[2], "c", "after restore").await;
    for _ in 0..2 {
        settle(&a).await;
        settle(&c).await;
    }

    let after = server.records_of(user).await;
    for (id, r) in &before {
        let now = after
            .get(id)
            .unwrap_or_else(|| panic!("record {id} lost in the restore"));
        let mut fields = r.fields.clone();
        if *id == a_plans[2].as_uuid() {
            fields.insert("c".into(), json!("after restore"));
        }
        assert_eq!(now.fields, fields, "fields of {id}");
        assert_eq!(now.deleted, r.deleted, "{id}");
        assert!(now.reference.is_some(), "{id} has a reference");
    }
    assert!(after.contains_key(&c_new.as_uuid()));
    let mut refs = server.references().await;
    let n = refs.len();
    refs.sort();
    refs.dedup();
    assert_eq!(refs.len(), n, "references stay unique");
    for (name, d) in [("a", &a), ("c", &c)] {
        assert_exactly_once(&server, d, name).await;
        assert_converged(&server, user, d, name).await;
        assert_eq!(
            d.store.sync_cursor().await.unwrap().1.as_deref(),
            Some(epoch.as_str()),
            "{name} is on the new epoch"
        );
    }
}
