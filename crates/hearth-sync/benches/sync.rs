//! Sync benchmarks (not tests; they print figures). `make bench` runs them:
//!
//! ```text
//! npm ci --prefix bench/pouchdb --no-audit --no-fund
//! cargo bench -p hearth-sync --bench sync
//! ```
//!
//! A real `hearth-server` on a loopback port (in this process, as `tests/sync` does), on
//! SQLite and on a fresh PostgreSQL database per run (127.0.0.1:5432, user postgres, db
//! test), and the real engine with a fresh encrypted (SQLCipher) cache:
//!
//! 1. initial pull of 1,000 plans + 5,000 document records (metadata) into the cache —
//!    goal ≤ 1 s — timed to the last applied page; the same sync then downloads, verifies
//!    and stores every document's ~1 KB of bytes, timed separately (to the sync's end);
//! 2. no-op sync round trip (push of an empty outbox + one pull), p50/p95 — goal p95 ≤ 20 ms;
//! 3. push of 1,000 edits (time until the last push answer is recorded);
//! 4. a 15 MiB document upload through the engine vs `curl` sending the same bytes to the
//!    same upload endpoint in the largest chunks the server takes — goal ≥ 70%;
//! 5. initial pull of 100,000 records of ~1 KB — goal ≤ 10 s;
//! 6. PouchDB 9 in Node (`bench/pouchdb`) replicating the same 100,000 records as JSON
//!    from express-pouchdb on loopback into a fresh local PouchDB — records/s for both and
//!    the ratio (goal: Hearth ≥ 10×), twice: both databases on the memory adapter (nothing
//!    on disk), then on LevelDB (PouchDB's default Node persistence, on disk; the
//!    like-for-like one, as Hearth writes an encrypted, fsynced cache).
//!
//! The server's data is seeded straight into its database (not timed). All data is
//! invented. Knobs: `HEARTH_BENCH_BACKENDS=sqlite,postgres`, `HEARTH_BENCH_RECORDS=100000`,
//! `HEARTH_BENCH_NOOP_RUNS=200`, `HEARTH_BENCH_POUCHDB=0` (skip the PouchDB peer).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use hearth_domain::account::Role;
use hearth_domain::{RecordKind, UserId};
use hearth_protocol::paths;
use hearth_protocol::sync::{UploadCreate, UploadStatus};
use hearth_server::app::AppState;
use hearth_server::clock::SystemClock;
use hearth_server::mail::Mailer;
use hearth_server::store::NewUser;
use hearth_store::{DatabaseKey, KeyStorage, NewDocument, RecordId, StepSave, Store};
use hearth_sync::{Engine, EngineConfig, SyncEvent};
use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

const PLANS: usize = 1_000;
const DOCUMENTS: usize = 5_000;
const EDITS: usize = 1_000;
const UPLOAD_BYTES: usize = 15 * 1024 * 1024;
const UPLOAD_RUNS: usize = 7;
/// The largest chunk the server takes (`hearth_server::documents::MAX_CHUNK_BYTES`).
const CURL_CHUNK: usize = 4 * 1024 * 1024;
const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

