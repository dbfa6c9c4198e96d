//! Fifty devices push new plans at the same moment: every plan gets a permanent reference,
//! all different, in the `FSP-000123` form, and each device learns its own.

use std::collections::BTreeSet;

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::StepSave;
use serde_json::json;

use crate::helpers::{device, on_both, spawn_server, Backend};

on_both!(fifty_devices_push_at_once);

const DEVICES: usize = 50;
const PLANS_EACH: usize = 3;

async fn fifty_devices_push_at_once(b: Backend) {
    let server = spawn_server(b).await;
    let mut devices = Vec::new();
    for _ in 0..DEVICES {
        let (_, token) = server.practitioner().await;
        let d = device(&server.base_url(), &token).await;
        for i in 0..PLANS_EACH {
            d.store
                .save_step(StepSave::new(
                    None,
                    RecordKind::Plan,
                    1,
                    json!({"n": i}),
                    Utc::now(),
                ))
                .await
                .unwrap();
        }
        devices.push(d);
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(DEVICES));
    let mut tasks = tokio::task::JoinSet::new();
    for d in &devices {
        let engine = d.engine.clone();
        let barrier = barrier.clone();
        tasks.spawn(async move {
            barrier.wait().await;
            engine.sync_once().await.unwrap()
        });
    }
    while let Some(r) = tasks.join_next().await {
        assert_eq!(r.unwrap().applied, PLANS_EACH as u64);
    }
    let references = server.references().await;
    assert_eq!(references.len(), DEVICES * PLANS_EACH);
    let unique: BTreeSet<&String> = references.iter().collect();
    assert_eq!(unique.len(), references.len(), "duplicate references");
    for r in &references {
        let digits = r.strip_prefix("FSP-").unwrap_or_else(|| panic!("{r}"));
        assert!(
            digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()),
            "{r}"
        );
    }
    for d in &devices {
        for s in d.store.list(RecordKind::Plan).await.unwrap() {
            let r = s
                .server_reference
                .expect("each device learns its references");
            assert!(unique.contains(&r));
        }
    }
}
