//! `make bench`: 200 concurrent simulated devices, each refreshing its tokens and calling an
//! authenticated endpoint (`GET /api/v1/me`, which is access-checked and audited) over
//! loopback, on SQLite and on PostgreSQL. Prints requests/s, p50/p99 latency and errors.
//!
//! `cargo bench -p hearth-server --bench auth_load` (release). Environment:
//! `HEARTH_BENCH_DEVICES` (200), `HEARTH_BENCH_SECS` (10), `HEARTH_BENCH_BACKENDS`
//! (`sqlite,postgres`), `HEARTH_TEST_PG_ADMIN_URL` (postgres://postgres@127.0.0.1:5432/test).

use std::sync::Arc;
use std::time::{Duration, Instant};

use hearth_protocol::auth::Tokens;
use hearth_protocol::paths;
use hearth_server::app::AppState;
use hearth_server::clock::{Clock, SystemClock};
use hearth_server::mail::Mailer;
use uuid::Uuid;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let devices: usize = env_or("HEARTH_BENCH_DEVICES", 200);
    let secs: u64 = env_or("HEARTH_BENCH_SECS", 10);
    let backends = std::env::var("HEARTH_BENCH_BACKENDS").unwrap_or("sqlite,postgres".into());
    println!("auth_load: {devices} devices, {secs} s each, refresh + GET /api/v1/me per loop");
    for backend in backends.split(',') {
        run(backend.trim(), devices, Duration::from_secs(secs)).await?;
    }
    Ok(())
}

async fn run(backend: &str, devices: usize, duration: Duration) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let admin = std::env::var("HEARTH_TEST_PG_ADMIN_URL")
        .unwrap_or("postgres://postgres@127.0.0.1:5432/test".into());
    let pg_name = format!("hearth_bench_{}", Uuid::now_v7().simple());
    let url = match backend {
        "sqlite" => hearth_server::store::sqlite_url_for(dir.path()),
        "postgres" => {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await?;
            sqlx::query(&format!("CREATE DATABASE {pg_name}"))
                .execute(&mut c)
                .await?;
            format!("{}/{pg_name}", admin.rsplit_once('/').unwrap().0)
        }
        other => anyhow::bail!("unknown backend {other}"),
    };
    let store = hearth_server::store::connect(&url).await?;
    store.migrate().await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let accounts = hearth_server::seed::demo_seed(&store, clock.now()).await?;
    let mut users = Vec::new();
    for a in &accounts {
        users.push(store.user_by_email(a.email).await?.unwrap().account.id);
    }
    // Each device starts signed in (sign-in itself is two emails and Argon2: not measured).
    let mut refresh_tokens = Vec::new();
    let now = clock.now();
    for i in 0..devices {
        let tokens = hearth_server::auth::open_session(
            &store,
            users[i % users.len()],
            Uuid::now_v7(),
            "bench device",
            (chrono::Duration::minutes(15), chrono::Duration::days(30)),
            now,
        )
        .await?;
        refresh_tokens.push(tokens.refresh_token.expose().to_owned());
    }
    let mailer = Mailer::outbox(dir.path().join("outbox"), "bench@hearth.invalid")?;
    let state = AppState::new(store.clone(), clock, mailer).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(hearth_server::serve(
        listener,
        state,
        std::future::pending(),
    ));

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(devices)
        .build()?;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for refresh in refresh_tokens {
        let http = http.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            let mut refresh = refresh;
            while start.elapsed() < duration {
                let t = Instant::now();
                let r = http
                    .post(format!("{base}{}", paths::REFRESH))
                    .json(&serde_json::json!({ "refresh_token": refresh }))
                    .send()
                    .await;
                let tokens: Option<Tokens> = match r {
                    Ok(r) if r.status().is_success() => r.json().await.ok(),
                    _ => None,
                };
                latencies.push(t.elapsed());
                let Some(tokens) = tokens else {
                    errors += 1;
                    continue;
                };
                refresh = tokens.refresh_token.expose().to_owned();
                let t = Instant::now();
                let ok = http
                    .get(format!("{base}{}", paths::ME))
                    .bearer_auth(tokens.access_token.expose())
                    .send()
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false);
                latencies.push(t.elapsed());
                errors += usize::from(!ok);
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        all.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    println!(
        "{backend:>8}: {} requests in {elapsed:.1} s = {:.0} req/s; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; errors {errors}",
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3,
    );
    server.abort();
    drop(store);
    if backend == "postgres" {
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"))
            .execute(&mut c)
            .await?;
    }
    Ok(())
}
