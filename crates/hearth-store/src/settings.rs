//! A few named values the desktop app keeps inside the encrypted cache (for example the
//! session's refresh token and the offline-unlock password verifier), so that they are
//! never in plaintext on disk. Values are opaque text to the store; logs never carry them.

use crate::error::StoreResult;
use crate::Store;

impl Store {
    /// The value stored under `name`, if any.
    pub async fn setting(&self, name: &str) -> StoreResult<Option<String>> {
        let value: Option<(String,)> =
            sqlx::query_as("SELECT value FROM app_settings WHERE name = ?")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        Ok(value.map(|(v,)| v))
    }

    /// Stores `value` under `name`, replacing any earlier value.
    pub async fn set_setting(&self, name: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO app_settings (name, value) VALUES (?, ?) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes the value under `name`; no value is not an error.
    pub async fn remove_setting(&self, name: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM app_settings WHERE name = ?")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::{DatabaseKey, KeyStorage, Store};

    #[tokio::test]
    async fn settings_are_kept_replaced_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let keys = KeyStorage::Supplied {
            key: DatabaseKey::from_bytes([7; 32]),
        };
        let store = Store::open_or_create(dir.path(), keys.clone(), chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(store.setting("session.refresh").await.unwrap(), None);
        store.set_setting("session.refresh", "one").await.unwrap();
        store.set_setting("session.refresh", "two").await.unwrap();
        store.set_setting("other", "x").await.unwrap();
        store.close().await;

        let store = Store::open_or_create(dir.path(), keys, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(
            store.setting("session.refresh").await.unwrap().as_deref(),
            Some("two")
        );
        store.remove_setting("session.refresh").await.unwrap();
        store.remove_setting("never-set").await.unwrap();
        assert_eq!(store.setting("session.refresh").await.unwrap(), None);
        assert_eq!(store.setting("other").await.unwrap().as_deref(), Some("x"));
        // The value is not readable in the database file (it is encrypted).
        let raw = std::fs::read(dir.path().join(crate::DATABASE_FILE_NAME)).unwrap();
        assert!(!raw
            .windows(b"session.refresh".len())
            .any(|w| w == b"session.refresh"));
    }
}
