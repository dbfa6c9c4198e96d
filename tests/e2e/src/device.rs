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

impl Device {
    /// Signs `email` (a demo user) in on a new device with an empty store.
    pub async fn sign_in(server: &Server, email: &str) -> Result<Device> {
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
                "device_name": "Second test laptop",
            }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = signed["tokens"]["access_token"]
            .as_str()
            .ok_or_else(|| anyhow!("no access token in the sign-in answer"))?;
        let user_id = signed["account"]["id"]
            .as_str()
            .ok_or_else(|| anyhow!("no account id in the sign-in answer"))?
            .to_owned();
        let dir = tempfile::tempdir()?;
        // A test cache, deleted with the test: any fixed key will do.
        let key = DatabaseKey::from_bytes([3; 32]);
        let store =
            Store::open_or_create(dir.path(), KeyStorage::Supplied { key }, Utc::now()).await?;
        let engine = Engine::new(store, EngineConfig::new(base, token))?;
        Ok(Device {
            engine,
            user_id,
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
