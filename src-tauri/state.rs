//! What the shell keeps between commands: where the cache lives and the open store.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

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

/// Managed by Tauri; commands reach it through `tauri::State<AppState>`.
pub struct AppState {
    data_dir: PathBuf,
    key_policy: KeyPolicy,
    /// `None` until the cache is opened (with the keyring, or by `unlock`).
    pub store: Mutex<Option<Store>>,
    /// The PDFs this app saved since it started: the only files `open_saved_pdf` will open,
    /// so the web view cannot make the app open an arbitrary path.
    saved_pdfs: std::sync::Mutex<BTreeSet<PathBuf>>,
}

impl AppState {
    pub fn new(data_dir: PathBuf, key_policy: KeyPolicy) -> Self {
        Self {
            data_dir,
            key_policy,
            store: Mutex::new(None),
            saved_pdfs: std::sync::Mutex::new(BTreeSet::new()),
        }
    }

    /// Remembers a PDF this app has just written.
    pub fn remember_saved_pdf(&self, path: PathBuf) {
        self.saved_pdfs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path);
    }

    /// Whether this app saved the PDF at `path` (the path exactly as it was saved).
    pub fn saved_this_pdf(&self, path: &Path) -> bool {
        self.saved_pdfs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(path)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn key_policy(&self) -> KeyPolicy {
        self.key_policy
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
