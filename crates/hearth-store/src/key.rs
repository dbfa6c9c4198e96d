//! The database key and where it is kept.
//!
//! The key is 32 random bytes from the OS, used by SQLCipher as a raw key (no PBKDF2 on
//! every open). It is kept in the OS keyring, or, where there is none, in a small JSON file
//! beside the cache, encrypted with XChaCha20-Poly1305 under a key derived from the user's
//! password with Argon2id.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use argon2::Params;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::TryRngCore as _;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{StoreError, StoreResult};
use crate::hex;

/// File name of the wrapped key, beside the database.
pub const KEY_FILE_NAME: &str = "hearth-cache.key.json";

/// The 32-byte SQLCipher key. Zeroized on drop; its `Debug` never shows it.
#[derive(Clone)]
pub struct DatabaseKey(Zeroizing<[u8; 32]>);

impl DatabaseKey {
    /// A new key from the operating system's random number generator.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng
            .try_fill_bytes(bytes.as_mut())
            .expect("the operating system's random number generator failed");
        Self(bytes)
    }

    /// A key the caller already holds (tools and tests; the app lets the store keep it).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&bytes);
        let mut bytes = bytes;
        zeroize::Zeroize::zeroize(&mut bytes);
        Self(key)
    }

    /// The raw bytes, for handing the key to something that keeps it.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The value of `PRAGMA key`, quoted: `"x'<64 hex>'"` (SQLCipher raw-key form).
    pub(crate) fn pragma_value(&self) -> Zeroizing<String> {
        let hex = Zeroizing::new(hex::encode(self.0.as_ref()));
        Zeroizing::new(format!("\"x'{}'\"", hex.as_str()))
    }
}

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseKey(<redacted>)")
    }
}

/// The user's password, zeroized on drop; its `Debug` never shows it.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(password: impl Into<String>) -> Self {
        Self(Zeroizing::new(password.into()))
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Where the database key is kept. The app picks one; [`crate::existing_protection`] says
/// which one an existing cache was created with.
#[derive(Debug, Clone)]
pub enum KeyStorage {
    /// The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on
    /// Windows), under this service and account name.
    OsKeyring { service: String, account: String },
    /// Wrapped with the user's password in [`KEY_FILE_NAME`] beside the database.
    PasswordWrapped { password: Password },
    /// The caller holds the key itself (tools, tests). Never written anywhere by the store.
    Supplied { key: DatabaseKey },
}

// ---------------------------------------------------------------------------------------
// OS keyring

/// Reads the key from the keyring: `Ok(None)` when there is no entry.
pub(crate) async fn keyring_load(service: &str, account: &str) -> StoreResult<Option<DatabaseKey>> {
    let (service, account) = (service.to_owned(), account.to_owned());
    run_blocking(move || {
        let entry = keyring_entry(&service, &account)?;
        match entry.get_secret() {
            Ok(secret) => {
                let secret = Zeroizing::new(secret);
                let bytes: [u8; 32] = secret
                    .as_slice()
                    .try_into()
                    .map_err(|_| StoreError::WrongKey)?;
                Ok(Some(DatabaseKey::from_bytes(bytes)))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_unavailable(&e)),
        }
    })
    .await
}

/// Writes the key to the keyring, replacing any earlier one.
pub(crate) async fn keyring_store(
    service: &str,
    account: &str,
    key: &DatabaseKey,
) -> StoreResult<()> {
    let (service, account, key) = (service.to_owned(), account.to_owned(), key.clone());
    run_blocking(move || {
        keyring_entry(&service, &account)?
            .set_secret(key.as_bytes())
            .map_err(|e| keyring_unavailable(&e))
    })
    .await
}

/// Removes this device's key from the OS keyring (for example after the cache was set
/// aside and will not be reopened). No entry is not an error.
pub async fn forget_keyring_key(service: &str, account: &str) -> StoreResult<()> {
    let (service, account) = (service.to_owned(), account.to_owned());
    run_blocking(
        move || match keyring_entry(&service, &account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_unavailable(&e)),
        },
    )
    .await
}

