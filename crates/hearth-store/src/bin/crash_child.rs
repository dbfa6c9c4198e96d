//! Child process of the crash test (`tests/it/crash.rs`); not part of the app.
//!
//! Reads a 64-hex-digit key from stdin, opens the cache in the folder given as the first
//! argument and autosaves drafts in a loop until it is killed. Before each save it prints
//! `saving <record id|new> <sha256 of the fields JSON>`, and after the save has returned
//! `saved <record id> <version> <sha256 of the fields JSON>`.

use std::io::{BufRead as _, Write as _};

use hearth_domain::RecordKind;
use hearth_store::{DatabaseKey, KeyStorage, RecordId, SearchTerms, StepSave, Store};
use sha2::{Digest as _, Sha256};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: hearth-store-crash-child <dir> < key-hex");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .expect("key on stdin");
    let key = decode_key(line.trim());
    line.clear();

    let start = chrono::DateTime::parse_from_rfc3339("2026-11-21T09:00:00Z")
        .expect("time")
        .to_utc();
    let store = Store::open_or_create(dir.as_ref(), KeyStorage::Supplied { key }, start)
        .await
        .expect("open");
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").expect("stdout");
    out.flush().expect("stdout");

    // Four records, saved round-robin and kept across runs, so that both creates and
    // updates are interrupted. `n` continues from the outbox so every save changes fields.
    let mut ids: Vec<Option<RecordId>> = store
        .list(RecordKind::Plan)
        .await
        .expect("list")
        .into_iter()
        .map(|r| Some(r.id))
        .collect();
    ids.resize(4, None);
    ids.truncate(4);
    let mut n =
        u64::try_from(store.last_mutation_id().await.expect("last mutation").0).unwrap_or(0);
    loop {
        n += 1;
        let slot = usize::try_from(n % 4).unwrap_or(0);
        let at = start + chrono::Duration::milliseconds(i64::try_from(n).unwrap_or(0));
        let fields = serde_json::json!({
            "surname": format!("Crashtest{n}"),
            "notes": "x".repeat(usize::try_from(n % 50).unwrap_or(0) * 40),
            "counter": n,
        });
        // Every save sends all the record's fields, so the merged draft equals `fields`.
        let json = serde_json::to_string(&fields).expect("json");
        let digest: String = Sha256::digest(json.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        match ids[slot] {
            Some(id) => writeln!(out, "saving {id} {digest}").expect("stdout"),
            None => writeln!(out, "saving new {digest}").expect("stdout"),
        }
        out.flush().expect("stdout");
        let save = StepSave {
            search: Some(SearchTerms {
                surnames: vec![format!("Crashtest{n}")],
                ..Default::default()
            }),
            ..StepSave::new(
                ids[slot],
                RecordKind::Plan,
                u32::try_from(n % 5).unwrap_or(0) + 1,
                fields,
                at,
            )
        };
        let saved = store.save_step(save).await.expect("save");
        ids[slot] = Some(saved.record_id);
        writeln!(out, "saved {} {} {digest}", saved.record_id, saved.version).expect("stdout");
        out.flush().expect("stdout");
    }
}

fn decode_key(hex: &str) -> DatabaseKey {
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("key hex");
    }
    DatabaseKey::from_bytes(bytes)
}
