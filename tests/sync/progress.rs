//! Progress events (DESIGN.md, "Sync protocol"): a multi-chunk document going up reports
//! its bytes as the server checks each chunk, and coming down to another device reports
//! its bytes as they arrive; per document the figures never go down and end at the total;
//! pulled records count up to the sync's total. The bytes are invented.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{NewDocument, StepSave};
use hearth_sync::{SyncEvent, UPLOAD_CHUNK_BYTES};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{device, on_both, spawn_server, Backend, Device};

on_both!(progress_events_count_up_to_the_total);

/// Runs one sync on `d`, returning every event it reported and its report.
async fn sync_collecting(d: &Device) -> (Vec<SyncEvent>, hearth_sync::SyncReport) {
    let events: Arc<Mutex<Vec<SyncEvent>>> = Arc::default();
    let sink = events.clone();
    let report = d
        .engine
        .sync_with(&move |e| sink.lock().unwrap().push(e))
        .await
        .unwrap();
    let events = std::mem::take(&mut *events.lock().unwrap());
    (events, report)
}

/// The (done, total) of every upload or download event for `doc`, in order.
fn bytes_of(events: &[SyncEvent], doc: Uuid, upload: bool) -> Vec<(u64, u64)> {
    events
        .iter()
        .filter_map(|e| match (e, upload) {
            (
                SyncEvent::Upload {
                    document,
                    done,
                    total,
                },
                true,
            )
            | (
                SyncEvent::Download {
                    document,
                    done,
                    total,
                },
                false,
            ) if *document == doc => Some((*done, *total)),
            _ => None,
        })
        .collect()
}

fn assert_counts_up(seen: &[(u64, u64)], total: u64, what: &str) {
    assert!(!seen.is_empty(), "{what}: no progress events");
    for w in seen.windows(2) {
        assert!(w[0].0 <= w[1].0, "{what}: went down: {seen:?}");
    }
    for (done, t) in seen {
        assert_eq!(*t, total, "{what}: total changed: {seen:?}");
        assert!(*done <= total, "{what}: past the total: {seen:?}");
    }
    assert_eq!(
        seen.last().unwrap().0,
        total,
        "{what}: did not end at the total"
    );
}

async fn progress_events_count_up_to_the_total(backend: Backend) {
    let server = spawn_server(backend).await;
    let (_, token) = server.practitioner().await;
    let a = device(&server.base_url(), &token).await;
    let b = device(&server.base_url(), &token).await;

    // Three plans and a document of 2.5 chunks, made offline on device a.
    let mut plans = Vec::new();
    for i in 0..3 {
        let saved = a
            .store
            .save_step(StepSave::new(
                None,
                RecordKind::Plan,
                1,
                json!({"family_name": format!("Invented family {i}")}),
                Utc::now(),
            ))
            .await
            .unwrap();
        plans.push(saved.record_id);
    }
    let size = usize::try_from(UPLOAD_CHUNK_BYTES * 5 / 2).unwrap();
    let mut bytes = vec![0u8; size];
    StdRng::seed_from_u64(4).fill_bytes(&mut bytes);
    bytes[..9].copy_from_slice(b"%PDF-1.7\n");
    let doc = a
        .store
        .put_document(NewDocument {
            id: None,
            record_id: plans[0],
            title: "Invented letter".into(),
            file_name: "letter.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: &bytes,
            added_at: Utc::now(),
        })
        .await
        .unwrap();

    let (events, report) = sync_collecting(&a).await;
    assert_eq!(report.applied, 4, "three plans and the document's metadata");
    let up = bytes_of(&events, doc.id.as_uuid(), true);
    assert_counts_up(&up, size as u64, "upload");
    assert_eq!(up[0].0, 0, "a new upload starts at 0");
    // Where it started, then once per chunk: 0, 1 MiB, 2 MiB, 2.5 MiB.
    assert_eq!(
        up.iter().map(|x| x.0).collect::<Vec<_>>(),
        vec![0, UPLOAD_CHUNK_BYTES, 2 * UPLOAD_CHUNK_BYTES, size as u64]
    );
    assert!(
        bytes_of(&events, doc.id.as_uuid(), false).is_empty(),
        "the uploader does not download its own bytes"
    );

    // Device b pulls the plans and downloads the document.
    let (events, report) = sync_collecting(&b).await;
    assert_eq!(report.pulled, 4);
    let down = bytes_of(&events, doc.id.as_uuid(), false);
    assert_counts_up(&down, size as u64, "download");
    assert!(
        down.len() >= 3,
        "a 2.5 MiB download reports as it goes, not only at the end: {down:?}"
    );
    let pulled: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            SyncEvent::Pulled { records, .. } => Some(*records),
            _ => None,
        })
        .collect();
    assert!(!pulled.is_empty() && pulled.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(*pulled.last().unwrap(), report.pulled);
    assert_eq!(events.first(), Some(&SyncEvent::Started));
    assert!(matches!(events.last(), Some(SyncEvent::Finished(_))));
    // The downloaded bytes are the ones uploaded.
    let got = b.store.get_document(doc.id).await.unwrap().unwrap();
    assert_eq!(got.meta.sha256, doc.sha256);

    // Nothing to do: no byte events at all.
    let (events, _) = sync_collecting(&b).await;
    assert!(!events
        .iter()
        .any(|e| matches!(e, SyncEvent::Upload { .. } | SyncEvent::Download { .. })));
}
