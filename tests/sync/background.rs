//! The background loop: offline, it retries with a back-off that doubles; online, an edit
//! reaches the server and progress comes out as events (records and bytes).

use std::time::Duration;

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{DatabaseKey, KeyStorage, StepSave, Store};
use hearth_sync::{Engine, EngineConfig, SyncEvent};
use serde_json::json;

use crate::helpers::{spawn_server, Backend};

async fn engine_for(base_url: &str, token: &str, dir: &std::path::Path) -> Engine {
    let store = Store::open_or_create(
        dir,
        KeyStorage::Supplied {
            key: DatabaseKey::generate(),
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let mut config = EngineConfig::new(base_url, token);
    config.backoff_start = Duration::from_millis(10);
    config.backoff_max = Duration::from_millis(40);
    config.request_timeout = Duration::from_secs(5);
    Engine::new(store, config).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backs_off_offline_and_reports_progress_online() {
    // Offline: nothing listens on this port.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let offline = engine_for(&format!("http://{closed}"), "none", dir.path()).await;
    offline
        .store()
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            1,
            json!({"a": 1}),
            Utc::now(),
        ))
        .await
        .unwrap();
    let (handle, mut events) = offline.spawn(Duration::from_secs(60));
    let mut waits = Vec::new();
    while waits.len() < 4 {
        if let Some(SyncEvent::Failed {
            transient,
            retry_in,
            ..
        }) = events.recv().await
        {
            assert!(transient);
            waits.push(retry_in.as_millis());
        }
    }
    assert_eq!(waits, vec![10, 20, 40, 40]);
    handle.stop().await;
    assert_eq!(
        offline.store().counts().await.unwrap().pending_outbox,
        1,
        "kept"
    );

    // Online: the same store's edit goes up; progress events carry records and bytes.
    let server = spawn_server(Backend::Sqlite).await;
    let (_, token) = server.practitioner().await;
    let online = Engine::new(offline.store().clone(), {
        let mut c = EngineConfig::new(server.base_url(), token);
        c.backoff_start = Duration::from_millis(10);
        c
    })
    .unwrap();
    let (handle, mut events) = online.spawn(Duration::from_secs(60));
    let mut pushed = None;
    loop {
        match events.recv().await.unwrap() {
            SyncEvent::Pushed {
                done, bytes_sent, ..
            } => pushed = Some((done, bytes_sent)),
            SyncEvent::Finished(report) => {
                assert_eq!(report.applied, 1);
                assert!(report.bytes_sent > 0 && report.bytes_received > 0);
                break;
            }
            SyncEvent::Failed { message, .. } => panic!("{message}"),
            _ => {}
        }
    }
    let (done, bytes) = pushed.unwrap();
    assert!(done == 1 && bytes > 0);
    handle.stop().await;
    assert_eq!(online.store().counts().await.unwrap().pending_outbox, 0);
}
