//! Invented plans put straight into a profile's encrypted cache with hearth-store, the way
//! the app keeps them: for the dashboard's counts and the cold-start benchmark.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};
use hearth_domain::RecordKind;
use hearth_store::{status, KeyStorage, Password, SearchTerms, StepSave, Store};
use serde_json::json;

/// How many plans of each state to create.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanMix {
    pub drafts: usize,
    pub completed: usize,
    pub closed: usize,
}

impl PlanMix {
    pub fn total(&self) -> usize {
        self.drafts + self.completed + self.closed
    }
}

const SURNAMES: [&str; 8] = [
    "Testwell",
    "Exampleton",
    "Demoford",
    "Samplewood",
    "Mockridge",
    "Fictonby",
    "Inventa",
    "Placeholt",
];
const FORENAMES: [&str; 8] = [
    "Ada", "Bilal", "Chloe", "Dev", "Esme", "Finn", "Grace", "Hamza",
];

fn at(i: usize) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-02T09:00:00Z")
        .expect("a valid time")
        .to_utc()
        + chrono::Duration::seconds(i64::try_from(i).unwrap_or(0))
}

/// Creates (or opens) the password-protected cache in `dir` and adds the plans. Returns
/// how many changes then wait in the outbox (what the sync bar should say).
pub async fn seed_plans(dir: &Path, password: &str, mix: PlanMix) -> Result<u64> {
    let keys = KeyStorage::PasswordWrapped {
        password: Password::new(password),
    };
    seed_plans_with(dir, keys, mix).await
}

async fn seed_plans_with(dir: &Path, keys: KeyStorage, mix: PlanMix) -> Result<u64> {
    let store = Store::open_or_create(dir, keys, at(0)).await?;
    for i in 0..mix.total() {
        let surname = SURNAMES[i % SURNAMES.len()];
        let forename = FORENAMES[(i / SURNAMES.len()) % FORENAMES.len()];
        let postcode = format!("ZZ{} {}ZZ", i % 99 + 1, i % 10);
        let fields = json!({
            "child": { "forename": forename, "surname": surname },
            "address": { "line1": format!("{} Example Street", i % 200 + 1), "postcode": postcode },
        });
        let saved = store
            .save_step(StepSave {
                title: Some(format!("{forename} {surname}")),
                search: Some(SearchTerms {
                    surnames: vec![surname.to_owned()],
                    forenames: vec![forename.to_owned()],
                    postcodes: vec![postcode.clone()],
                    dates_of_birth: vec![],
                    references: vec![],
                }),
                ..StepSave::new(None, RecordKind::Plan, 1, fields, at(i + 1))
            })
            .await?;
        let state = if i < mix.drafts {
            None
        } else if i < mix.drafts + mix.completed {
            Some(status::COMPLETED)
        } else {
            Some(status::CLOSED)
        };
        if let Some(state) = state {
            store.set_status(saved.record_id, state, at(i + 1)).await?;
        }
    }
    let pending = store.counts().await?.pending_outbox;
    store.close().await;
    Ok(pending)
}

/// Makes the profile whose password-wrapped cache is in `dir` look signed in a moment ago
/// (within the offline period, so unlocking needs no server) on a server nobody answers at
/// now: a home visit with no signal.
pub async fn signed_in_offline(dir: &Path, password: &str) -> Result<()> {
    let keys = KeyStorage::PasswordWrapped {
        password: Password::new(password),
    };
    let store = Store::open_or_create(dir, keys, Utc::now()).await?;
    store
        .set_setting("session.last_online_at", &Utc::now().to_rfc3339())
        .await?;
    store.close().await;
    std::fs::write(
        dir.join("hearth-server.json"),
        json!({
            "server_url": "http://127.0.0.1:9",
            "device_id": "0192f000-0000-7000-8000-0000000000e2",
            "signed_in": true,
        })
        .to_string(),
    )?;
    Ok(())
}

/// Creates (or opens) the password-protected cache in `dir` with one completed plan per
/// family name (its `family_name` field set, so the plan view and lists name it), all
/// waiting in the outbox: a device that made them offline and has not synced yet.
pub async fn seed_family_plans(dir: &Path, password: &str, families: &[&str]) -> Result<()> {
    let keys = KeyStorage::PasswordWrapped {
        password: Password::new(password),
    };
    let store = Store::open_or_create(dir, keys, at(0)).await?;
    for (i, family) in families.iter().enumerate() {
        let saved = store
            .save_step(StepSave {
                title: Some(format!("{family} family")),
                search: Some(SearchTerms {
                    surnames: vec![(*family).to_owned()],
                    ..SearchTerms::default()
                }),
                ..StepSave::new(
                    None,
                    RecordKind::Plan,
                    9,
                    json!({ "family_name": family }),
                    at(i + 1),
                )
            })
            .await?;
        store
            .set_status(saved.record_id, status::COMPLETED, at(i + 1))
            .await?;
    }
    store.close().await;
    Ok(())
}
