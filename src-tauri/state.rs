//! What the shell keeps between commands: where the cache lives and the open store.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use hearth_store::Store;
use tauri::Manager as _;
use tokio::sync::Mutex;

/// Environment variable that overrides the data folder (tests, screenshots, support).
pub const DATA_DIR_ENV: &str = "HEARTH_DATA_DIR";

/// The keyring entry that holds the cache key, when the OS has a keyring.
pub const KEYRING_SERVICE: &str = "uk.hearth.desktop";
pub const KEYRING_ACCOUNT: &str = "local-cache-key";

/// Environment variable that makes a new cache use a password even where an OS keyring
/// exists (`HEARTH_KEY_STORAGE=password`): for machines where the keyring must not be used,
/// and for tests of the password screens.
pub const KEY_STORAGE_ENV: &str = "HEARTH_KEY_STORAGE";

/// Where a NEW cache keeps its key. An existing cache is always opened the way it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPolicy {
    /// The OS keyring, or a password where there is no keyring service.
    KeyringFirst,
    /// Always a password.
    PasswordOnly,
}

impl KeyPolicy {
    pub fn from_env() -> Self {
        match std::env::var(KEY_STORAGE_ENV) {
            Ok(value) if value.eq_ignore_ascii_case("password") => KeyPolicy::PasswordOnly,
            _ => KeyPolicy::KeyringFirst,
        }
    }
}

/// Environment variable that sets the idle-lock limit in seconds (tests, demonstrations).
pub const IDLE_LOCK_ENV: &str = "HEARTH_IDLE_LOCK_SECONDS";

/// What the sign-in screens are in the middle of, in memory only.
#[derive(Default)]
pub struct SignInProgress {
    /// After "Sign in": the attempt the emailed code belongs to, and what was typed (the
    /// password is needed again to protect or update the cache once the code is right).
    pub attempt: Option<PendingAttempt>,
}

pub struct PendingAttempt {
    pub attempt_id: uuid::Uuid,
    pub email: String,
    pub password: zeroize::Zeroizing<String>,
}

/// The session while the app runs: the access token lives only here.
#[derive(Default)]
pub struct Session {
    pub access_token: Option<zeroize::Zeroizing<String>>,
    pub access_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The password that unlocked the cache this time, kept only while an online sign-in
    /// is awaited (offline period over), so a changed password can re-protect the cache.
    pub unlock_password: Option<zeroize::Zeroizing<String>>,
}

/// Managed by Tauri; commands reach it through `tauri::State<AppState>`. Cheap to clone
/// (everything shared is behind an `Arc`), so background tasks hold their own copy.
#[derive(Clone)]
pub struct AppState {
    data_dir: PathBuf,
    key_policy: KeyPolicy,
    /// `None` until the cache is opened and unlocked, and again while Hearth is locked:
    /// every record command refuses then.
    pub store: Arc<Mutex<Option<Store>>>,
    /// The open cache while Hearth is locked (records hidden), so unlocking needs no
    /// re-opening. Lock order: `store` before `parked`.
    pub(crate) parked: Arc<Mutex<Option<Store>>>,
    pub(crate) sign_in: Arc<Mutex<SignInProgress>>,
    pub(crate) session: Arc<Mutex<Session>>,
    /// The background sync, while signed in and unlocked.
    pub(crate) sync: Arc<Mutex<Option<crate::sync_task::SyncRunner>>>,
    /// What the sync bar shows.
    pub(crate) sync_status: Arc<std::sync::Mutex<crate::dto::SyncStatus>>,
    /// Last input the UI reported, for the idle lock.
    last_activity: Arc<std::sync::Mutex<Instant>>,
    idle_limit: Arc<std::sync::Mutex<Duration>>,
    idle_override: Option<u64>,
    /// Why the app last went to a sign-in, unlock or first-run screen, shown there once.
    notice: Arc<std::sync::Mutex<Option<String>>>,
    /// The PDFs this app saved since it started: the only files `open_saved_pdf` will open,
    /// so the web view cannot make the app open an arbitrary path.
    saved_pdfs: Arc<std::sync::Mutex<BTreeSet<PathBuf>>>,
    /// Shows an OS notification (set by the app; absent in tests).
    notifier: Arc<std::sync::Mutex<Option<Notifier>>>,
    /// Staged files, decrypted copies of documents and the watchers of those being edited.
    pub(crate) documents: Arc<crate::documents::DocumentFiles>,
}

/// Shows an OS notification with a title and a body (never personal data: the lock screen
/// may show it).
pub type Notifier = Box<dyn Fn(&str, &str) + Send + Sync>;

