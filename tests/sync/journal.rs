//! A server that needs changes older than the device's journal (answered mutations are
//! kept for `JOURNAL_DAYS` = 90 days; e.g. a server restored from an older backup): the
//! engine says so with a typed error instead of retrying for ever, the background loop
//! pauses until woken, and nothing waiting is lost. Here the device's first changes went
//! to one server, its journal aged past 90 days, then it meets a server that never had
//! them (from the device's side, the same as a server restored from before them).

use std::time::Duration;

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::StepSave;
use hearth_sync::{Engine, EngineConfig, SyncError, SyncEvent};
use serde_json::json;

use crate::helpers::{device, on_both, settle, spawn_server, Backend};

on_both!(a_gap_older_than_the_journal_pauses_sync);

async fn a_gap_older_than_the_journal_pauses_sync(backend: Backend) {
    let first = spawn_server(backend).await;
    let (_, token) = first.practitioner().await;
    let d = device(&first.base_url(), &token).await;
    for i in 0..3 {
        d.store
            .save_step(StepSave::new(
                None,
                RecordKind::Plan,
                1,
                json!({"family_name": format!("Invented family {i}")}),
                Utc::now(),
            ))
            .await
            .unwrap();
    }
    settle(&d).await;
    assert_eq!(d.store.journal_len().await.unwrap(), 3);
    // 91 days on, the next answers recorded prune the journal.
    d.store
        .record_answers(&[], Utc::now() + chrono::Duration::days(91))
        .await
        .unwrap();
    assert_eq!(d.store.journal_len().await.unwrap(), 0, "journal pruned");

    // A server without mutations 1–3 of this device, and a new edit (mutation 4).
    let second = spawn_server(backend).await;
    let (_, token2) = second.practitioner().await;
    let mut config = EngineConfig::new(second.base_url(), token2);
    config.backoff_start = Duration::from_millis(5);
    config.backoff_max = Duration::from_millis(5);
    let engine = Engine::new(d.store.clone(), config).unwrap();
    d.store
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            1,
            json!({"family_name": "Invented family 3"}),
            Utc::now(),
        ))
        .await
        .unwrap();

    let err = engine.sync_once().await.unwrap_err();
    match &err {
        SyncError::GapCannotBeFilled {
            first_held,
            journal_days,
            ..
        } => {
            assert_eq!(*first_held, Some(4));
            assert_eq!(*journal_days, 90);
        }
        other => panic!("expected GapCannotBeFilled, got {other:?}"),
    }
    assert!(!err.is_transient() && err.needs_attention());
    let text = err.to_string();
    assert!(
        text.contains("90 days") && text.contains("administrator"),
        "{text}"
    );
    // Nothing lost: the new edit still waits; the server applied nothing of this device.
    let waiting: Vec<i64> = d
        .store
        .pending_mutations(100)
        .await
        .unwrap()
        .iter()
        .map(|m| m.mutation_id.0)
        .collect();
    assert!(waiting.contains(&4), "the unsent edit is kept: {waiting:?}");
    assert!(second
        .applied_of(d.store.client_id().as_uuid())
        .await
        .is_empty());

    // The background loop says so once and waits to be woken, instead of retrying every
    // back-off (5 ms here: a retrying loop would fail dozens of times in the pause below).
    let (handle, mut events) = engine.spawn(Duration::from_secs(3600));
    let first_outcome = loop {
        let e = events.recv().await.unwrap();
        if matches!(e, SyncEvent::Paused { .. } | SyncEvent::Failed { .. }) {
            break e;
        }
    };
    let SyncEvent::Paused { message } = first_outcome else {
        panic!("expected Paused, got {first_outcome:?}");
    };
    assert!(message.contains("administrator"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut later = Vec::new();
    while let Ok(e) = events.try_recv() {
        later.push(e);
    }
    assert!(
        later.is_empty(),
        "the paused loop tried again by itself: {later:?}"
    );
    // A person asks again: one more try, paused again.
    handle.sync_now();
    loop {
        match events.recv().await.unwrap() {
            SyncEvent::Paused { .. } => break,
            SyncEvent::Failed { message, .. } => panic!("{message}"),
            _ => {}
        }
    }
    handle.stop().await;
    assert!(d
        .store
        .pending_mutations(100)
        .await
        .unwrap()
        .iter()
        .any(|m| m.mutation_id.0 == 4));
}
