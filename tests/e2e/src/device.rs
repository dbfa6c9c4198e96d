//! A second Hearth device with no window, for what happened before a test's story begins
//! (an earlier referral made on another laptop): its own encrypted store (`hearth-store`,
//! the app's cache) and the app's sync engine (`hearth-sync`), signed in through the
//! server's sign-in API with the emailed code, exactly as the app signs in.

use anyhow::{anyhow, Result};
use chrono::Utc;
use hearth_store::{DatabaseKey, KeyStorage, Store};
use hearth_sync::{Engine, EngineConfig};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::{eventually, DEMO_PASSWORD};
use crate::Server;

pub struct Device {
    engine: Engine,
    /// The signed-in user's id on the server.
    pub user_id: String,
    _dir: tempfile::TempDir,
}

/// A session of a demo user on a new device, from the server's sign-in API.
pub struct Session {
    pub access_token: String,
    /// The signed-in user's id on the server.
    pub user_id: String,
}

/// Signs `email` (a demo user, `DEMO_PASSWORD`) in as a new device named `device_name`:
/// password, then the code the server emailed (its development outbox).
pub async fn sign_in(server: &Server, email: &str, device_name: &str) -> Result<Session> {
    let http = reqwest::Client::new();
    let base = server.url();
    let started: Value = http
        .post(format!("{base}/api/v1/auth/sign-in"))
        .json(&json!({"email": email, "password": DEMO_PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let code = eventually(|| async { server.latest_sign_in_code(email) }).await?;
    let signed: Value = http
        .post(format!("{base}/api/v1/auth/sign-in/verify"))
        .json(&json!({
            "attempt_id": started["attempt_id"],
            "code": code,
            "device_id": Uuid::now_v7(),
            "device_name": device_name,
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let text = |v: &Value, what: &str| {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("no {what} in the sign-in answer"))
    };
    Ok(Session {
        access_token: text(&signed["tokens"]["access_token"], "access token")?,
        user_id: text(&signed["account"]["id"], "account id")?,
    })
}

impl Device {
    /// Signs `email` (a demo user) in on a new device with an empty store.
    pub async fn sign_in(server: &Server, email: &str) -> Result<Device> {
        let session = sign_in(server, email, "Second test laptop").await?;
        let dir = tempfile::tempdir()?;
        // A test cache, deleted with the test: any fixed key will do.
        let key = DatabaseKey::from_bytes([3; 32]);
        let store =
            Store::open_or_create(dir.path(), KeyStorage::Supplied { key }, Utc::now()).await?;
        let engine = Engine::new(store, EngineConfig::new(server.url(), session.access_token))?;
        Ok(Device {
            engine,
            user_id: session.user_id,
            _dir: dir,
        })
    }

    /// The device's encrypted cache.
    pub fn store(&self) -> &Store {
        self.engine.store()
    }

    /// One sync: the outbox pushed, the server's changes pulled.
    pub async fn sync(&self) -> Result<()> {
        self.engine.sync_once().await?;
        Ok(())
    }
}
