//! The commands the web view calls. Each is a thin wrapper over a function taking
//! `&AppState`, so the logic is tested without a window.

use chrono::Utc;
use hearth_store::{existing_protection, ExistingCache, KeyStorage, Password, Store, StoreError};
use tauri::State;

use crate::dto::{AppStatus, Dashboard};
use crate::error::{AppError, ErrorCode};
use crate::state::{AppState, KeyPolicy, KEYRING_ACCOUNT, KEYRING_SERVICE};

/// Shortest password accepted for a new password-protected cache (exported to the UI).
pub const PASSWORD_MIN_LENGTH: usize = 12;

/// Opens the cache with the OS keyring if it can, and says which screen to show.
#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, AppError> {
    status(&state).await
}

/// Opens the password-protected cache, or creates one protected by this new password.
#[tauri::command]
#[specta::specta]
pub async fn unlock(state: State<'_, AppState>, password: String) -> Result<(), AppError> {
    unlock_with(&state, password).await
}

/// The figures of the home screen.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(state: State<'_, AppState>) -> Result<Dashboard, AppError> {
    dashboard_of(&state).await
}

fn os_keyring() -> KeyStorage {
    KeyStorage::OsKeyring {
        service: KEYRING_SERVICE.into(),
        account: KEYRING_ACCOUNT.into(),
    }
}

pub(crate) async fn status(state: &AppState) -> Result<AppStatus, AppError> {
    let mut slot = state.store.lock().await;
    if slot.is_some() {
        return Ok(AppStatus::Unlocked);
    }
    let dir = state.data_dir();
    match existing_protection(dir)? {
        ExistingCache::PasswordWrapped => Ok(AppStatus::EnterPassword),
        ExistingCache::None if state.key_policy() == KeyPolicy::PasswordOnly => {
            Ok(AppStatus::SetPassword)
        }
        ExistingCache::None => match Store::open_or_create(dir, os_keyring(), Utc::now()).await {
            Ok(store) => {
                *slot = Some(store);
                Ok(AppStatus::Unlocked)
            }
            // No keyring service: the key will be wrapped with a password instead.
            Err(StoreError::KeyringUnavailable { .. }) => Ok(AppStatus::SetPassword),
            Err(err) => Err(err.into()),
        },
        ExistingCache::KeyKeptElsewhere => {
            match Store::open_or_create(dir, os_keyring(), Utc::now()).await {
                Ok(store) => {
                    *slot = Some(store);
                    Ok(AppStatus::Unlocked)
                }
                // A password would not help: this cache's key is in the keyring.
                Err(StoreError::KeyringUnavailable { reason }) => Err(AppError::new(
                    ErrorCode::StoreFailed,
                    format!(
                        "Hearth keeps the key of this device's cache in the system keyring, \
                         which cannot be used right now ({reason}). Unlock your keyring or \
                         sign in to your computer again, then try again."
                    ),
                )),
                Err(err) => Err(err.into()),
            }
        }
    }
}

pub(crate) async fn unlock_with(state: &AppState, password: String) -> Result<(), AppError> {
    let chars = password.chars().count();
    // Moved, not copied: the one buffer is zeroized when `Password` drops.
    let password = Password::new(password);
    let mut slot = state.store.lock().await;
    if slot.is_some() {
        return Ok(());
    }
    let dir = state.data_dir();
    match existing_protection(dir)? {
        ExistingCache::PasswordWrapped => {}
        ExistingCache::None => {
            if chars < PASSWORD_MIN_LENGTH {
                return Err(AppError::password_too_short(PASSWORD_MIN_LENGTH));
            }
        }
        ExistingCache::KeyKeptElsewhere => {
            return Err(AppError::new(
                ErrorCode::StoreFailed,
                "This device's cache is protected by the system keyring, not by a password. \
                 Close Hearth and open it again.",
            ))
        }
    }
    let store =
        Store::open_or_create(dir, KeyStorage::PasswordWrapped { password }, Utc::now()).await?;
    *slot = Some(store);
    Ok(())
}

pub(crate) async fn dashboard_of(state: &AppState) -> Result<Dashboard, AppError> {
    // Clone the store (a pool handle) so the lock is not held while the query runs.
    let store = state
        .store
        .lock()
        .await
        .clone()
        .ok_or_else(AppError::locked)?;
    let counts = store.counts().await?;
    Ok(Dashboard::from_counts(&counts))
}

#[cfg(test)]
mod tests {
    use hearth_domain::RecordKind;
    use hearth_store::StepSave;

    use super::*;

    const PASSWORD: &str = "kettle-orchard-lantern";

    fn password_only(dir: &std::path::Path) -> AppState {
        AppState::new(dir.to_path_buf(), KeyPolicy::PasswordOnly)
    }

    async fn code_of<T: std::fmt::Debug>(result: Result<T, AppError>) -> ErrorCode {
        result.expect_err("expected an error").code
    }

    #[tokio::test]
    async fn a_new_cache_asks_for_a_password_of_the_minimum_length() {
        let dir = tempfile::tempdir().unwrap();
        let state = password_only(dir.path());
        assert_eq!(status(&state).await.unwrap(), AppStatus::SetPassword);

        let short = "a".repeat(PASSWORD_MIN_LENGTH - 1);
        assert_eq!(
            code_of(unlock_with(&state, short).await).await,
            ErrorCode::PasswordTooShort
        );
        // Nothing was created, so the same screen comes back.
        assert_eq!(
            existing_protection(dir.path()).unwrap(),
            ExistingCache::None
        );
        assert_eq!(status(&state).await.unwrap(), AppStatus::SetPassword);
        assert_eq!(code_of(dashboard_of(&state).await).await, ErrorCode::Locked);

        unlock_with(&state, PASSWORD.into()).await.unwrap();
        assert_eq!(status(&state).await.unwrap(), AppStatus::Unlocked);
        let dashboard = dashboard_of(&state).await.unwrap();
        assert_eq!(dashboard.plans.drafts_in_progress, 0);
        assert_eq!(dashboard.sync.pending_changes, 0);
    }

    #[tokio::test]
    async fn a_wrong_password_loses_nothing_and_the_right_one_opens_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        {
            let state = password_only(dir.path());
            unlock_with(&state, PASSWORD.into()).await.unwrap();
            let store = state.store.lock().await.clone().unwrap();
            store
                .save_step(StepSave::new(
                    None,
                    RecordKind::Plan,
                    1,
                    serde_json::json!({ "agency": "School" }),
                    Utc::now(),
                ))
                .await
                .unwrap();
            store.close().await;
        }

        // The app starts again: the cache exists, so it asks for its password.
        let state = password_only(dir.path());
        assert_eq!(status(&state).await.unwrap(), AppStatus::EnterPassword);
        assert_eq!(
            code_of(unlock_with(&state, "not-the-password".into()).await).await,
            ErrorCode::WrongPassword
        );
        assert_eq!(status(&state).await.unwrap(), AppStatus::EnterPassword);

        unlock_with(&state, PASSWORD.into()).await.unwrap();
        let dashboard = dashboard_of(&state).await.unwrap();
        assert_eq!(dashboard.plans.drafts_in_progress, 1);
        assert!(dashboard.sync.pending_changes >= 1);
    }
}