fn guard<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl AppState {
    pub fn new(data_dir: PathBuf, key_policy: KeyPolicy) -> Self {
        let idle_override = std::env::var(IDLE_LOCK_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok());
        Self::with_idle_override(data_dir, key_policy, idle_override)
    }

    pub fn with_idle_override(
        data_dir: PathBuf,
        key_policy: KeyPolicy,
        idle_override: Option<u64>,
    ) -> Self {
        let limit = crate::session::idle_limit(&Default::default(), idle_override);
        Self {
            key_policy,
            store: Arc::new(Mutex::new(None)),
            parked: Arc::new(Mutex::new(None)),
            sign_in: Arc::default(),
            session: Arc::default(),
            sync: Arc::default(),
            sync_status: Arc::default(),
            last_activity: Arc::new(std::sync::Mutex::new(Instant::now())),
            idle_limit: Arc::new(std::sync::Mutex::new(limit)),
            idle_override,
            notice: Arc::default(),
            saved_pdfs: Arc::default(),
            notifier: Arc::default(),
            documents: Arc::new(crate::documents::DocumentFiles::new(
                std::env::temp_dir(),
                &profile_key(Some(data_dir.as_os_str())),
                crate::documents::SAVE_BACK_QUIET,
            )),
            data_dir,
        }
    }

    pub fn set_notifier(&self, notifier: Notifier) {
        *guard(&self.notifier) = Some(notifier);
    }

    /// Shows an OS notification, if the app set a notifier.
    pub fn notify(&self, title: &str, body: &str) {
        if let Some(notify) = guard(&self.notifier).as_ref() {
            notify(title, body);
        }
    }

    /// Remembers a PDF this app has just written.
    pub fn remember_saved_pdf(&self, path: PathBuf) {
        guard(&self.saved_pdfs).insert(path);
    }

    /// Whether this app saved the PDF at `path` (the path exactly as it was saved).
    pub fn saved_this_pdf(&self, path: &Path) -> bool {
        guard(&self.saved_pdfs).contains(path)
    }

    /// The open cache, or `Locked` while Hearth is locked or not yet unlocked. A clone (a
    /// pool handle), so the lock is not held while queries run.
    pub async fn open_store(&self) -> Result<Store, crate::error::AppError> {
        self.store
            .lock()
            .await
            .clone()
            .ok_or_else(crate::error::AppError::locked)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The server's address and the access token, when signed in to it now (the online
    /// calls: services, workers, looking a colleague up).
    pub async fn server_and_token(&self) -> Option<(String, String)> {
        let server = crate::session::Installation::load(&self.data_dir)?.server_url;
        let token = self.session.lock().await.access_token.as_ref()?.to_string();
        Some((server, token))
    }

    pub fn key_policy(&self) -> KeyPolicy {
        self.key_policy
    }

    /// The UI saw input now.
    pub fn touch(&self) {
        *guard(&self.last_activity) = Instant::now();
    }

    /// Time since the last input the UI reported.
    pub fn idle_for(&self) -> Duration {
        guard(&self.last_activity).elapsed()
    }

    pub fn idle_limit(&self) -> Duration {
        *guard(&self.idle_limit)
    }

    /// Applies the organisation's policy (or the override) to the idle lock.
    pub fn set_policy(&self, policy: &hearth_protocol::auth::ClientPolicy) {
        *guard(&self.idle_limit) = crate::session::idle_limit(policy, self.idle_override);
    }

    pub fn set_notice(&self, notice: impl Into<String>) {
        *guard(&self.notice) = Some(notice.into());
    }

    /// The notice to show once, if any.
    pub fn take_notice(&self) -> Option<String> {
        guard(&self.notice).take()
    }

    pub fn sync_status(&self) -> crate::dto::SyncStatus {
        guard(&self.sync_status).clone()
    }

    pub fn update_sync_status(&self, f: impl FnOnce(&mut crate::dto::SyncStatus)) {
        f(&mut guard(&self.sync_status));
    }
}

/// A short, stable name for the profile (the data folder named by `HEARTH_DATA_DIR`, or
/// "default"): two profiles are separate single instances and remember their own windows.
/// FNV-1a of the path: no dependency, and a valid D-Bus name element.
pub fn profile_key(data_dir_env: Option<&std::ffi::OsStr>) -> String {
    match data_dir_env {
        Some(dir) if !dir.is_empty() => {
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for byte in dir.as_encoded_bytes() {
                hash ^= u64::from(*byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            format!("p{hash:016x}")
        }
        _ => "default".into(),
    }
}

/// `HEARTH_DATA_DIR` when set and not empty, else the platform's app data folder
/// (for example `~/.local/share/uk.hearth.desktop` on Linux).
pub fn resolve_data_dir<R: tauri::Runtime>(app: &tauri::App<R>) -> anyhow::Result<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => app
            .path()
            .app_data_dir()
            .context("no app data folder on this system; set HEARTH_DATA_DIR"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_data_folder_is_its_own_profile() {
        use std::ffi::OsStr;
        assert_eq!(profile_key(None), "default");
        assert_eq!(profile_key(Some(OsStr::new(""))), "default");
        let a = profile_key(Some(OsStr::new("/tmp/hearth-a")));
        let b = profile_key(Some(OsStr::new("/tmp/hearth-b")));
        assert_ne!(a, b);
        assert_eq!(a, profile_key(Some(OsStr::new("/tmp/hearth-a"))));
        assert_eq!(a.len(), 17);
        assert!(a.starts_with('p') && a[1..].chars().all(|c| c.is_ascii_hexdigit()));
    }
}
