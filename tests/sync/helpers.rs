//! The pieces every sync test uses: a server on a loopback port (SQLite or a fresh
//! PostgreSQL database), users with sessions, clients with encrypted stores, a faulty proxy,
//! and the checks (exactly once on the server, convergence).

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use hearth_domain::account::Role;
use hearth_domain::UserId;
use hearth_server::app::AppState;
use hearth_server::clock::SystemClock;
use hearth_server::mail::Mailer;
use hearth_server::store::{AuditEvent, DynStore, NewUser};
use hearth_store::{DatabaseKey, KeyStorage, RecordId, Store};
use hearth_sync::{Engine, EngineConfig};
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named test on SQLite and on PostgreSQL: `on_both!(a)` makes `sqlite::a` and
/// `postgres::a`, calling `a(Backend)`.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}
pub(crate) use on_both;

pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn pg_admin_url() -> String {
    std::env::var("HEARTH_TEST_PG_ADMIN_URL").unwrap_or(PG_ADMIN_URL.into())
}

/// A fresh PostgreSQL database, dropped when the test ends. Fails (never skips) when
/// PostgreSQL is not reachable.
pub struct PgDatabase {
    name: String,
}

impl PgDatabase {
    async fn create() -> PgDatabase {
        let admin = pg_admin_url();
        let mut conn = match <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await {
            Ok(c) => c,
            Err(e) => panic!(
                "PostgreSQL is not reachable at {admin} ({e}); the sync tests run on SQLite AND \
                 PostgreSQL and fail rather than skip"
            ),
        };
        let name = format!("hearth_sync_{}", Uuid::now_v7().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create the test database");
        PgDatabase { name }
    }

    fn url(&self) -> String {
        let admin = pg_admin_url();
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        format!("{base}/{}", self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        let admin = pg_admin_url();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut c) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut c)
                        .await;
                }
            })
        })
        .join();
    }
}

/// A real server on a loopback port.
pub struct Server {
    /// For the checks: a small pool straight to the server's database.
    check: CheckPool,
    pub addr: SocketAddr,
    pub store: DynStore,
    _data_dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
    task: tokio::task::JoinHandle<()>,
    process: Option<ServerProcess>,
    database_url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn spawn_server(backend: Backend) -> Server {
    spawn_server_on(backend, false).await
}

/// A server that runs like a separate process (its own runtime on its own thread, its own
/// database pool), so [`Server::restart`] can kill it outright and start it again.
pub async fn spawn_restartable_server(backend: Backend) -> Server {
    spawn_server_on(backend, true).await
}

/// A server "process": its own runtime on its own thread. Killing it drops the runtime
/// without waiting: every connection and transaction under way is cut, as by `kill -9`.
pub struct ServerProcess {
    kill: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerProcess {
    pub fn start(
        database_url: String,
        data_dir: std::path::PathBuf,
        addr: SocketAddr,
    ) -> (ServerProcess, SocketAddr) {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (kill_tx, kill_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let store = hearth_server::store::connect(&database_url).await.unwrap();
                let mailer =
                    Mailer::outbox(data_dir.join("outbox"), "Hearth <no-reply@hearth.invalid>")
                        .unwrap();
                let state = AppState::new(store, Arc::new(SystemClock), mailer)
                    .await
                    .unwrap()
                    .with_documents_dir(&data_dir);
                let mut tries = 0;
                let listener = loop {
                    match TcpListener::bind(addr).await {
                        Ok(l) => break l,
                        Err(e) if tries < 200 => {
                            tries += 1;
                            let _ = e;
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                        Err(e) => panic!("rebinding the server's port: {e}"),
                    }
                };
                ready_tx.send(listener.local_addr().unwrap()).unwrap();
                tokio::select! {
                    _ = hearth_server::serve(listener, state, std::future::pending()) => {}
                    _ = kill_rx => {}
                }
            });
            rt.shutdown_background();
        });
        let addr = ready_rx.recv().expect("the server process started");
        (
            ServerProcess {
                kill: Some(kill_tx),
                thread: Some(thread),
            },
            addr,
        )
    }

