//! Seeded fault schedules: two devices of one practitioner edit shared and own records
//! offline and sync through a proxy that drops connections before the request, cuts the
//! request part-way, loses the answer after the server committed, and delays. After every
//! attempt: each mutation answered to a device is on the server exactly once, each one not
//! answered is still in that device's outbox. After recovery: both devices hold exactly the
//! server's records.
//!
//! `HEARTH_FAULT_SCHEDULES` sets how many schedules run per backend (default 500, so 1,000
//! in `make test`); `HEARTH_FAULT_SEED` the first seed.

use std::time::Duration;

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{RecordId, StepSave};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::helpers::{
    assert_converged, assert_exactly_once, device, on_both, settle, spawn_server, Backend, Device,
    Fault, Proxy, Server,
};

on_both!(seeded_fault_schedules);

fn schedules() -> u64 {
    std::env::var("HEARTH_FAULT_SCHEDULES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500)
}

fn first_seed() -> u64 {
    std::env::var("HEARTH_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_121)
}

/// Schedules run this many at a time against the one server.
const PARALLEL: usize = 8;

async fn seeded_fault_schedules(b: Backend) {
    let server = std::sync::Arc::new(spawn_server(b).await);
    let count = schedules();
    let start = first_seed();
    let started = std::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut next = 0;
    let mut done = 0;
    while done < count {
        while next < count && tasks.len() < PARALLEL {
            let server = server.clone();
            let seed = start + next;
            tasks.spawn(async move { schedule(&server, seed).await });
            next += 1;
        }
        if let Some(r) = tasks.join_next().await {
            r.unwrap();
            done += 1;
        }
    }
    eprintln!(
        "{b:?}: {count} fault schedules in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn random_fault(rng: &mut StdRng) -> Fault {
    match rng.random_range(0..5) {
        0 => Fault::DropBeforeRequest,
        1 => Fault::CutRequest(rng.random_range(1..600)),
        2 => Fault::LoseResponse,
        3 => Fault::Delay(Duration::from_millis(rng.random_range(0..30))),
        _ => Fault::Pass,
    }
}

async fn edit(rng: &mut StdRng, d: &Device, shared: &[RecordId], own: &mut Vec<RecordId>) {
    let n = rng.random_range(1..=3);
    for _ in 0..n {
        let value = json!(format!("v{}", rng.random_range(0..1000)));
        let field = ["a", "b", "c"][rng.random_range(0..3)];
        let target = match rng.random_range(0..4) {
            0 => None,
            1 if !own.is_empty() => Some(own[rng.random_range(0..own.len())]),
            _ => Some(shared[rng.random_range(0..shared.len())]),
        };
        let saved = d
            .store
            .save_step(StepSave::new(
                target,
                RecordKind::Plan,
                1,
                json!({ field: value }),
                Utc::now(),
            ))
            .await
            .unwrap();
        if target.is_none() {
            own.push(saved.record_id);
        }
    }
}

async fn schedule(server: &Server, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let (user, token) = server.practitioner().await;
    let proxies = [
        Proxy::start(server.addr).await,
        Proxy::start(server.addr).await,
    ];
    let devices = [
        device(&proxies[0].base_url(), &token).await,
        device(&proxies[1].base_url(), &token).await,
    ];
    // A shared plan both devices have, made without faults.
    let mut shared = Vec::new();
    for _ in 0..2 {
        shared.push(
            devices[0]
                .store
                .save_step(StepSave::new(
                    None,
                    RecordKind::Plan,
                    1,
                    json!({"a": "start"}),
                    Utc::now(),
                ))
                .await
                .unwrap()
                .record_id,
        );
    }
    settle(&devices[0]).await;
    settle(&devices[1]).await;

    let mut own = [Vec::new(), Vec::new()];
    let rounds = rng.random_range(2..=4);
    for round in 0..rounds {
        for i in 0..2 {
            let what = format!("seed {seed} round {round} device {i}");
            edit(&mut rng, &devices[i], &shared, &mut own[i]).await;
            let faults: Vec<Fault> = (0..rng.random_range(1..=4))
                .map(|_| random_fault(&mut rng))
                .collect();
            proxies[i].push_faults(faults);
            // Up to two attempts under faults; either may fail.
            for _ in 0..2 {
                let _ = devices[i].engine.sync_once().await;
                assert_exactly_once(server, &devices[i], &what).await;
            }
            proxies[i].clear();
        }
    }
    for (i, d) in devices.iter().enumerate() {
        settle(d).await;
        assert_exactly_once(server, d, &format!("seed {seed} device {i} after recovery")).await;
    }
    // A last pull each, then both hold exactly the server's records.
    for (i, d) in devices.iter().enumerate() {
        settle(d).await;
        assert_converged(server, user, d, &format!("seed {seed} device {i}")).await;
    }
}
