//! Shared set-up: fixed times, keys, fresh stores and file snapshots.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use hearth_domain::RecordKind;
use hearth_store::{
    DatabaseKey, KeyStorage, Password, RecordId, Saved, SearchTerms, StepSave, Store,
};
use sha2::{Digest as _, Sha256};

/// 2026-11-21 09:00 UTC plus `minutes`: tests pass time in, the store reads no clock.
pub fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T09:00:00Z")
        .unwrap()
        .to_utc()
        + Duration::minutes(minutes)
}

pub fn data_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("hearth-store-it-")
        .tempdir()
        .unwrap()
}

/// A fixed key (tests only; the app never chooses keys).
pub fn test_key() -> DatabaseKey {
    DatabaseKey::from_bytes([7u8; 32])
}

pub fn supplied(key: &DatabaseKey) -> KeyStorage {
    KeyStorage::Supplied { key: key.clone() }
}

pub fn password(p: &str) -> KeyStorage {
    KeyStorage::PasswordWrapped {
        password: Password::new(p),
    }
}

/// A fresh store opened with [`test_key`].
pub async fn open(dir: &Path) -> Store {
    Store::open_or_create(dir, supplied(&test_key()), at(0))
        .await
        .unwrap()
}

/// Saves step `step` of a new plan (or of `id`) with these fields.
pub async fn save(
    store: &Store,
    id: Option<RecordId>,
    step: u32,
    fields: serde_json::Value,
    minute: i64,
) -> Saved {
    store
        .save_step(StepSave::new(
            id,
            RecordKind::Plan,
            step,
            fields,
            at(minute),
        ))
        .await
        .unwrap()
}

/// Saves a new plan with search terms.
pub async fn save_searchable(
    store: &Store,
    kind: RecordKind,
    terms: SearchTerms,
    minute: i64,
) -> Saved {
    store
        .save_step(StepSave {
            search: Some(terms),
            ..StepSave::new(
                None,
                kind,
                1,
                serde_json::json!({ "n": minute }),
                at(minute),
            )
        })
        .await
        .unwrap()
}

/// SHA-256 of every file under `dir`, by path: to show files were left untouched.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    for path in files_under(dir) {
        let digest = Sha256::digest(std::fs::read(&path).unwrap());
        out.insert(path, format!("{digest:x}"));
    }
    out
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

pub fn file_names(dir: &Path) -> Vec<String> {
    files_under(dir)
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect()
}
