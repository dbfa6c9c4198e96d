//! A client killed with SIGKILL mid-sync (issue 4, "Fault tests"). The child process is
//! this test binary run again on one test, [`sync_child_process`], which opens the device's
//! encrypted store and edits and syncs in a loop (plans, and now and then a document) until
//! it is killed at a seeded random moment. After each kill, before anything else touches
//! the store: each mutation the server answered to the device is on the server exactly
//! once, each one not answered is still in the outbox. Then the next child goes on with the
//! same store, and at the end a new engine in this process finishes: the device holds
//! exactly the server's records and documents.

use std::io::BufRead as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{DatabaseKey, KeyStorage, NewDocument, RecordId, StepSave, Store};
use hearth_sync::{Engine, EngineConfig};
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use serde_json::json;

use crate::helpers::{
    assert_converged, assert_exactly_once, assert_exactly_once_in, device_with_key, on_both,
    settle, spawn_server, Backend, TEST_TIMEOUT,
};

on_both!(client_killed_mid_sync);

const CHILD_ENV: &str = "HEARTH_SYNC_TEST_CHILD";
const KILLS: usize = 10;

/// The child's body. Run as a test of its own (without the variable) it does nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_child_process() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    let [dir, key, base_url, token, seed] = parts[..] else {
        panic!("bad child spec");
    };
    let key: [u8; 32] = hex::decode(key).unwrap().try_into().unwrap();
    let store = Store::open_or_create(
        std::path::Path::new(dir),
        KeyStorage::Supplied {
            key: DatabaseKey::from_bytes(key),
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let mut config = EngineConfig::new(base_url, token);
    config.request_timeout = TEST_TIMEOUT;
    config.idle_connections_per_host = 0;
    config.push_batch = 3;
    let engine = Engine::new(store.clone(), config).unwrap();
    let mut rng = StdRng::seed_from_u64(seed.parse().unwrap());
    let mut own: Vec<RecordId> = store
        .list(RecordKind::Plan)
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    for n in 0.. {
        for _ in 0..rng.random_range(1..=4) {
            let target = if own.is_empty() || rng.random_bool(0.3) {
                None
            } else {
                Some(own[rng.random_range(0..own.len())])
            };
            let saved = store
                .save_step(StepSave::new(
                    target,
                    RecordKind::Plan,
                    1,
                    json!({ "a": format!("v{}", rng.random_range(0..1000)) }),
                    Utc::now(),
                ))
                .await
                .unwrap();
            if target.is_none() {
                own.push(saved.record_id);
            }
        }
        if n % 3 == 1 && !own.is_empty() {
            let mut bytes = vec![0u8; 2 * 1024 * 1024 + 12_345];
            rng.fill_bytes(&mut bytes);
            bytes[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
            store
                .put_document(NewDocument {
                    id: None,
                    record_id: own[0],
                    title: format!("Invented photo {n}"),
                    file_name: "photo.jpg".into(),
                    content_type: "image/jpeg".into(),
                    bytes: &bytes,
                    added_at: Utc::now(),
                })
                .await
                .unwrap();
        }
        println!("edited {n}");
        let ok = engine.sync_once().await.is_ok();
        println!("synced {n} {ok}");
    }
}

async fn client_killed_mid_sync(b: Backend) {
    let server = spawn_server(b).await;
    let (user, token) = server.practitioner().await;
    let dir = tempfile::tempdir().unwrap();
    let key = *DatabaseKey::generate().as_bytes();
    let mut rng = StdRng::seed_from_u64(20_261_123);
    let started = std::time::Instant::now();
    let mut mid_sync = 0;
    for kill in 0..KILLS {
        let spec = format!(
            "{}|{}|{}|{}|{}",
            dir.path().display(),
            hex::encode(key),
            server.base_url(),
            token,
            1000 + kill
        );
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "kill::sync_child_process",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, spec)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        // Let it sync a few times, then kill it at a random moment of the next sync (it
        // prints `edited` just before a sync starts).
        let syncs = rng.random_range(1..=3);
        let mut seen = 0;
        tokio::task::block_in_place(|| loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("the child syncs");
            if line.starts_with("synced") {
                seen += 1;
            }
            if seen >= syncs && line.starts_with("edited") {
                break;
            }
        });
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..40))).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let mut last = String::new();
        while let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            last = line;
        }
        // No `synced` after the `edited` it was killed after: killed with a sync under way.
        if !last.starts_with("synced") {
            mid_sync += 1;
        }

        // Before anything else touches the store.
        let store = Store::open_or_create(
            dir.path(),
            KeyStorage::Supplied {
                key: DatabaseKey::from_bytes(key),
            },
            Utc::now(),
        )
        .await
        .unwrap();
        assert_exactly_once_in(&server, &store, &format!("kill {kill}")).await;
        store.close().await;
    }
    // A new engine on the same store finishes.
    let d = device_with_key(dir, key, &server.base_url(), &token).await;
    settle(&d).await;
    assert_exactly_once(&server, &d, "after the last kill").await;
    settle(&d).await;
    assert_converged(&server, user, &d, "after the last kill").await;
    assert!(mid_sync > 0, "no child was killed with a sync under way");
    let pending = d.store.counts().await.unwrap().pending_outbox;
    assert_eq!(pending, 0);
    eprintln!(
        "{b:?}: {KILLS} clients killed ({mid_sync} with a sync under way) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
