//! Property: three devices of one practitioner make random offline edits to shared records
//! and sync in random interleavings. Every edit is either applied on the server or kept as a
//! conflict on its device — never lost silently — and all devices converge.

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{RecordId, StepSave};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;

use crate::helpers::{
    assert_converged, assert_exactly_once, device, settle, spawn_server, Backend, Device, Server,
};

#[derive(Debug, Clone)]
enum Step {
    /// Device `d` sets `field` of shared record `r` to `value`.
    Edit {
        d: usize,
        r: usize,
        field: usize,
        value: u8,
    },
    /// Device `d` syncs.
    Sync { d: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..3usize, 0..2usize, 0..3usize, any::<u8>())
            .prop_map(|(d, r, field, value)| Step::Edit { d, r, field, value }),
        2 => (0..3usize).prop_map(|d| Step::Sync { d }),
    ]
}

#[test]
fn three_devices_random_interleavings_sqlite() {
    run(Backend::Sqlite);
}

#[test]
fn three_devices_random_interleavings_postgres() {
    run(Backend::Postgres);
}

fn cases() -> u32 {
    std::env::var("HEARTH_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24)
}

fn run(b: Backend) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(spawn_server(b));
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&proptest::collection::vec(step(), 1..40), |steps| {
            rt.block_on(case(&server, &steps));
            Ok(())
        })
        .unwrap();
}

async fn case(server: &Server, steps: &[Step]) {
    let (user, token) = server.practitioner().await;
    let mut devices: Vec<Device> = Vec::new();
    for _ in 0..3 {
        devices.push(device(&server.base_url(), &token).await);
    }
    let mut records: Vec<RecordId> = Vec::new();
    for _ in 0..2 {
        records.push(
            devices[0]
                .store
                .save_step(StepSave::new(
                    None,
                    RecordKind::Plan,
                    1,
                    json!({"a": 0}),
                    Utc::now(),
                ))
                .await
                .unwrap()
                .record_id,
        );
    }
    for d in &devices {
        settle(d).await;
    }
    for s in steps {
        match *s {
            Step::Edit { d, r, field, value } => {
                let field = ["a", "b", "c"][field];
                devices[d]
                    .store
                    .save_step(StepSave::new(
                        Some(records[r]),
                        RecordKind::Plan,
                        1,
                        json!({ field: value }),
                        Utc::now(),
                    ))
                    .await
                    .unwrap();
            }
            Step::Sync { d } => {
                devices[d].engine.sync_once().await.unwrap();
            }
        }
    }
    for d in &devices {
        settle(d).await;
    }
    for (i, d) in devices.iter().enumerate() {
        settle(d).await;
        let what = format!("device {i}");
        assert_exactly_once(server, d, &what).await;
        assert_converged(server, user, d, &what).await;
        // Never lost silently: each mutation that was not applied is a conflict on its
        // device.
        let applied = server.applied_of(d.store.client_id().as_uuid()).await;
        let conflicts: Vec<i64> = d
            .store
            .conflicts()
            .await
            .unwrap()
            .iter()
            .map(|c| c.mutation_id.0)
            .collect();
        let last = d.store.last_mutation_id().await.unwrap().0;
        for m in 1..=last {
            assert!(
                applied.contains(&m) ^ conflicts.contains(&m),
                "{what}: mutation {m} neither applied nor a conflict (or both)"
            );
        }
    }
}
