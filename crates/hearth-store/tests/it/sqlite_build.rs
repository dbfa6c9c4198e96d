//! The SQLite (SQLCipher) this workspace links is built with the options in
//! `.cargo/config.toml`: no global memory statistics and a page cache per connection, so
//! connections on different threads do not queue on one process-wide lock for every
//! allocation (BENCHMARKS.md, "Sync"). Losing that file, or the variable it sets, fails here.

use sqlx::Connection as _;

#[tokio::test]
async fn sqlite_is_built_without_process_wide_memory_locks() {
    let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
        .await
        .expect("an in-memory database");
    let options: Vec<(String,)> = sqlx::query_as("PRAGMA compile_options")
        .fetch_all(&mut conn)
        .await
        .expect("compile options");
    let options: Vec<String> = options.into_iter().map(|(o,)| o).collect();
    assert!(
        options.iter().any(|o| o == "HAS_CODEC"),
        "the SQLite linked is SQLCipher: {options:?}"
    );
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "memory statistics are off (LIBSQLITE3_FLAGS in .cargo/config.toml): {options:?}"
    );
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "each connection has its own page cache (LIBSQLITE3_FLAGS in .cargo/config.toml): {options:?}"
    );
}
