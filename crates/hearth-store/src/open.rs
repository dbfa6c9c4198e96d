//! Opening and creating the cache: the key first, then the checks, then migrations.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions as _, Connection as _, SqliteConnection};

use crate::error::{StoreError, StoreResult};
use crate::ids::ClientId;
use crate::key::{self, DatabaseKey, KeyStorage};
use crate::Store;

/// File name of the encrypted database in the data folder.
pub const DATABASE_FILE_NAME: &str = "hearth-cache.db";

const MAX_CONNECTIONS: u32 = 4;
const SQLITE_NOTADB: i64 = 26;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How an existing cache in a data folder is protected, so the app knows whether to ask
/// for the password before calling [`Store::open_or_create`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingCache {
    /// No cache yet: any [`KeyStorage`] creates one.
    None,
    /// A cache whose key is wrapped with the user's password.
    PasswordWrapped,
    /// A cache whose key is kept elsewhere (the OS keyring).
    KeyKeptElsewhere,
}

/// Says how the cache in `dir` (if any) is protected. Reads only file names.
pub fn existing_protection(dir: &Path) -> StoreResult<ExistingCache> {
    let db = dir.join(DATABASE_FILE_NAME);
    let db_exists = db.try_exists().map_err(|e| StoreError::io(&db, e))?;
    let key_file = key::key_file_path(dir);
    let key_exists = key_file
        .try_exists()
        .map_err(|e| StoreError::io(&key_file, e))?;
    Ok(match (db_exists, key_exists) {
        (false, _) => ExistingCache::None,
        (true, true) => ExistingCache::PasswordWrapped,
        (true, false) => ExistingCache::KeyKeptElsewhere,
    })
}

/// Moves the cache in `dir` (database, its WAL files and the wrapped-key file) into a new
/// folder `dir/set-aside-<time>/`, so that [`Store::open_or_create`] starts a fresh cache to
/// be filled again from the server. Nothing is deleted. Call it only with the store closed.
/// Returns the folder the files went to.
pub fn set_aside_cache(dir: &Path, now: DateTime<Utc>) -> StoreResult<PathBuf> {
    let target = dir.join(format!("set-aside-{}", now.format("%Y%m%dT%H%M%S%.3fZ")));
    std::fs::create_dir(&target).map_err(|e| StoreError::io(&target, e))?;
    let names = [
        DATABASE_FILE_NAME.to_owned(),
        format!("{DATABASE_FILE_NAME}-wal"),
        format!("{DATABASE_FILE_NAME}-shm"),
        key::KEY_FILE_NAME.to_owned(),
    ];
    for name in names {
        let from = dir.join(&name);
        match std::fs::rename(&from, target.join(&name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(&from, e)),
        }
    }
    tracing::info!("local cache set aside");
    Ok(target)
}

impl Store {
    /// Opens the encrypted cache in `dir`, or creates it (and its key) if there is none.
    ///
    /// An existing cache is never replaced: a missing key ([`StoreError::KeyMissing`],
    /// [`StoreError::KeyFileMissing`]), a wrong password ([`StoreError::WrongPassword`]) or
    /// a key that does not open it ([`StoreError::WrongKey`]) is an error and the files are
    /// left untouched. `now` stamps a new cache's client id.
    pub async fn open_or_create(
        dir: &Path,
        keys: KeyStorage,
        now: DateTime<Utc>,
    ) -> StoreResult<Store> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        let db_path = dir.join(DATABASE_FILE_NAME);
        let exists = db_path
            .try_exists()
            .map_err(|e| StoreError::io(&db_path, e))?;

        let key = match keys {
            KeyStorage::OsKeyring { service, account } => {
                match key::keyring_load(&service, &account).await? {
                    Some(key) => key,
                    None if exists => return Err(StoreError::KeyMissing),
                    None => {
                        // The key is kept before the database exists, so a crash in between
                        // leaves a key without a cache, never a cache without a key.
                        let key = DatabaseKey::generate();
                        key::keyring_store(&service, &account, &key).await?;
                        key
                    }
                }
            }
            KeyStorage::PasswordWrapped { password } => {
                match key::load_wrapped(dir, &password).await? {
                    Some(key) => key,
                    None if exists => {
                        return Err(StoreError::KeyFileMissing {
                            path: key::key_file_path(dir),
                        })
                    }
                    None => {
                        let key = DatabaseKey::generate();
                        key::store_wrapped(dir, &key, &password).await?;
                        key
                    }
                }
            }
            KeyStorage::Supplied { key } => key,
        };