    pub fn kill(&mut self) {
        if let Some(k) = self.kill.take() {
            let _ = k.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn spawn_server_on(backend: Backend, restartable: bool) -> Server {
    let data_dir = tempfile::tempdir().unwrap();
    let (database_url, pg) = match backend {
        Backend::Sqlite => (hearth_server::store::sqlite_url_for(data_dir.path()), None),
        Backend::Postgres => {
            let db = PgDatabase::create().await;
            (db.url(), Some(db))
        }
    };
    let store = hearth_server::store::connect(&database_url).await.unwrap();
    store.migrate().await.unwrap();
    let mailer = Mailer::outbox(
        data_dir.path().join("outbox"),
        "Hearth <no-reply@hearth.invalid>",
    )
    .unwrap();
    let state = AppState::new(store.clone(), Arc::new(SystemClock), mailer)
        .await
        .unwrap()
        .with_documents_dir(data_dir.path());
    let (task, addr, process) = if restartable {
        let (process, addr) = tokio::task::block_in_place(|| {
            ServerProcess::start(
                database_url.clone(),
                data_dir.path().to_owned(),
                "127.0.0.1:0".parse().unwrap(),
            )
        });
        (
            tokio::spawn(std::future::pending::<()>()),
            addr,
            Some(process),
        )
    } else {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = hearth_server::serve(listener, state, std::future::pending()).await;
        });
        (task, addr, None)
    };
    let check = match backend {
        Backend::Sqlite => CheckPool::Sqlite(
            sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(2)
                .connect(&database_url)
                .await
                .unwrap(),
        ),
        Backend::Postgres => CheckPool::Postgres(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(4)
                .connect(&database_url)
                .await
                .unwrap(),
        ),
    };
    Server {
        check,
        addr,
        store,
        _data_dir: data_dir,
        _pg: pg,
        task,
        process,
        database_url,
    }
}

impl Server {
    /// Kills the server "process" (every request under way is cut) and starts it again on
    /// the same database, data folder and port. Only for [`spawn_restartable_server`].
    pub fn restart(&mut self) {
        assert!(self.process.is_some(), "a restartable server");
        self.stop();
        self.start();
    }

    /// Kills the server "process" for good (for a restore from backup).
    pub fn stop(&mut self) {
        if let Some(p) = self.process.as_mut() {
            tokio::task::block_in_place(|| p.kill());
        }
    }

    /// Starts a stopped restartable server again.
    pub fn start(&mut self) {
        tokio::task::block_in_place(|| {
            let (p, addr) = ServerProcess::start(
                self.database_url.clone(),
                self._data_dir.path().to_owned(),
                self.addr,
            );
            assert_eq!(addr, self.addr);
            self.process = Some(p);
        });
    }

    /// Takes a backup of the server's database (SQLite: `VACUUM INTO` a file beside it;
    /// PostgreSQL: a copy of every table into a `backup` schema).
    pub async fn backup(&self) {
        match &self.check {
            CheckPool::Sqlite(p) => {
                let path = self._data_dir.path().join("backup.sqlite3");
                sqlx::query(&format!("VACUUM INTO '{}'", path.display()))
                    .execute(p)
                    .await
                    .unwrap();
            }
            CheckPool::Postgres(p) => {
                sqlx::query("CREATE SCHEMA backup")
                    .execute(p)
                    .await
                    .unwrap();
                for t in self.tables().await {
                    sqlx::query(&format!("CREATE TABLE backup.{t} AS TABLE public.{t}"))
                        .execute(p)
                        .await
                        .unwrap();
                }
            }
        }
    }