fn keyring_entry(service: &str, account: &str) -> StoreResult<keyring::Entry> {
    keyring::Entry::new(service, account).map_err(|e| keyring_unavailable(&e))
}

fn keyring_unavailable(e: &keyring::Error) -> StoreError {
    StoreError::KeyringUnavailable {
        reason: e.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Password-wrapped key file

/// Argon2id cost of the key-encryption key: at least OWASP's minimum (19 MiB, 2 passes, 1 lane).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KdfCost {
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
}

const KDF_COST: KdfCost = KdfCost {
    m_cost_kib: 19 * 1024,
    t_cost: 2,
    p_cost: 1,
};
/// Refuse files asking for more than this (a damaged file must not exhaust memory).
const KDF_MAX_M_COST_KIB: u32 = 4 * 1024 * 1024;
const KDF_MAX_T_COST: u32 = 64;

const FORMAT: &str = "hearth-wrapped-key";
const FORMAT_VERSION: u32 = 1;
const KDF_NAME: &str = "argon2id";
const AEAD_NAME: &str = "xchacha20poly1305";

/// The JSON file beside the database. Nothing secret in clear; the header is authenticated.
#[derive(Debug, Serialize, Deserialize)]
struct WrappedKeyFile {
    format: String,
    version: u32,
    kdf: String,
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
    aead: String,
    nonce: String,
    ciphertext: String,
}

impl WrappedKeyFile {
    fn associated_data(&self) -> String {
        format!(
            "{}/{}/{}/m={},t={},p={}/{}/{}",
            self.format,
            self.version,
            self.kdf,
            self.m_cost_kib,
            self.t_cost,
            self.p_cost,
            self.aead,
            self.salt
        )
    }
}

pub(crate) fn key_file_path(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE_NAME)
}

/// Derives the key-encryption key (slow on purpose; run it off the async threads).
fn derive_kek(password: &Password, salt: &[u8], cost: KdfCost) -> StoreResult<Zeroizing<[u8; 32]>> {
    let params = Params::new(cost.m_cost_kib, cost.t_cost, cost.p_cost, Some(32))
        .map_err(|e| StoreError::Unreadable(format!("Argon2 parameters: {e}")))?;
    let mut kek = Zeroizing::new([0u8; 32]);
    crate::kdf::hash_into(params, password.as_bytes(), salt, kek.as_mut())
        .map_err(|e| StoreError::Unreadable(format!("Argon2: {e}")))?;
    Ok(kek)
}

fn wrap(key: &DatabaseKey, password: &Password) -> StoreResult<WrappedKeyFile> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng
        .try_fill_bytes(&mut salt)
        .and_then(|()| rand::rngs::OsRng.try_fill_bytes(&mut nonce))
        .expect("the operating system's random number generator failed");
    let mut file = WrappedKeyFile {
        format: FORMAT.to_owned(),
        version: FORMAT_VERSION,
        kdf: KDF_NAME.to_owned(),
        m_cost_kib: KDF_COST.m_cost_kib,
        t_cost: KDF_COST.t_cost,
        p_cost: KDF_COST.p_cost,
        salt: hex::encode(&salt),
        aead: AEAD_NAME.to_owned(),
        nonce: hex::encode(&nonce),
        ciphertext: String::new(),
    };
    let kek = derive_kek(password, &salt, KDF_COST)?;
    let aad = file.associated_data();
    let ciphertext = XChaCha20Poly1305::new(kek.as_ref().into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.as_bytes(),
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| StoreError::Unreadable("key wrapping failed".to_owned()))?;
    file.ciphertext = hex::encode(&ciphertext);
    Ok(file)
}