enum Seed {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// A server on a loopback port with its own fresh database.
struct Server {
    addr: std::net::SocketAddr,
    store: hearth_server::store::DynStore,
    seed: Seed,
    dir: tempfile::TempDir,
    pg_name: Option<String>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(backend: Backend) -> Server {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (url, pg_name) = match backend {
            Backend::Sqlite => (hearth_server::store::sqlite_url_for(dir.path()), None),
            Backend::Postgres => {
                let name = format!("hearth_bench_{}", Uuid::now_v7().simple());
                let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(PG_ADMIN_URL)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at {PG_ADMIN_URL}: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut c)
                    .await
                    .expect("create the benchmark database");
                let base = PG_ADMIN_URL.rsplit_once('/').map(|(b, _)| b).unwrap();
                (format!("{base}/{name}"), Some(name))
            }
        };
        let store = hearth_server::store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let mailer = Mailer::outbox(
            dir.path().join("outbox"),
            "Hearth <no-reply@hearth.invalid>",
        )
        .unwrap();
        let state = AppState::new(store.clone(), Arc::new(SystemClock), mailer)
            .await
            .unwrap()
            .with_documents_dir(dir.path());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = hearth_server::serve(listener, state, std::future::pending()).await;
        });
        let seed = match backend {
            Backend::Sqlite => Seed::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect(&url)
                    .await
                    .unwrap(),
            ),
            Backend::Postgres => Seed::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .connect(&url)
                    .await
                    .unwrap(),
            ),
        };
        Server {
            addr,
            store,
            seed,
            dir,
            pg_name,
            task,
        }
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A practitioner (invented) with a signed-in session: its id and access token.
    async fn practitioner(&self) -> (UserId, String) {
        let id = UserId(Uuid::now_v7());
        let roles = [Role::Practitioner].into_iter().collect();
        let email = format!("bench-{}@example.org.uk", id.0.simple());
        let now = Utc::now();
        self.store
            .insert_user(NewUser {
                id,
                forename: "Bench",
                surname: "Worker",
                email: &email,
                password_hash: None,
                roles: &roles,
                email_confirmed: true,
                partner_details: None,
                now,
            })
            .await
            .unwrap();
        let tokens = hearth_server::auth::open_session(
            &self.store,
            id,
            Uuid::now_v7(),
            "Bench laptop",
            (chrono::Duration::days(1), chrono::Duration::days(2)),
            now,
        )
        .await
        .unwrap_or_else(|e| panic!("bench session: {e:?}"));
        let token = tokens.access_token.expose().to_owned();
        (id, token)
    }

    /// Seeds records straight into the server's database, numbered in the change log in
    /// the order given, then moves the log's head past them.
    async fn seed(&self, owner: UserId, rows: &[SeedRow]) {
        let (last,): (i64,) = match &self.seed {
            Seed::Sqlite(p) => sqlx::query_as("SELECT change_seq FROM sync_state WHERE id = 1")
                .fetch_one(p)
                .await
                .unwrap(),
            Seed::Postgres(p) => sqlx::query_as("SELECT change_seq FROM sync_state WHERE id = 1")
                .fetch_one(p)
                .await
                .unwrap(),
        };
        let owner = owner.to_string();
        let now = Utc::now().timestamp_millis();
        macro_rules! insert {
            ($db:ty, $pool:expr) => {{
                let mut tx = $pool.begin().await.unwrap();
                for (n, chunk) in rows.chunks(1000).enumerate() {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO sync_records (id, kind, owner_id, version, epoch, fields, \
                         reference, deleted, last_seq, created_at, updated_at, parent_id) ",
                    );
                    qb.push_values(chunk.iter().enumerate(), |mut b, (i, r)| {
                        let seq = last + 1 + i64::try_from(n * 1000 + i).unwrap();
                        b.push_bind(r.id.to_string())
                            .push_bind(r.kind.as_str())
                            .push_bind(owner.clone())
                            .push_bind(1_i64)
                            .push_bind(0_i64)
                            .push_bind(serde_json::to_string(&r.fields).unwrap())
                            .push_bind(r.reference.clone())
                            .push_bind(0_i64)
                            .push_bind(seq)
                            .push_bind(now)
                            .push_bind(now)
                            .push_bind(r.parent.map(|p| p.to_string()));
                    });
                    qb.build().execute(&mut *tx).await.unwrap();
                }
                sqlx::query("UPDATE sync_state SET change_seq = $1 WHERE id = 1")
                    .bind(last + i64::try_from(rows.len()).unwrap())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }};
        }
        match &self.seed {
            Seed::Sqlite(p) => insert!(sqlx::Sqlite, p),
            Seed::Postgres(p) => insert!(sqlx::Postgres, p),
        }
    }

    /// Puts finalised document bytes where the server keeps them (content-addressed).
    async fn seed_blobs(&self, blobs: &[(String, Vec<u8>)]) {
        for (sha, bytes) in blobs {
            let path = hearth_server::documents::blob_path(self.dir.path(), sha);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
        let now = Utc::now().timestamp_millis();
        macro_rules! insert {
            ($db:ty, $pool:expr) => {{
                for chunk in blobs.chunks(1000) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO document_blobs (sha256, size, content_type, created_at) ",
                    );
                    qb.push_values(chunk, |mut b, (sha, bytes)| {
                        b.push_bind(sha.clone())
                            .push_bind(i64::try_from(bytes.len()).unwrap())
                            .push_bind("application/pdf")
                            .push_bind(now);
                    });
                    qb.build().execute($pool).await.unwrap();
                }
            }};
        }
        match &self.seed {
            Seed::Sqlite(p) => insert!(sqlx::Sqlite, p),
            Seed::Postgres(p) => insert!(sqlx::Postgres, p),
        }
    }

    async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        drop(self.seed);
        drop(self.store);
        if let Some(name) = self.pg_name {
            if let Ok(mut c) = <sqlx::PgConnection as sqlx::Connection>::connect(PG_ADMIN_URL).await
            {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c)
                    .await;
            }
        }
        drop(self.dir);
    }
}