    async fn tables(&self) -> Vec<String> {
        let rows: Vec<(String,)> = match &self.check {
            CheckPool::Sqlite(p) => sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(p)
            .await
            .unwrap(),
            CheckPool::Postgres(p) => sqlx::query_as(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
                 AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(p)
            .await
            .unwrap(),
        };
        rows.into_iter().map(|(t,)| t).collect()
    }

    /// Puts the backup's content back into the (stopped) server's database, table by
    /// table, in one transaction, as a restore from backup would; the epoch is the
    /// backup's until [`hearth_server::store::Store::sync_new_epoch`] is called.
    pub async fn restore_backup(&self) {
        let tables = self.tables().await;
        match &self.check {
            CheckPool::Sqlite(p) => {
                let path = self._data_dir.path().join("backup.sqlite3");
                let mut c = p.acquire().await.unwrap();
                sqlx::query("PRAGMA foreign_keys = OFF")
                    .execute(&mut *c)
                    .await
                    .unwrap();
                sqlx::query(&format!("ATTACH DATABASE '{}' AS b", path.display()))
                    .execute(&mut *c)
                    .await
                    .unwrap();
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut *c)
                    .await
                    .unwrap();
                for t in &tables {
                    sqlx::query(&format!("DELETE FROM main.{t}"))
                        .execute(&mut *c)
                        .await
                        .unwrap();
                    sqlx::query(&format!("INSERT INTO main.{t} SELECT * FROM b.{t}"))
                        .execute(&mut *c)
                        .await
                        .unwrap();
                }
                sqlx::query("COMMIT").execute(&mut *c).await.unwrap();
                sqlx::query("DETACH DATABASE b")
                    .execute(&mut *c)
                    .await
                    .unwrap();
                sqlx::query("PRAGMA foreign_keys = ON")
                    .execute(&mut *c)
                    .await
                    .unwrap();
            }
            CheckPool::Postgres(p) => {
                let mut tx = p.begin().await.unwrap();
                sqlx::query("SET LOCAL session_replication_role = replica")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                for t in &tables {
                    sqlx::query(&format!("DELETE FROM public.{t}"))
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                    sqlx::query(&format!("INSERT INTO public.{t} SELECT * FROM backup.{t}"))
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                }
                tx.commit().await.unwrap();
            }
        }
    }
}

enum CheckPool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// A record as the server holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerRecord {
    pub kind: String,
    pub version: i64,
    pub fields: Map<String, Value>,
    pub reference: Option<String>,
    pub deleted: bool,
}

impl Server {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's data folder (document bytes live under it).
    pub fn data_path(&self) -> &std::path::Path {
        self._data_dir.path()
    }

    /// The plan's owner adds `user` to its sharing list (`active`) or removes them, straight
    /// on the server, audited as the owner's action.
    pub async fn set_sharing(&self, plan: RecordId, owner: UserId, user: UserId, active: bool) {
        let action = if active { "plan.share" } else { "plan.unshare" };
        self.store
            .set_sharing(
                plan.as_uuid(),
                user,
                active,
                &AuditEvent {
                    at: Utc::now(),
                    actor: Some(owner),
                    device: None,
                    action: action.to_owned(),
                    target: Some(plan.to_string()),
                    outcome: "ok".to_owned(),
                    reason: Some("changed by the plan's owner".to_owned()),
                },
            )
            .await
            .unwrap();
    }

    /// A practitioner account (invented) with a signed-in session; returns its id and
    /// access token.
    pub async fn practitioner(&self) -> (UserId, String) {
        let id = UserId(Uuid::now_v7());
        let roles = [Role::Practitioner].into_iter().collect();
        let email = format!("worker-{}@example.org.uk", id.0.simple());
        let now = Utc::now();
        self.store
            .insert_user(NewUser {
                id,
                forename: "Test",
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
            "Test laptop",
            (chrono::Duration::days(1), chrono::Duration::days(2)),
            now,
        )
        .await
        .unwrap_or_else(|e| panic!("session for a test user: {e:?}"));
        let token = tokens.access_token.expose().to_owned();
        (id, token)
    }

    async fn rows(&self, sql: &str, bind: &str) -> Vec<(String, i64, String, Option<String>, i64)> {
        match &self.check {
            CheckPool::Sqlite(p) => sqlx::query_as(sql).bind(bind).fetch_all(p).await.unwrap(),
            CheckPool::Postgres(p) => sqlx::query_as(sql).bind(bind).fetch_all(p).await.unwrap(),
        }
    }

    /// Every record `owner` owns, by id.
    pub async fn records_of(&self, owner: UserId) -> BTreeMap<Uuid, ServerRecord> {
        self.rows(
            "SELECT id || ' ' || kind, version, fields, reference, deleted FROM sync_records \
             WHERE owner_id = $1",
            &owner.to_string(),
        )
        .await
        .into_iter()
        .map(|(id_kind, version, fields, reference, deleted)| {
            let (id, kind) = id_kind.split_once(' ').unwrap();
            (
                id.parse().unwrap(),
                ServerRecord {
                    kind: kind.to_owned(),
                    version,
                    fields: serde_json::from_str(&fields).unwrap(),
                    reference,
                    deleted: deleted != 0,
                },
            )
        })
        .collect()
    }

    /// How many times the server answered each mutation of `client` (applied in the change
    /// log, or kept as a conflict or rejection), by mutation id.
    pub async fn answers_of(&self, client: Uuid) -> BTreeMap<i64, i64> {
        let rows = self
            .rows(
                "SELECT client_id, mutation_id, 'x', NULL, CAST(0 AS BIGINT) FROM sync_changes WHERE client_id = $1 \
                 UNION ALL \
                 SELECT client_id, mutation_id, 'x', NULL, CAST(0 AS BIGINT) FROM sync_conflicts WHERE client_id = $1",
                &client.to_string(),
            )
            .await;
        let mut counts = BTreeMap::new();
        for (_, m, _, _, _) in rows {
            *counts.entry(m).or_insert(0) += 1;
        }
        counts
    }

    /// Every permanent reference given, in no order.
    pub async fn references(&self) -> Vec<String> {
        self.rows(
            "SELECT id, version, kind, reference, deleted FROM sync_records WHERE kind <> $1",
            "none",
        )
        .await
        .into_iter()
        .filter_map(|r| r.3)
        .collect()
    }
}

/// What the proxy does to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward both ways.
    Pass,
    /// Close the connection before anything reaches the server.
    DropBeforeRequest,
    /// Forward only the first `n` bytes of the request, then close both sides.
    CutRequest(usize),
    /// Forward the whole request; once the server starts answering (it has committed),
    /// close the client's side so the answer is lost.
    LoseResponse,
    /// Wait, then forward both ways.
    Delay(Duration),
}