fn unwrap(file: &WrappedKeyFile, password: &Password, path: &Path) -> StoreResult<DatabaseKey> {
    let damaged = |reason: &str| StoreError::KeyFileDamaged {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    if file.format != FORMAT
        || file.version != FORMAT_VERSION
        || file.kdf != KDF_NAME
        || file.aead != AEAD_NAME
    {
        return Err(damaged("unknown format"));
    }
    let cost = KdfCost {
        m_cost_kib: file.m_cost_kib,
        t_cost: file.t_cost,
        p_cost: file.p_cost,
    };
    if cost.m_cost_kib < KDF_COST.m_cost_kib
        || cost.m_cost_kib > KDF_MAX_M_COST_KIB
        || cost.t_cost < KDF_COST.t_cost
        || cost.t_cost > KDF_MAX_T_COST
        || cost.p_cost != 1
    {
        return Err(damaged("key-derivation cost out of range"));
    }
    let salt = hex::decode(&file.salt).ok_or_else(|| damaged("salt is not hex"))?;
    let nonce = hex::decode(&file.nonce).ok_or_else(|| damaged("nonce is not hex"))?;
    let ciphertext =
        hex::decode(&file.ciphertext).ok_or_else(|| damaged("ciphertext is not hex"))?;
    if salt.len() < 16 || nonce.len() != 24 || ciphertext.len() != 32 + 16 {
        return Err(damaged("wrong field length"));
    }
    let kek = derive_kek(password, &salt, cost)?;
    let aad = file.associated_data();
    let plain = XChaCha20Poly1305::new(kek.as_ref().into())
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &ciphertext,
                aad: aad.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| StoreError::WrongPassword)?;
    let bytes: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| damaged("wrong key length"))?;
    Ok(DatabaseKey::from_bytes(bytes))
}

/// Reads the wrapped-key file: `Ok(None)` when there is none.
fn read_key_file(path: &Path) -> StoreResult<Option<WrappedKeyFile>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(path, e)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|_| StoreError::KeyFileDamaged {
            path: path.to_owned(),
            reason: "not a wrapped-key file".to_owned(),
        })
}

/// Writes the file atomically: a temporary file in the same folder, fsync, rename, fsync
/// the folder. A crash leaves either the old file or the new one.
fn write_key_file(path: &Path, file: &WrappedKeyFile) -> StoreResult<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let tmp = path.with_extension("json.tmp");
    let text =
        serde_json::to_string_pretty(file).map_err(|e| StoreError::Unreadable(e.to_string()))?;
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    result.map_err(|e| StoreError::io(path, e))
}

/// Unwraps the key in `dir` with `password`: `Ok(None)` when there is no key file.
pub(crate) async fn load_wrapped(
    dir: &Path,
    password: &Password,
) -> StoreResult<Option<DatabaseKey>> {
    let path = key_file_path(dir);
    let password = password.clone();
    run_blocking(move || match read_key_file(&path)? {
        Some(file) => unwrap(&file, &password, &path).map(Some),
        None => Ok(None),
    })
    .await
}

/// Wraps `key` with `password` and writes it beside the database.
pub(crate) async fn store_wrapped(
    dir: &Path,
    key: &DatabaseKey,
    password: &Password,
) -> StoreResult<()> {
    let path = key_file_path(dir);
    let (key, password) = (key.clone(), password.clone());
    run_blocking(move || write_key_file(&path, &wrap(&key, &password)?)).await
}

/// Re-wraps the key of the cache in `dir` under a new password. The old password must be
/// right ([`StoreError::WrongPassword`] otherwise, and the file is left as it was).
pub async fn change_password(dir: &Path, old: &Password, new: &Password) -> StoreResult<()> {
    let key = load_wrapped(dir, old)
        .await?
        .ok_or_else(|| StoreError::KeyFileMissing {
            path: key_file_path(dir),
        })?;
    store_wrapped(dir, &key, new).await
}

async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Unreadable(format!("background task failed: {e}")))?
}
