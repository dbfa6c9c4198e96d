//! Server restarts mid-sync (issue 4, "Fault tests"): two devices of one practitioner edit
//! plans (and one attaches a document) and sync while the server "process" is killed
//! outright and started again on the same database, data folder and port, at a seeded
//! random moment in each round. After every round: each mutation answered to a device is on
//! the server exactly once, each one not answered is still in its outbox. After recovery
//! both devices hold exactly the server's records and documents.

use std::time::Duration;

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{NewDocument, RecordId, StepSave};
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use serde_json::json;

use crate::helpers::{
    assert_converged, assert_exactly_once, device, on_both, settle, spawn_restartable_server,
    Backend, Device,
};

on_both!(server_restarts_mid_sync);

const ROUNDS: usize = 12;

async fn edit(rng: &mut StdRng, d: &Device, own: &mut Vec<RecordId>) {
    for _ in 0..rng.random_range(1..=4) {
        let target = if own.is_empty() || rng.random_bool(0.3) {
            None
        } else {
            Some(own[rng.random_range(0..own.len())])
        };
        let field = ["a", "b", "c"][rng.random_range(0..3)];
        let saved = d
            .store
            .save_step(StepSave::new(
                target,
                RecordKind::Plan,
                1,
                json!({ field: format!("v{}", rng.random_range(0..1000)) }),
                Utc::now(),
            ))
            .await
            .unwrap();
        if target.is_none() {
            own.push(saved.record_id);
        }
    }
}

async fn server_restarts_mid_sync(b: Backend) {
    let mut server = spawn_restartable_server(b).await;
    let (user, token) = server.practitioner().await;
    let devices = [
        device(&server.base_url(), &token).await,
        device(&server.base_url(), &token).await,
    ];
    let mut rng = StdRng::seed_from_u64(20_261_122);
    let mut own = [Vec::new(), Vec::new()];
    let started = std::time::Instant::now();
    let mut cut = 0;
    for round in 0..ROUNDS {
        for (i, d) in devices.iter().enumerate() {
            edit(&mut rng, d, &mut own[i]).await;
        }
        if round % 4 == 1 {
            // A document (4 MiB of invented bytes) so uploads are cut too.
            let mut bytes = vec![0u8; 4 * 1024 * 1024];
            rng.fill_bytes(&mut bytes);
            bytes[..4].copy_from_slice(&[0x89, b'P', b'N', b'G']);
            bytes[4..8].copy_from_slice(&[0x0D, 0x0A, 0x1A, 0x0A]);
            devices[0]
                .store
                .put_document(NewDocument {
                    id: None,
                    record_id: own[0][0],
                    title: format!("Invented picture {round}"),
                    file_name: "picture.png".into(),
                    content_type: "image/png".into(),
                    bytes: &bytes,
                    added_at: Utc::now(),
                })
                .await
                .unwrap();
        }
        let syncs: Vec<_> = devices
            .iter()
            .map(|d| {
                let engine = d.engine.clone();
                tokio::spawn(async move { engine.sync_once().await.is_ok() })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..60))).await;
        server.restart();
        for s in syncs {
            if !s.await.unwrap() {
                cut += 1;
            }
        }
        for (i, d) in devices.iter().enumerate() {
            assert_exactly_once(&server, d, &format!("round {round} device {i}")).await;
        }
    }
    for (i, d) in devices.iter().enumerate() {
        settle(d).await;
        assert_exactly_once(&server, d, &format!("device {i} after recovery")).await;
    }
    for (i, d) in devices.iter().enumerate() {
        settle(d).await;
        assert_converged(&server, user, d, &format!("device {i}")).await;
    }
    eprintln!(
        "{b:?}: {ROUNDS} server restarts mid-sync ({cut} syncs cut) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