/// A TCP proxy on loopback in front of the server; each new connection takes the next
/// fault from its queue ([`Fault::Pass`] when empty).
pub struct Proxy {
    pub addr: SocketAddr,
    faults: Arc<Mutex<VecDeque<Fault>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let faults: Arc<Mutex<VecDeque<Fault>>> = Arc::default();
        let queue = faults.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let fault = queue.lock().unwrap().pop_front().unwrap_or(Fault::Pass);
                tokio::spawn(handle(client, target, fault));
            }
        });
        Proxy { addr, faults, task }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.faults.lock().unwrap().extend(faults);
    }

    pub fn clear(&self) {
        self.faults.lock().unwrap().clear();
    }
}

async fn handle(mut client: TcpStream, target: SocketAddr, fault: Fault) {
    match fault {
        Fault::DropBeforeRequest => drop(client),
        Fault::Pass | Fault::Delay(_) => {
            if let Fault::Delay(d) = fault {
                tokio::time::sleep(d).await;
            }
            let Ok(mut server) = TcpStream::connect(target).await else {
                return;
            };
            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        }
        Fault::CutRequest(n) => {
            let Ok(mut server) = TcpStream::connect(target).await else {
                return;
            };
            let mut left = n;
            let mut buf = vec![0u8; 16 * 1024];
            while left > 0 {
                // A request shorter than the cut: close once the client has sent it all.
                let read = client.read(&mut buf[..left.min(16 * 1024)]);
                let Ok(Ok(got)) = tokio::time::timeout(Duration::from_millis(20), read).await
                else {
                    return;
                };
                if got == 0 || server.write_all(&buf[..got]).await.is_err() {
                    return;
                }
                left -= got;
            }
            // Both sides closed with the request unfinished.
        }
        Fault::LoseResponse => {
            let Ok(server) = TcpStream::connect(target).await else {
                return;
            };
            let (mut client_read, _client_write) = client.into_split();
            let (mut server_read, mut server_write) = server.into_split();
            let upstream = tokio::spawn(async move {
                let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
            });
            let mut first = [0u8; 1];
            // The first byte of the answer: the server has finished (and committed).
            let _ = server_read.read(&mut first).await;
            upstream.abort();
            // Dropping both halves closes the client's connection without the answer.
        }
    }
}

/// One device: its own encrypted store (a supplied raw key) and the real engine.
pub struct Device {
    pub store: Store,
    pub engine: Engine,
    _dir: tempfile::TempDir,
}

/// Request time limit for devices in tests: short, so lost connections fail fast.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn device(base_url: &str, token: &str) -> Device {
    let key = *DatabaseKey::generate().as_bytes();
    device_with_key(tempfile::tempdir().unwrap(), key, base_url, token).await
}