        let options = encrypted_options(&db_path, &key, !exists);
        drop(key);
        let store = open_with(db_path, options, Encryption::SqlCipher, now).await?;
        tracing::info!(created = !exists, "local cache opened");
        Ok(store)
    }

    /// Benchmark only (feature `bench-plaintext`): an UNENCRYPTED database in `dir`, to
    /// measure what SQLCipher costs. The app never enables this feature.
    #[cfg(feature = "bench-plaintext")]
    pub async fn open_plaintext_for_benchmark(
        dir: &Path,
        now: DateTime<Utc>,
    ) -> StoreResult<Store> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        let db_path = dir.join("plaintext-benchmark-only.db");
        let options = common_options(
            SqliteConnectOptions::new()
                .filename(&db_path)
                .create_if_missing(true),
        );
        open_with(db_path, options, Encryption::None, now).await
    }

    /// The full check, for diagnostics: SQLite's `integrity_check` (must say `ok`) and
    /// SQLCipher's `cipher_integrity_check` (must return no rows). Reads every page.
    pub async fn check_integrity(&self) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
            .fetch_all(&mut *conn)
            .await?;
        let mut problems = rows.iter().filter(|(r,)| r != "ok").count();
        if self.encrypted {
            problems += sqlx::query("PRAGMA cipher_integrity_check")
                .fetch_all(&mut *conn)
                .await?
                .len();
        }
        if problems > 0 {
            tracing::error!(problems, "integrity check failed");
            return Err(StoreError::Corrupt { problems });
        }
        Ok(())
    }

    /// Closes every connection (the WAL is checkpointed and removed when the last one
    /// closes). Other clones of this store must not be in use.
    pub async fn close(self) {
        // sqlx hands a used connection back to the pool in a background task; a pool closed
        // while one is on its way back leaves that connection to close later, on its own
        // (sqlx-core 0.8.6). Wait (briefly) until every connection is idle, then close.
        for _ in 0..2000 {
            if self.pool.num_idle() >= usize::try_from(self.pool.size()).unwrap_or(usize::MAX) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        self.pool.close().await;
    }
}

fn encrypted_options(path: &Path, key: &DatabaseKey, create: bool) -> SqliteConnectOptions {
    // Before SQLCipher first uses OpenSSL: OpenSSL is told not to free its global state in
    // an `atexit` handler (OPENSSL_INIT_NO_ATEXIT). Otherwise a process that exits while a
    // connection's worker thread is still closing its database (sqlx closes them on their
    // own threads) can abort with a double free inside OpenSSL, seen once at the end of the
    // `tests/sync` binary. Runs once per process; the operating system frees it all at exit.
    openssl_sys::init();
    // `key` must be the first pragma on every connection: sqlx keeps it first
    // (SqliteConnectOptions reserves its slot), so it runs before journal_mode and the rest.
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .pragma("key", key.pragma_value().to_string());
    common_options(options)
}

fn common_options(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .pragma("temp_store", "MEMORY")
        // 32 MiB of page cache per connection (SQLite's default is 2 MB): with SQLCipher a
        // page read from the file is decrypted and its HMAC checked, so keeping the hot
        // pages (search index, recent records) decrypted in memory is what makes it cheap.
        .pragma("cache_size", "-32768")
        .busy_timeout(Duration::from_secs(10))
        // Statements are SQL text with bound values, but the connection's first statement
        // holds the key pragma: never log statements.
        .disable_statement_logging()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Encryption {
    SqlCipher,
    #[cfg(feature = "bench-plaintext")]
    None,
}

async fn open_with(
    path: PathBuf,
    options: SqliteConnectOptions,
    encryption: Encryption,
    now: DateTime<Utc>,
) -> StoreResult<Store> {
    // One connection first for the checks, so a wrong key fails before anything is written.
    let mut first = SqliteConnection::connect_with(&options)
        .await
        .map_err(not_a_database)?;
    let check = check_integrity(&mut first, encryption).await;
    first.close().await.ok();
    check?;

    let pool = SqlitePoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .connect_with(options)
        .await
        .map_err(not_a_database)?;
    MIGRATOR.run(&pool).await?;

    sqlx::query(
        "INSERT INTO client_state (id, client_id, last_mutation_id, created_at) VALUES (1, ?, 0, ?)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(ClientId::new_at(now).to_string())
    .bind(crate::time::encode(now))
    .execute(&pool)
    .await?;
    let client_id: String = sqlx::query_scalar("SELECT client_id FROM client_state WHERE id = 1")
        .fetch_one(&pool)
        .await?;
    let client_id = client_id
        .parse()
        .map_err(|_| StoreError::Unreadable("client id".to_owned()))?;
    Ok(Store {
        pool,
        client_id,
        path,
        encrypted: encryption == Encryption::SqlCipher,
    })
}

/// A sanity read (a wrong key shows up here as "file is not a database"), then SQLCipher's
/// page check, which must return no rows.
async fn check_integrity(conn: &mut SqliteConnection, encryption: Encryption) -> StoreResult<()> {
    let _: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master")
        .fetch_one(&mut *conn)
        .await
        .map_err(not_a_database)?;
    if encryption == Encryption::SqlCipher {
        let problems = sqlx::query("PRAGMA cipher_integrity_check")
            .fetch_all(&mut *conn)
            .await?;
        if !problems.is_empty() {
            tracing::error!(problems = problems.len(), "cipher_integrity_check failed");
            return Err(StoreError::Corrupt {
                problems: problems.len(),
            });
        }
    }
    Ok(())
}

/// Turns SQLite's "file is not a database" (code 26), which is what a wrong key gives,
/// into [`StoreError::WrongKey`].
fn not_a_database(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let code = db.code().and_then(|c| c.parse::<i64>().ok()).unwrap_or(0);
        if code & 0xff == SQLITE_NOTADB {
            return StoreError::WrongKey;
        }
    }
    StoreError::Database(e)
}