struct SeedRow {
    id: Uuid,
    kind: RecordKind,
    fields: Map<String, Value>,
    reference: Option<String>,
    parent: Option<Uuid>,
}

const WORDS: [&str; 16] = [
    "visit",
    "school",
    "attendance",
    "housing",
    "review",
    "agreed",
    "support",
    "family",
    "health",
    "worker",
    "meeting",
    "plan",
    "progress",
    "goal",
    "weekly",
    "contact",
];

/// Invented prose of about `len` characters, different for each `seed`.
fn prose(seed: usize, len: usize) -> String {
    let mut s = String::with_capacity(len + 16);
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(12_345);
    while s.len() < len {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        s.push_str(WORDS[(x >> 33) % WORDS.len()]);
        s.push(' ');
    }
    s.truncate(len);
    s
}

fn plan_fields(i: usize, notes: usize) -> Map<String, Value> {
    let Value::Object(m) = json!({
        "status": "active",
        "family_name": format!("Example family {i}"),
        "postcode": format!("ZZ{} {}XY", i % 99, i % 9),
        "lead_worker": "Bench Worker",
        "notes": prose(i, notes),
    }) else {
        unreachable!()
    };
    m
}

/// Bytes that pass the server's type check (a PDF header) and differ per `seed`.
fn pdf_bytes(seed: usize, len: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n% Hearth benchmark document\n".to_vec();
    let mut x = (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while out.len() < len.saturating_sub(6) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len.saturating_sub(6));
    out.extend_from_slice(b"\n%%EOF");
    out
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// 1,000 plans, then 5,000 documents (five per plan) with ~1 KB of bytes each.
fn plans_and_documents() -> (Vec<SeedRow>, Vec<(String, Vec<u8>)>) {
    let mut rows = Vec::with_capacity(PLANS + DOCUMENTS);
    let mut blobs = Vec::with_capacity(DOCUMENTS);
    for i in 0..PLANS {
        rows.push(SeedRow {
            id: Uuid::now_v7(),
            kind: RecordKind::Plan,
            fields: plan_fields(i, 300),
            reference: Some(format!("FSP-{:06}", i + 1)),
            parent: None,
        });
    }
    for d in 0..DOCUMENTS {
        let plan = rows[d % PLANS].id;
        let bytes = pdf_bytes(d, 1024);
        let sha = sha_hex(&bytes);
        let Value::Object(fields) = json!({
            "record_id": plan.to_string(),
            "title": format!("Letter {d}"),
            "file_name": format!("letter-{d}.pdf"),
            "content_type": "application/pdf",
            "size": bytes.len(),
            "sha256": sha,
        }) else {
            unreachable!()
        };
        rows.push(SeedRow {
            id: Uuid::now_v7(),
            kind: RecordKind::Document,
            fields,
            reference: Some(format!("DOC-{:06}", d + 1)),
            parent: Some(plan),
        });
        blobs.push((sha, bytes));
    }
    (rows, blobs)
}

/// `n` records of about 1 KB of JSON each (plans and tasks).
fn kilobyte_records(n: usize) -> Vec<SeedRow> {
    (0..n)
        .map(|i| {
            let mut fields = plan_fields(i, 850);
            let kind = if i % 2 == 0 {
                RecordKind::Plan
            } else {
                fields.insert("title".into(), json!(format!("Task {i}")));
                RecordKind::Task
            };
            // The permanent reference the server gives every record at its first creation
            // (one counter per kind), as a real server's records carry.
            let reference = format!("{}-{:06}", kind.reference_prefix(), i / 2 + 1);
            SeedRow {
                id: Uuid::now_v7(),
                kind,
                fields,
                reference: Some(reference),
                parent: None,
            }
        })
        .collect()
}

struct Device {
    engine: Engine,
    store: Store,
    _dir: tempfile::TempDir,
}

async fn device(base_url: &str, token: &str) -> Device {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_or_create(
        dir.path(),
        KeyStorage::Supplied {
            key: DatabaseKey::generate(),
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let mut config = EngineConfig::new(base_url, token);
    config.pull_page = u32::try_from(env_usize("HEARTH_BENCH_PULL_PAGE", 500)).unwrap();
    let engine = Engine::new(store.clone(), config).unwrap();
    Device {
        engine,
        store,
        _dir: dir,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[derive(Default)]
struct Figures {
    pull_small: Duration,
    pull_small_with_bytes: Duration,
    noop_p50: Duration,
    noop_p95: Duration,
    noop_runs: usize,
    push: Duration,
    upload: Duration,
    curl: Duration,
    curl_whole: Duration,
    pull_large: Duration,
    large_records: usize,
}

async fn run_backend(backend: Backend, records: usize, pouch_file: Option<&Path>) -> Figures {
    let mut f = Figures::default();
    // 1–4 on one server: 1,000 plans + 5,000 documents.
    {
        let server = Server::start(backend).await;
        let (user, token) = server.practitioner().await;
        let (rows, blobs) = plans_and_documents();
        server.seed(user, &rows).await;
        server.seed_blobs(&blobs).await;
        let d = device(&server.base_url(), &token).await;

        // The records (plans and document metadata) are in the cache when the last page is
        // applied (its `Pulled` event); the documents' bytes come after, in the same sync.
        let last_page = Arc::new(Mutex::new(None::<Instant>));
        let seen = last_page.clone();
        let started = Instant::now();
        let report = d
            .engine
            .sync_with(&move |e| {
                if matches!(e, SyncEvent::Pulled { .. }) {
                    *seen.lock().unwrap() = Some(Instant::now());
                }
            })
            .await
            .expect("initial pull");
        f.pull_small_with_bytes = started.elapsed();
        f.pull_small = last_page.lock().unwrap().expect("pages pulled") - started;
        assert_eq!(report.pulled as usize, PLANS + DOCUMENTS, "records pulled");
        assert!(
            d.store
                .documents_without_bytes(None, 1)
                .await
                .unwrap()
                .is_empty(),
            "every document's bytes downloaded"
        );
        let plans = d.store.list(RecordKind::Plan).await.unwrap();
        assert_eq!(plans.len(), PLANS, "plans in the cache");
        let mut docs = 0;
        for p in plans.iter().take(10) {
            docs += d.store.list_documents(p.id).await.unwrap().len();
        }
        assert_eq!(docs, 50, "documents of the first ten plans in the cache");
        println!(
            "[{}] initial pull of {PLANS} plans + {DOCUMENTS} document records: {:.0} ms; \
             with the documents' bytes downloaded after them (same sync): {:.0} ms",
            backend.name(),
            ms(f.pull_small),
            ms(f.pull_small_with_bytes)
        );

        // 2. No-op round trips.
        let runs = env_usize("HEARTH_BENCH_NOOP_RUNS", 200);
        for _ in 0..10 {
            d.engine.sync_once().await.unwrap();
        }
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let r = d.engine.sync_once().await.unwrap();
            times.push(t.elapsed());
            assert_eq!((r.pushed, r.pulled), (0, 0), "a no-op sync");
        }
        times.sort();
        f.noop_runs = runs;
        f.noop_p50 = percentile(&times, 0.50);
        f.noop_p95 = percentile(&times, 0.95);
        println!(
            "[{}] no-op sync x{runs}: p50 {:.2} ms, p95 {:.2} ms",
            backend.name(),
            ms(f.noop_p50),
            ms(f.noop_p95)
        );

        // 3. Push of 1,000 edits (autosaves of pulled plans, then one sync).
        for (i, p) in plans.iter().take(EDITS).enumerate() {
            d.store
                .save_step(StepSave::new(
                    Some(p.id),
                    RecordKind::Plan,
                    2,
                    json!({"notes": prose(i + 7, 300), "review_due": "2027-01-31"}),
                    Utc::now(),
                ))
                .await
                .unwrap();
        }
        assert_eq!(
            d.store.counts().await.unwrap().pending_outbox as usize,
            EDITS
        );
        let last_push = Arc::new(Mutex::new(None::<Instant>));
        let seen = last_push.clone();
        let started = Instant::now();
        let report = d
            .engine
            .sync_with(&move |e| {
                if matches!(e, SyncEvent::Pushed { .. }) {
                    *seen.lock().unwrap() = Some(Instant::now());
                }
            })
            .await
            .unwrap();
        f.push = last_push.lock().unwrap().expect("pushed") - started;
        assert_eq!(report.applied as usize, EDITS, "edits applied");
        println!(
            "[{}] push of {EDITS} edits: {:.0} ms ({} conflicts, whole sync with the pull back {:.0} ms)",
            backend.name(),
            ms(f.push),
            report.conflicts,
            ms(started.elapsed())
        );

        // 4. 15 MiB upload: the engine vs curl.
        let (hearth, curl, curl_whole) = upload_vs_curl(&server, &d, plans[0].id, &token).await;
        f.upload = hearth;
        f.curl = curl;
        f.curl_whole = curl_whole;
        println!(
            "[{}] 15 MiB upload: engine {:.0} ms, curl {:.0} ms (chunks only), curl {:.0} ms (create, chunks, finalise) (medians of {UPLOAD_RUNS})",
            backend.name(),
            ms(hearth),
            ms(curl),
            ms(curl_whole)
        );
        drop(d);
        server.stop().await;
    }
    // 5. 100,000 records of ~1 KB on a fresh server.
    {
        let server = Server::start(backend).await;
        let (user, token) = server.practitioner().await;
        let rows = kilobyte_records(records);
        if let Some(file) = pouch_file {
            write_ndjson(file, &rows);
        }
        server.seed(user, &rows).await;
        drop(rows);
        let d = device(&server.base_url(), &token).await;
        let started = Instant::now();
        let report = d.engine.sync_once().await.expect("initial pull");
        f.pull_large = started.elapsed();
        f.large_records = records;
        assert_eq!(report.pulled as usize, records, "records pulled");
        let held = d.store.list(RecordKind::Plan).await.unwrap().len()
            + d.store.list(RecordKind::Task).await.unwrap().len();
        assert_eq!(held, records, "records in the cache");
        println!(
            "[{}] initial pull of {records} ~1 KB records: {:.0} ms ({} bytes received)",
            backend.name(),
            ms(f.pull_large),
            report.bytes_received
        );
        drop(d);
        server.stop().await;
    }
    f
}

/// The same rows as PouchDB documents (one JSON object per line).
fn write_ndjson(file: &Path, rows: &[SeedRow]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(file).unwrap());
    for r in rows {
        let mut doc = r.fields.clone();
        doc.insert("_id".into(), json!(r.id.to_string()));
        doc.insert("kind".into(), json!(r.kind.as_str()));
        if let Some(reference) = &r.reference {
            doc.insert("reference".into(), json!(reference));
        }
        serde_json::to_writer(&mut out, &doc).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
}

/// Medians of [`UPLOAD_RUNS`]: the engine's whole upload (create, 4 MiB chunks each with
/// its SHA-256, finalise) and curl's transfers of the same bytes to the same endpoint in
/// 4 MiB chunks (the server's largest; their SHA-256s computed beforehand, and the
/// create call made beforehand, both untimed). Each run uses new bytes (no deduplication).
async fn upload_vs_curl(
    server: &Server,
    d: &Device,
    record: RecordId,
    token: &str,
) -> (Duration, Duration, Duration) {
    let http = reqwest::Client::new();
    let tmp = tempfile::tempdir().unwrap();
    let mut hearth = Vec::new();
    let mut curl = Vec::new();
    let mut curl_whole = Vec::new();
    for run in 0..UPLOAD_RUNS {
        let bytes = pdf_bytes(1_000_000 + run, UPLOAD_BYTES);
        let sha = sha_hex(&bytes);
        // curl first, on its own document id, left unfinalised (no deduplication).
        let create = UploadCreate {
            document_id: Uuid::now_v7(),
            size: bytes.len() as u64,
            sha256: sha.clone(),
        };
        let status: UploadStatus = http
            .post(format!("{}{}", server.base_url(), paths::UPLOADS))
            .bearer_auth(token)
            .json(&create)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        let auth = format!("Authorization: Bearer {token}");
        let total = curl_chain(curl_chunk_requests(
            server,
            &auth,
            status.upload_id,
            &bytes,
            tmp.path(),
        ))
        .await;
        curl.push(Duration::from_secs_f64(total));
        // curl through the whole upload the engine makes (create, chunks, finalise), on
        // other bytes so that neither is deduplicated against the other.
        let other = pdf_bytes(2_000_000 + run, UPLOAD_BYTES);
        curl_whole.push(curl_whole_upload(server, &auth, &other, tmp.path()).await);
        // The engine, on a document stored in the encrypted cache.
        let meta = d
            .store
            .put_document(NewDocument {
                id: None,
                record_id: record,
                title: format!("Scan {run}"),
                file_name: format!("scan-{run}.pdf"),
                content_type: "application/pdf".into(),
                bytes: &bytes,
                added_at: Utc::now(),
            })
            .await
            .unwrap();
        let started = Instant::now();
        let report = d.engine.upload_document(meta.id).await.unwrap();
        hearth.push(started.elapsed());
        assert!(report.finalised && report.bytes_sent == bytes.len() as u64);
    }
    hearth.sort();
    curl.sort();
    curl_whole.sort();
    (
        hearth[UPLOAD_RUNS / 2],
        curl[UPLOAD_RUNS / 2],
        curl_whole[UPLOAD_RUNS / 2],
    )
}

/// curl's own `time_total`s, summed, for one whole upload of `bytes` in the engine's
/// requests: the create call (one process), then every chunk and the finalise call on one
/// connection (`--next`). Chunk hashes are made beforehand, untimed.
async fn curl_whole_upload(server: &Server, auth: &str, bytes: &[u8], tmp: &Path) -> Duration {
    let create = serde_json::to_string(&UploadCreate {
        document_id: Uuid::now_v7(),
        size: bytes.len() as u64,
        sha256: sha_hex(bytes),
    })
    .unwrap();
    let create_args: Vec<String> = vec![
        "-sS".into(),
        "--fail".into(),
        "-w".into(),
        "\\n%{time_total}\\n".into(),
        "-H".into(),
        auth.to_owned(),
        "-H".into(),
        "Content-Type: application/json".into(),
        "--data-binary".into(),
        create,
        format!("{}{}", server.base_url(), paths::UPLOADS),
    ];
    let out = run_curl(create_args).await;
    let mut lines = out.lines();
    let status: UploadStatus = serde_json::from_str(lines.next().unwrap()).unwrap();
    let mut total: f64 = lines.next().unwrap().trim().parse().unwrap();
    let mut requests = curl_chunk_requests(server, auth, status.upload_id, bytes, tmp);
    requests.push(curl_timed([
        "-H".into(),
        auth.to_owned(),
        "-H".into(),
        "Content-Type: application/json".into(),
        "--data-binary".into(),
        json!({ "sha256": sha_hex(bytes) }).to_string(),
        format!(
            "{}{}",
            server.base_url(),
            paths::upload_finalise(status.upload_id)
        ),
    ]));
    total += curl_chain(requests).await;
    Duration::from_secs_f64(total)
}

/// One curl request per 4 MiB chunk of `bytes` (a PUT at its offset with its SHA-256, made
/// here, untimed; each chunk in a file under `dir`), to be joined with `--next`.
fn curl_chunk_requests(
    server: &Server,
    auth: &str,
    upload: Uuid,
    bytes: &[u8],
    dir: &Path,
) -> Vec<Vec<String>> {
    bytes
        .chunks(CURL_CHUNK)
        .enumerate()
        .map(|(i, chunk)| {
            let file: PathBuf = dir.join(format!("chunk-{upload}-{i}"));
            std::fs::write(&file, chunk).unwrap();
            curl_timed([
                "-X".into(),
                "PUT".into(),
                "-H".into(),
                auth.to_owned(),
                "-H".into(),
                format!("{}: {}", paths::CHUNK_SHA256_HEADER, sha_hex(chunk)),
                "-H".into(),
                "Content-Type: application/octet-stream".into(),
                "--data-binary".into(),
                format!("@{}", file.display()),
                format!(
                    "{}{}?offset={}",
                    server.base_url(),
                    paths::upload(upload),
                    i * CURL_CHUNK
                ),
            ])
        })
        .collect()
}

/// One curl request that prints its own `time_total` (on a line) instead of the body.
fn curl_timed<const N: usize>(rest: [String; N]) -> Vec<String> {
    ["-sS", "--fail", "-o", "/dev/null", "-w", "%{time_total}\\n"]
        .into_iter()
        .map(String::from)
        .chain(rest)
        .collect()
}

/// Runs `requests` as one curl process on one connection (`--next` between them): the sum
/// of the `time_total`s they printed, in seconds.
async fn curl_chain(requests: Vec<Vec<String>>) -> f64 {
    run_curl(requests.join(&["--next".to_owned()][..]))
        .await
        .lines()
        .map(|l| l.trim().parse::<f64>().expect("curl's time_total"))
        .sum()
}

/// Runs curl off the runtime's threads (the server is in this process); its stdout.
async fn run_curl(args: Vec<String>) -> String {
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("curl").args(&args).output()
    })
    .await
    .unwrap()
    .expect("curl");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// PouchDB's two adapters the peer runs on: `memory` (nothing on disk) and `leveldb` (its
/// default Node persistence, on disk in a temporary folder the peer removes).
const POUCH_ADAPTERS: [&str; 2] = ["memory", "leveldb"];

/// Runs the PouchDB peer on `file` with both databases on `adapter`; its records and
/// milliseconds.
fn pouchdb(file: &Path, adapter: &str) -> (usize, Duration) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/pouchdb");
    assert!(
        dir.join("node_modules/pouchdb").exists(),
        "the PouchDB peer is not installed: run `npm ci --prefix bench/pouchdb` (make bench does)"
    );
    let out = std::process::Command::new("node")
        .arg("--max-old-space-size=8192")
        .arg(dir.join("replicate.js"))
        .arg(file)
        .arg("500")
        .arg(adapter)
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "the PouchDB peer failed on {adapter}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("the peer's JSON line");
    assert_eq!(
        v["adapter"], adapter,
        "the peer ran on the adapter asked for"
    );
    let (n, t) = (
        v["records"].as_u64().unwrap() as usize,
        Duration::from_secs_f64(v["ms"].as_f64().unwrap() / 1000.0),
    );
    println!(
        "[pouchdb {adapter}] replication of {n} records: {:.0} ms",
        ms(t)
    );
    (n, t)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let backends: Vec<Backend> = std::env::var("HEARTH_BENCH_BACKENDS")
        .unwrap_or_else(|_| "sqlite,postgres".into())
        .split(',')
        .map(|b| match b.trim() {
            "sqlite" => Backend::Sqlite,
            "postgres" => Backend::Postgres,
            other => panic!("HEARTH_BENCH_BACKENDS: unknown backend {other:?}"),
        })
        .collect();
    let records = env_usize("HEARTH_BENCH_RECORDS", 100_000);
    let with_pouch = std::env::var("HEARTH_BENCH_POUCHDB").map_or(true, |v| v != "0");
    let tmp = tempfile::tempdir().unwrap();
    let pouch_file = tmp.path().join("records.ndjson");
    println!("load average at start: {}", load_average());
    let mut all = Vec::new();
    for (i, b) in backends.iter().enumerate() {
        let file = (with_pouch && i == 0).then_some(pouch_file.as_path());
        all.push((*b, rt.block_on(run_backend(*b, records, file))));
    }
    let pouch: Vec<(&str, usize, Duration)> = if with_pouch {
        POUCH_ADAPTERS
            .iter()
            .map(|a| {
                let (n, t) = pouchdb(&pouch_file, a);
                assert_eq!(n, records, "PouchDB ({a}) replicated every record");
                (*a, n, t)
            })
            .collect()
    } else {
        Vec::new()
    };
    println!("load average at end: {}", load_average());

    let mb = UPLOAD_BYTES as f64 / (1024.0 * 1024.0);
    println!();
    println!(
        "| figure | goal | {} |",
        all.iter()
            .map(|(b, _)| b.name())
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|---|{}", "---|".repeat(all.len()));
    let row = |name: &str, goal: &str, cell: &dyn Fn(&Figures) -> String| {
        println!(
            "| {name} | {goal} | {} |",
            all.iter()
                .map(|(_, f)| cell(f))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    };
    row(
        &format!("initial pull, {PLANS} plans + {DOCUMENTS} document records"),
        "≤ 1 s",
        &|f| format!("{:.0} ms", ms(f.pull_small)),
    );
    row(
        &format!("the same sync until the {DOCUMENTS} documents' bytes are in"),
        "—",
        &|f| {
            format!(
                "{:.0} ms (bytes: {:.0} ms after the records)",
                ms(f.pull_small_with_bytes),
                ms(f.pull_small_with_bytes - f.pull_small)
            )
        },
    );
    row(
        &format!("initial pull, {records} records of ~1 KB"),
        "≤ 10 s",
        &|f| {
            format!(
                "{:.0} ms ({:.0} records/s)",
                ms(f.pull_large),
                f.large_records as f64 / f.pull_large.as_secs_f64()
            )
        },
    );
    row("no-op sync, p50 / p95", "p95 ≤ 20 ms", &|f| {
        format!(
            "{:.2} / {:.2} ms (n = {})",
            ms(f.noop_p50),
            ms(f.noop_p95),
            f.noop_runs
        )
    });
    row(&format!("push of {EDITS} edits"), "—", &|f| {
        format!(
            "{:.0} ms ({:.0} edits/s)",
            ms(f.push),
            EDITS as f64 / f.push.as_secs_f64()
        )
    });
    row("15 MiB upload, engine", "—", &|f| {
        format!(
            "{:.0} ms ({:.0} MiB/s)",
            ms(f.upload),
            mb / f.upload.as_secs_f64()
        )
    });
    row("15 MiB upload, curl", "—", &|f| {
        format!(
            "{:.0} ms ({:.0} MiB/s)",
            ms(f.curl),
            mb / f.curl.as_secs_f64()
        )
    });
    row("engine ÷ curl throughput", "≥ 70%", &|f| {
        format!(
            "{:.0}%",
            100.0 * f.curl.as_secs_f64() / f.upload.as_secs_f64()
        )
    });
    row(
        "15 MiB upload, curl through the whole upload (create, chunks, finalise)",
        "—",
        &|f| {
            format!(
                "{:.0} ms ({:.0} MiB/s)",
                ms(f.curl_whole),
                mb / f.curl_whole.as_secs_f64()
            )
        },
    );
    row(
        "engine ÷ curl, both through the whole upload",
        "—",
        &|f| {
            format!(
                "{:.0}%",
                100.0 * f.curl_whole.as_secs_f64() / f.upload.as_secs_f64()
            )
        },
    );
    for (adapter, n, t) in &pouch {
        let pouch_rate = *n as f64 / t.as_secs_f64();
        let what = match *adapter {
            "memory" => "memory adapters, nothing on disk",
            _ => "LevelDB adapters, on disk",
        };
        row(
            &format!("PouchDB 9 replication, {n} records ({what})"),
            "—",
            &|_| format!("{:.0} ms ({pouch_rate:.0} records/s)", ms(*t)),
        );
        row(
            &format!("Hearth ÷ PouchDB on {adapter}, records/s"),
            "≥ 10×",
            &|f| {
                let hearth = f.large_records as f64 / f.pull_large.as_secs_f64();
                format!("{:.1}×", hearth / pouch_rate)
            },
        );
    }
}
