//! `spawn_app()`: a real server on a loopback port 0, a fresh database (a SQLite file in a
//! temporary folder, or a new PostgreSQL database on 127.0.0.1:5432), a real SMTP server
//! process (aiosmtpd) and a clock the test moves.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use hearth_protocol::auth::{SignInStarted, SignedIn};
use hearth_protocol::paths;
use hearth_server::app::AppState;
use hearth_server::clock::ManualClock;
use hearth_server::mail::Mailer;
use hearth_server::store::DynStore;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named test on SQLite and on PostgreSQL: `on_both!(a, b)` makes
/// `sqlite::a`, `postgres::a`, … calling `a(Backend)`.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}
pub(crate) use on_both;

pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A fresh PostgreSQL database, dropped (connections and all) when the test ends.
pub struct PgDatabase {
    pub name: String,
}

impl PgDatabase {
    async fn create() -> PgDatabase {
        let admin = std::env::var("HEARTH_TEST_PG_ADMIN_URL").unwrap_or(PG_ADMIN_URL.into());
        let mut conn = match <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await {
            Ok(c) => c,
            Err(e) => panic!(
                "PostgreSQL is not reachable at {admin} ({e}). The server suite runs on SQLite \
                 AND PostgreSQL; it fails rather than skips (CI={})",
                std::env::var("CI").unwrap_or_default()
            ),
        };
        let name = format!("hearth_test_{}", Uuid::now_v7().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create the test database");
        PgDatabase { name }
    }

    pub fn url(&self) -> String {
        let admin = std::env::var("HEARTH_TEST_PG_ADMIN_URL").unwrap_or(PG_ADMIN_URL.into());
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
        format!("{base}/{}", self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Dropped from inside a runtime: do it on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut c) =
                    <sqlx::PgConnection as sqlx::Connection>::connect(PG_ADMIN_URL).await
                {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut c)
                        .await;
                }
            })
        })
        .join();
    }
}

/// A real SMTP server process (aiosmtpd) writing each message into a folder.
pub struct SmtpSink {
    pub port: u16,
    pub folder: PathBuf,
    _child: tokio::process::Child,
}

fn python() -> &'static str {
    // Debian's python3-aiosmtpd lives with the system interpreter.
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

impl SmtpSink {
    async fn start(folder: PathBuf) -> SmtpSink {
        std::fs::create_dir_all(&folder).unwrap();
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
        let mut child = tokio::process::Command::new(python())
            .arg(script)
            .arg(port.to_string())
            .arg(&folder)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the SMTP sink (apt-get install python3-aiosmtpd)");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        tokio::time::timeout(
            StdDuration::from_secs(20),
            BufReader::new(stdout).read_line(&mut line),
        )
        .await
        .expect("the SMTP sink did not start in 20 s")
        .unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "SMTP sink failed (is python3-aiosmtpd installed?)"
        );
        SmtpSink {
            port,
            folder,
            _child: child,
        }
    }

    /// Every message received for `to`, oldest first (raw RFC 5322 text).
    pub fn messages_to(&self, to: &str) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(&self.folder)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .filter(|m| {
                m.lines()
                    .next()
                    .is_some_and(|l| l.to_lowercase().contains(&to.to_lowercase()))
            })
            .collect()
    }

    /// Waits for message number `n` (0-based) to `to`.
    pub async fn nth_message(&self, to: &str, n: usize) -> String {
        for _ in 0..200 {
            let m = self.messages_to(to);
            if m.len() > n {
                return m[n].clone();
            }
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
        panic!("no message number {n} for {to} within 10 s");
    }
}

/// The text after `marker` up to the end of its line (e.g. a code or a key in an email).
pub fn after(message: &str, marker: &str) -> String {
    let i = message
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not in the message:\n{message}"));
    message[i + marker.len()..]
        .lines()
        .next()
        .unwrap()
        .trim()
        .to_owned()
}

pub fn code_in(message: &str) -> String {
    let code = after(message, "code is: ");
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    code
}

/// A key on its own line after `marker`'s line.
pub fn key_in(message: &str, prefix: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} key in:\n{message}"))
        .to_owned()
}

pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub http: reqwest::Client,
    pub clock: ManualClock,
    pub store: DynStore,
    /// The served state (its clock is `clock`), for what tests call directly (the drafts'
    /// sweep).
    pub state: AppState,
    pub smtp: SmtpSink,
    pub database_url: String,
    pub data_dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with_policy(backend, hearth_server::app::Policy::default()).await
}

/// [`spawn_app`] serving under `policy` (a shorter offline period, say).
pub async fn spawn_app_with_policy(
    backend: Backend,
    policy: hearth_server::app::Policy,
) -> TestApp {
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
    let smtp = SmtpSink::start(data_dir.path().join("received")).await;
    let mailer = Mailer::smtp(
        &format!("smtp://127.0.0.1:{}", smtp.port),
        "Hearth <no-reply@hearth.invalid>",
    )
    .unwrap();
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap());
    let state = AppState::new(store.clone(), Arc::new(clock.clone()), mailer)
        .await
        .unwrap()
        .with_documents_dir(data_dir.path().join("files"))
        .with_policy(policy);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = state.clone();
    let server = tokio::spawn(async move {
        let _ = hearth_server::serve(listener, state, std::future::pending()).await;
    });
    TestApp {
        backend,
        base,
        http: reqwest::Client::new(),
        clock,
        store,
        state: served,
        smtp,
        database_url,
        data_dir,
        _pg: pg,
        server,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    #[track_caller]
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply { status, body }
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> Reply {
        self.send(
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(token),
        )
        .await
    }

    pub async fn post_as(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .bearer_auth(token)
                .json(&body),
        )
        .await
    }

    pub async fn put_as(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(
            self.http
                .put(format!("{}{path}", self.base))
                .bearer_auth(token)
                .json(&body),
        )
        .await
    }

    pub async fn seed_demo(&self) {
        hearth_server::seed::demo_seed(&self.store, chrono::Utc::now())
            .await
            .unwrap();
    }

    /// Step 1; returns the attempt and the code emailed for it.
    pub async fn start_sign_in(&self, email: &str, password: &str) -> (Uuid, String) {
        let before = self.smtp.messages_to(email).len();
        let r = self
            .post(
                paths::SIGN_IN,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let started: SignInStarted = serde_json::from_value(r.body).unwrap();
        let code = code_in(&self.smtp.nth_message(email, before).await);
        (started.attempt_id, code)
    }

    pub async fn verify(&self, attempt: Uuid, code: &str, device: Uuid) -> Reply {
        self.post(
            paths::SIGN_IN_VERIFY,
            json!({"attempt_id": attempt, "code": code, "device_id": device, "device_name": "Test laptop"}),
        )
        .await
    }

    /// Both steps; returns the tokens and account.
    pub async fn sign_in(&self, email: &str, password: &str) -> SignedIn {
        let (attempt, code) = self.start_sign_in(email, password).await;
        let r = self.verify(attempt, &code, Uuid::now_v7()).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        serde_json::from_value(r.body).unwrap()
    }

    /// Runs SQL straight against the database (to tamper with it in tests).
    pub async fn raw_sql(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let mut c =
                    <sqlx::SqliteConnection as sqlx::Connection>::connect(&self.database_url)
                        .await
                        .unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
            Backend::Postgres => {
                let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&self.database_url)
                    .await
                    .unwrap();
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
        }
    }

    pub async fn audit_rows(&self) -> Vec<hearth_server::store::AuditRow> {
        self.store.audit_rows().await.unwrap().0
    }
}