/// A device on the store in `dir` (made if new) with this raw key.
pub async fn device_with_key(
    dir: tempfile::TempDir,
    key: [u8; 32],
    base_url: &str,
    token: &str,
) -> Device {
    let store = Store::open_or_create(
        dir.path(),
        KeyStorage::Supplied {
            key: DatabaseKey::from_bytes(key),
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let mut config = EngineConfig::new(base_url, token);
    config.request_timeout = TEST_TIMEOUT;
    // One request per connection, so each fault hits one request.
    config.idle_connections_per_host = 0;
    config.push_batch = 3;
    let engine = Engine::new(store.clone(), config).unwrap();
    Device {
        store,
        engine,
        _dir: dir,
    }
}

/// Syncs until the outbox is empty and a last pull is done (no faults queued).
pub async fn settle(d: &Device) {
    for _ in 0..5 {
        if let Ok(()) = d.engine.sync_once().await.map(|_| ()) {
            if d.store.counts().await.unwrap().pending_outbox == 0 {
                return;
            }
        }
    }
    panic!("the device did not settle in 5 syncs");
}

/// The device holds exactly the server's live records of `owner`: same fields, version
/// and reference, nothing more.
pub async fn assert_converged(server: &Server, owner: UserId, d: &Device, what: &str) {
    let on_server = server.records_of(owner).await;
    let mut local = BTreeMap::new();
    for kind in hearth_domain::RecordKind::ALL {
        for s in d.store.list(kind).await.unwrap() {
            let draft = d.store.load(s.id).await.unwrap().unwrap();
            local.insert(s.id.as_uuid(), draft);
        }
    }
    for (id, r) in &on_server {
        if r.kind == "document" {
            let doc = d
                .store
                .get_document(hearth_store::DocumentId::from_uuid(*id))
                .await
                .unwrap();
            match doc {
                Some(doc) if !r.deleted => {
                    assert_eq!(
                        Some(doc.meta.sha256.as_str()),
                        r.fields.get("sha256").and_then(Value::as_str),
                        "{what}: bytes of document {id}"
                    );
                }
                None if r.deleted => {}
                other => panic!("{what}: document {id} on the device: {:?}", other.is_some()),
            }
            continue;
        }
        if r.deleted {
            assert!(
                !local.contains_key(id),
                "{what}: discarded record {id} still on the device"
            );
            continue;
        }
        let l = local
            .get(id)
            .unwrap_or_else(|| panic!("{what}: record {id} missing on the device"));
        assert_eq!(l.fields, r.fields, "{what}: fields of {id}");
        assert_eq!(l.summary.version, r.version, "{what}: version of {id}");
        assert_eq!(
            l.summary.server_version,
            Some(r.version),
            "{what}: server version of {id}"
        );
        assert_eq!(
            l.summary.server_reference, r.reference,
            "{what}: reference of {id}"
        );
    }
    for id in local.keys() {
        assert!(
            on_server
                .get(id)
                .is_some_and(|r| !r.deleted && r.kind != "document"),
            "{what}: record {id} on the device but not live on the server"
        );
    }
}

/// Every mutation the device made is either still in its outbox (not answered to the
/// device) or answered exactly once on the server; answered ones are never in the outbox.
pub async fn assert_exactly_once(server: &Server, d: &Device, what: &str) {
    assert_exactly_once_in(server, &d.store, what).await;
}

/// [`assert_exactly_once`] on a store.
pub async fn assert_exactly_once_in(server: &Server, store: &Store, what: &str) {
    let last = store.last_mutation_id().await.unwrap().0;
    let waiting: Vec<i64> = store
        .pending_mutations(u32::MAX)
        .await
        .unwrap()
        .iter()
        .map(|m| m.mutation_id.0)
        .collect();
    let answers = server.answers_of(store.client_id().as_uuid()).await;
    for m in 1..=last {
        let on_server = answers.get(&m).copied().unwrap_or(0);
        assert!(
            on_server <= 1,
            "{what}: mutation {m} answered {on_server} times"
        );
        if !waiting.contains(&m) {
            assert_eq!(
                on_server, 1,
                "{what}: mutation {m} acknowledged but not on the server"
            );
        }
    }
}

impl Server {
    /// The mutations of `client` applied on the server (in the change log).
    pub async fn applied_of(&self, client: Uuid) -> Vec<i64> {
        self.rows(
            "SELECT client_id, mutation_id, 'x', NULL, CAST(0 AS BIGINT) FROM sync_changes WHERE client_id = $1",
            &client.to_string(),
        )
        .await
        .into_iter()
        .map(|r| r.1)
        .collect()
    }
}
